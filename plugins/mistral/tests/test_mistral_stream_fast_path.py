"""The stream parser normalizes only the chunks that need it; every other chunk takes the core's fast path.
The chunks (values and which fields are set) and errors must be those of normalizing every chunk."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_mistral import MistralProvider
from anyllm_mistral._response import ToolCallNumbering, normalize_chunk

from any_llm.openai_compat import OpenAIStreamParser
from any_llm.params import build_params
from any_llm.provider import StreamEvent

PARAMS = build_params("mistral-small-latest", [{"role": "user", "content": "x"}], {"stream": True}, {})


class EveryChunkNormalized(MistralProvider):
    """Reference: every chunk through ``normalize_chunk`` (the core's slow path), one numbering per stream."""

    def __init__(self) -> None:
        super().__init__(api_key="test-key-123456")
        self.numbering = ToolCallNumbering()

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        return normalize_chunk(payload, self.name, self.numbering)


def chunk(delta: Any = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    out = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "mistral-small-latest",
        "choices": [{"index": 0, "delta": delta if delta is not None else {}, "finish_reason": finish}],
    }
    out.update(top)
    return out


def reference_error_check(raw: bytes) -> None:
    """What the core does with an ``{"error": ...}`` event: the provider's own mapping, raised."""
    data = json.loads(raw)
    if isinstance(data, dict) and "error" in data and "choices" not in data:
        raise MistralProvider(api_key="test-key-123456").error_from_payload(data)


def run(parser: Any, events: list[dict[str, Any]], reference: bool) -> list[Any]:
    out: list[Any] = []
    for event in events:
        data = json.dumps(event).encode()
        try:
            if reference:
                reference_error_check(data)
            out += [(c.model_dump(), c.model_dump(exclude_unset=True)) for c in parser.feed(StreamEvent(data))]
        except Exception as exc:  # the error is part of the output
            out.append((type(exc).__name__, str(exc), getattr(exc, "body", None)))
            break
    return out


STREAMS = {
    "text": [
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": 'say "hi"\n'}),
        chunk({"content": "é"}),
        chunk({}, "stop"),
    ],
    "think_tags": [chunk({"content": "<think>a"}), chunk({"content": "b</think>\n\nc"}), chunk({}, "stop")],
    "thinking_chunks": [
        chunk({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "hm"}], "signature": "s"}]}),
        chunk({"content": [{"type": "text", "text": "answer"}]}),
        chunk({"content": []}),
        chunk({}, "stop"),
    ],
    "tool_calls": [
        chunk({"tool_calls": [{"id": "abcdefghi", "index": 0, "function": {"name": "f", "arguments": {"a": 1}}}]}),
        chunk({"tool_calls": [{"id": "null", "index": 0, "function": {"name": "g", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}),
        chunk({}, "tool_calls"),
    ],
    "reasoning_fields": [
        chunk({"content": "a", "reasoning_content": ""}),
        chunk({"content": "b", "reasoning_content": "r", "thinking": "t"}),
        chunk({"content": "c", "reasoning_content": "", "thinking": "t"}),
        chunk({"reasoning": "plain"}),
        chunk({}, "stop"),
    ],
    "leftover_reasoning_string": [chunk({"content": "a", "reasoning_content": "", "reasoning": "x"})],
    "no_finish_reason_key": [
        {"id": "c1", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"content": "a"}}]},
        chunk({}, "stop"),
    ],
    "no_created": [
        {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": None}]},
        chunk({}, "stop"),
    ],
    "model_length_and_usage": [
        chunk({"content": "a"}),
        chunk(
            {},
            "model_length",
            usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "num_cached_tokens": 1},
        ),
    ],
    "error_null": [chunk({"content": "a"}, error=None), chunk({}, "stop")],
    "finish_error": [chunk({"content": "a"}), chunk({}, "error")],
    "error_object": [chunk({"content": "a"}), {"object": "error", "message": "boom", "type": "internal_error"}],
    "detail": [{"detail": [{"loc": ["body", "model"], "msg": "bad", "type": "value_error"}]}],
    "wrong_shape": [chunk({"content": 5})],
    "wrong_shape_normalized": [chunk({"content": [{"type": "text", "text": "a"}]}, created="soon")],
}


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_same_chunks_as_normalizing_every_chunk(name: str) -> None:
    events = STREAMS[name]
    fast = run(MistralProvider(api_key="test-key-123456").stream_parser(PARAMS), events, reference=False)
    slow = run(OpenAIStreamParser(EveryChunkNormalized()), events, reference=True)
    assert fast == slow
    assert fast  # the stream produced something (chunks or its error)


def test_plain_chunks_keep_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def counting(*args: Any) -> Any:
        calls.append(args)
        return normalize_chunk(*args)

    monkeypatch.setattr("anyllm_mistral._response.normalize_chunk", counting)
    parser = MistralProvider(api_key="test-key-123456").stream_parser(PARAMS)
    for event in STREAMS["text"]:
        parser.feed(StreamEvent(json.dumps(event).encode()))
    assert calls == []
    parser.feed(StreamEvent(json.dumps(STREAMS["thinking_chunks"][0]).encode()))
    assert len(calls) == 1
