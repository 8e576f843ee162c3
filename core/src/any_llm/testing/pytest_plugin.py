"""pytest fixtures for provider and application tests: ``fake_llm`` and ``mock_server``.

Installed with anyllm-core as a pytest plugin (the ``pytest11`` entry point, as pytest-httpx does), so
any test can ask for them by name; ``pip install anyllm-core[testing]`` brings what they need.
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
