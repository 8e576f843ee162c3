"""pytest fixtures for provider, plugin and application tests: ``fake_llm``, ``mock_server``,
``openai_spec_errors``, ``call_recorder``.

Installed with anyllm-core as a pytest plugin (the ``pytest11`` entry point, as pytest-httpx does), so
any test can ask for them by name; ``pip install anyllm-core[testing]`` brings what they need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from any_llm.testing.fake import FakeLLM
from any_llm.testing.hooks import CallRecorder
from any_llm.testing.server import MockServer

__all__ = ["call_recorder", "fake_llm", "mock_server", "openai_spec_errors"]


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


@pytest.fixture
def call_recorder() -> Iterator[CallRecorder]:
    """A :class:`~any_llm.testing.hooks.CallRecorder` registered as a call-hook plugin for the test (the
    plugin registry is reset before and after, so hook plugins installed in the environment stay out)."""
    from any_llm import plugins

    plugins.reset()
    recorder = CallRecorder()
    plugins.register_plugin(recorder, name="call-recorder")
    yield recorder
    plugins.unregister_plugin(recorder)
    plugins.reset()
