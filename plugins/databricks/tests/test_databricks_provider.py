"""Databricks: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_databricks import DatabricksProvider

import any_llm
from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.provider import StreamEvent
from any_llm.testing import Reply
from any_llm.testing.conformance import KEY, TEXT, openai_exchanges, run_scenario

MODEL = "databricks-claude-sonnet-4"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("databricks") is DatabricksProvider
    assert DatabricksProvider.api_key_env == ("DATABRICKS_TOKEN",)
    assert DatabricksProvider.api_base_env == ("DATABRICKS_HOST",)
    assert DatabricksProvider.default_api_base == ""
    assert DatabricksProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": False,
        "audio": False,
        "documents": False,
        "embedding": True,
        "list_models": False,
        "count_tokens": False,
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


@pytest.mark.parametrize("base_path", ["", "/serving-endpoints/"])
def test_workspace_url_gets_serving_endpoints_once(base_path: str) -> None:
    outcome = run_scenario(
        DatabricksProvider, "plain", [openai_exchanges()["plain"]], use_async=False, base_path=base_path
    )
    assert [r.path for r in outcome.requests or []] == ["/serving-endpoints/chat/completions"]


def test_workspace_url_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABRICKS_HOST", raising=False)
    with pytest.raises(errors.ConfigurationError, match="api_base"):
        any_llm.completion(
            model="x", provider="databricks", api_key="test-key-123456", messages=[{"role": "user", "content": "x"}]
        )


def test_reasoning_blocks() -> None:
    blocks = [
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Think.", "signature": "sig"}]},
        {"type": "text", "text": TEXT},
    ]
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": blocks}, "finish_reason": "stop"}],
    }
    message = run_scenario(DatabricksProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (message.reasoning.content, message.content) == ("Think.", TEXT)
    pieces = (
        {"content": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "Thi"}]}]},
        {"content": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "nk.", "signature": "s"}]}]},
        {"content": TEXT},
    )
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(DatabricksProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def _feed(events: list[dict[str, Any]], compact: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """Events as compact or spaced JSON through one stream parser: (chunks, how many were normalized)."""
    calls: list[Any] = []
    original = DatabricksProvider.normalize_chunk

    def counting(self: DatabricksProvider, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload)
        return original(self, payload)

    monkeypatch.setattr(DatabricksProvider, "normalize_chunk", counting)
    params = build_params(MODEL, [{"role": "user", "content": "Hi"}], {"stream": True}, {})
    parser = DatabricksProvider(KEY).stream_parser(params)
    separators = (",", ":") if compact else (", ", ": ")
    chunks = [c for e in events for c in parser.feed(StreamEvent(json.dumps(e, separators=separators).encode()))]
    return chunks, len(calls)


@pytest.mark.parametrize("compact", [True, False])
def test_only_block_content_chunks_leave_the_fast_path(compact: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = {**CHUNK, "choices": [{"index": 0, "delta": {"content": TEXT}, "finish_reason": None}]}
    blocks = [
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Think."}]},
        {"type": "text", "text": "A"},
    ]
    fixing = {**CHUNK, "choices": [{"index": 0, "delta": {"content": blocks}, "finish_reason": None}]}
    provider = DatabricksProvider(KEY)
    assert not provider.chunk_needs_normalize(json.dumps(plain, separators=(",", ":")).encode())
    assert provider.chunk_needs_normalize(json.dumps(fixing, separators=(",", ":")).encode())
    chunks, normalized = _feed([plain, fixing, plain], compact, monkeypatch)
    assert normalized == 1  # the block chunk only (picked by the byte test, or after failing to validate)
    assert chunks[1].choices[0].delta.reasoning.content == "Think."
    assert [c.choices[0].delta.content for c in chunks] == [TEXT, "A", TEXT]
