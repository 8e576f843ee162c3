from __future__ import annotations

from collections.abc import Iterator

import pytest

from any_llm import plugins
from any_llm.testing.pytest_plugin import fake_llm, mock_server  # noqa: F401


@pytest.fixture
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Discovery state reset before and after (env-var filters are read on first discovery)."""
    plugins.reset()
    yield
    plugins.reset()
