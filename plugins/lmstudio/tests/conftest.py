"""Fixtures: MockServer, a clean environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from any_llm import plugins


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("LM_STUDIO_API_KEY", "LM_STUDIO_API_BASE"):
        monkeypatch.delenv(var, raising=False)
    plugins.reset()
    yield
    plugins.reset()
