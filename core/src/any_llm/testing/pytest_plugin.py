"""pytest fixtures for provider and application tests: ``fake_llm``, ``mock_server``, ``openai_spec_errors``.

Installed with anyllm-core as a pytest plugin (the ``pytest11`` entry point, as pytest-httpx does), so
any test can ask for them by name; ``pip install anyllm-core[testing]`` brings what they need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from any_llm.testing.fake import FakeLLM
from any_llm.testing.server import MockServer

__all__ = ["fake_llm", "mock_server", "openai_spec_errors"]


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


@pytest.fixture
def openai_spec_errors() -> Callable[[str, Any], list[str]]:
    """``openai_spec_errors("CreateChatCompletionRequest", body)``: the validation errors of ``body`` against
    OpenAI's official schema of that name (the trimmed spec anyllm-core ships; empty when valid)."""
    from any_llm.testing.schema import OPENAI_SPEC, schema_errors

    return lambda name, instance: schema_errors(OPENAI_SPEC, name, instance)
