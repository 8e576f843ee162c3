"""Fixtures: answers recorded from a real llama-cpp-python 0.3.36 server, MockServer.

``data/llama-cpp-python-0.3.36.json`` holds raw HTTP answers (status, content type, body) of
``python -m llama_cpp.server`` with SmolLM2-135M-Instruct (``.ci/start-llm-server.sh``), recorded by
sending the listed request bodies; the two overflow prompts are shortened in the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from any_llm import plugins
from any_llm.testing.server import Reply

HERE = Path(__file__).parent
RECORDED = json.loads((HERE / "data" / "llama-cpp-python-0.3.36.json").read_text())["cases"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("LLAMACPP_API_KEY", "LLAMACPP_API_BASE"):
        monkeypatch.delenv(var, raising=False)
    plugins.reset()
    yield
    plugins.reset()


@pytest.fixture
def recorded() -> dict[str, dict[str, Any]]:
    """The recorded cases by name: ``{"request", "status", "content_type", "body"}``."""
    return RECORDED


@pytest.fixture
def reply() -> Callable[..., Reply]:
    """``reply(case, piece=0)``: the recorded answer as a MockServer Reply, optionally cut into
    ``piece``-byte chunks (so SSE lines arrive split across reads)."""

    def make(case: str, piece: int = 0) -> Reply:
        rec = RECORDED[case]
        body = rec["body"].encode()
        # an empty body goes out as llama-cpp-python sends it: chunked, terminator only
        step = piece or len(body) or 1
        chunks = [body[i : i + step] for i in range(0, len(body), step)]
        return Reply(rec["status"], {"content-type": rec["content_type"]}, chunks)

    return make
