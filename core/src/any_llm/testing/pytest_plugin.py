"""pytest fixtures for provider and application tests; import them into a conftest.py::

from any_llm.testing.pytest_plugin import fake_llm, mock_server  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from any_llm.testing.fake import FakeLLM
from any_llm.testing.server import MockServer

__all__ = ["fake_llm", "mock_server"]


@pytest.fixture
def mock_server() -> Iterator[MockServer]:
    """A started :class:`MockServer` on 127.0.0.1, stopped after the test."""
    with MockServer() as server:
        yield server


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    """An active :class:`FakeLLM`: ``provider="fake"`` answers from its queue during the test."""
    with FakeLLM() as fake:
        yield fake
