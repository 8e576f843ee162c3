from __future__ import annotations

from collections.abc import Iterator

import pytest

from any_llm import plugins


@pytest.fixture
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Discovery state reset before and after (env-var filters are read on first discovery)."""
    plugins.reset()
    yield
    plugins.reset()
