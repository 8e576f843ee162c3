"""Fixtures: the trimmed OpenAI spec (spec/README.md), MockServer, a clean environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from any_llm import plugins
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "openai-chat.json"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("LLAMAFILE_API_KEY", "LLAMAFILE_API_BASE"):
        monkeypatch.delenv(var, raising=False)
    plugins.reset()
    yield
    plugins.reset()


@pytest.fixture
def spec_errors() -> Callable[[str, Any], list[str]]:
    """``spec_errors("CreateChatCompletionRequest", body)``: validation errors against OpenAI's spec."""
    return lambda name, instance: schema_errors(SPEC, name, instance)
