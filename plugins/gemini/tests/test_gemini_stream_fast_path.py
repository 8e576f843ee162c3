"""The stream parser's fast path (text/thought events validated once from plain values, usage converted
when a chunk carries it) must give the chunks and errors of the general path, fields set included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_gemini import GeminiProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.testing import feed_event

PARAMS = build_params("gemini-2.5-flash", [{"role": "user", "content": "x"}], {"stream": True}, {})


def event(parts: list[dict[str, Any]] | None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "modelVersion": "gemini-2.5-flash", "responseId": "r1", **top}


def usage(prompt: int, total: int, **more: Any) -> dict[str, Any]:
    return {"promptTokenCount": prompt, "totalTokenCount": total, **more}


def run(events: list[dict[str, Any]], fast: bool) -> list[Any]:
    provider = GeminiProvider(api_key="test-key-123456")
    parser: Any = provider.stream_parser(PARAMS)
    if not fast:
        parser._fast_chunk = lambda data: None  # every event through the general path
    out: list[Any] = []
    for data in events:
        try:
            out += [
                (c.model_dump(), c.model_dump(exclude_unset=True))
                for c in feed_event(provider, parser, StreamEvent(json.dumps(data).encode()))
            ]
        except Exception as exc:  # the error is part of the output
            out.append((type(exc).__name__, str(exc)))
            return out
    out.append(list(parser.finish()))
    return out


STREAMS = {
    "text": [
        event([{"text": "Hel"}], usageMetadata=usage(3, 3)),
        event([{"text": 'lo "x"\n'}], usageMetadata=usage(3, 3)),
        event([{"text": "!"}], "STOP", usageMetadata=usage(3, 6, candidatesTokenCount=3)),
    ],
    "thoughts_and_signature": [
        event([{"text": "plan", "thought": True}], usageMetadata=usage(3, 4)),
        event([{"text": "", "thought": True}, {"text": "a"}, {"text": "b"}]),
        event([{"text": "c", "thoughtSignature": "sig"}], usageMetadata=usage(3, 9)),
        event(
            [{"text": ""}],
            "MAX_TOKENS",
            usageMetadata=usage(3, 12, candidatesTokenCount=5, thoughtsTokenCount=4, cachedContentTokenCount=2),
        ),
    ],
    "usage_after_finish": [
        event([{"text": "a"}], usageMetadata=usage(1, 1)),
        event([{"text": "b"}], "STOP"),
        {"candidates": [], "usageMetadata": usage(1, 5, candidatesTokenCount=4)},
    ],
    "function_call": [
        event([{"text": "calling"}]),
        event([{"functionCall": {"id": "c1", "name": "f", "args": {"a": 1}}}], "STOP"),
    ],
    "no_parts": [event(None), event([]), event([{"text": "x"}], "STOP")],
    "usage_of_the_wrong_type": [
        event([{"text": "a"}], usageMetadata=usage(1, 1)),
        event([{"text": "b"}], usageMetadata={"promptTokenCount": 1.5}),
        event([{"text": "c"}], "STOP"),
    ],
    "wrong_types": [event([{"text": "a"}]), event([{"text": 5, "thought": True}])],
}


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_fast_path_gives_the_general_path_chunks(name: str) -> None:
    fast = run(STREAMS[name], fast=True)
    assert fast == run(STREAMS[name], fast=False)
    assert len(fast) >= 2


def test_usage_rides_on_the_finishing_chunk_only() -> None:
    out = run(STREAMS["thoughts_and_signature"], fast=True)
    assert [dump["usage"] for dump, _ in out[:-1]][:3] == [None, None, None]
    final = out[3][0]["usage"]
    assert (final["prompt_tokens"], final["completion_tokens"], final["total_tokens"]) == (3, 9, 12)
    assert final["completion_tokens_details"]["reasoning_tokens"] == 4
    assert final["prompt_tokens_details"]["cached_tokens"] == 2


def test_usage_of_the_wrong_type_fails_at_its_event() -> None:
    out = run(STREAMS["usage_of_the_wrong_type"], fast=True)
    assert len(out) == 2 and out[1][0] == errors.ResponseValidationError.__name__


def test_events_json_loads_accepts_still_parse() -> None:
    """A lone surrogate escape (which pydantic-core's JSON parser rejects) still parses, as json.loads does."""
    parser = GeminiProvider(api_key="test-key-123456").stream_parser(PARAMS)
    raw = b'{"candidates":[{"content":{"parts":[{"text":"a\\ud800"}]},"index":0}]}'
    (chunk,) = parser.feed(StreamEvent(raw))
    assert chunk.choices[0].delta.content == "a\ud800"
    with pytest.raises(errors.ResponseValidationError):
        parser.feed(StreamEvent(b"{not json"))
