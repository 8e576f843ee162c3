"""Values of an unexpected type in a response or a stream event: a ResponseValidationError carrying the body,
never a raw TypeError/KeyError (regressions found by tests/reliability's fuzz)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_gemini import GeminiProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.testing import feed_event, parse_completion

PROVIDER = GeminiProvider(api_key="test-key-123456")
PARAMS = build_params("gemini-2.5-flash", [{"role": "user", "content": "x"}], {}, {})
STREAM_PARAMS = build_params("gemini-2.5-flash", [{"role": "user", "content": "x"}], {"stream": True}, {})
PARTS = {"parts": [{"text": "hi"}], "role": "model"}


def answer(candidate: Any = None, usage: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"candidates": [candidate or {"content": PARTS, "finishReason": "STOP", "index": 0}]}
    if usage is not None:
        out["usageMetadata"] = usage
    return out


WRONG = {
    "finish_reason_object": answer({"content": PARTS, "finishReason": {"a": 1}}),
    "finish_reason_list": answer({"content": PARTS, "finishReason": ["STOP"]}),
    "parts_number": answer({"content": {"parts": 5}, "finishReason": "STOP"}),
    "parts_string": answer({"content": {"parts": "hi"}, "finishReason": "STOP"}),
    "index_object": answer({"content": PARTS, "finishReason": "STOP", "index": {"a": 1}}),
    "usage_object": answer(usage={"promptTokenCount": {"a": 1}, "candidatesTokenCount": [2]}),
    "usage_string": answer(usage={"promptTokenCount": "5", "candidatesTokenCount": 2}),
    "usage_float": answer(usage={"promptTokenCount": 5, "candidatesTokenCount": 2.5}),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_response_of_the_wrong_shape(name: str) -> None:
    body = json.dumps(WRONG[name]).encode()
    with pytest.raises(errors.ResponseValidationError, match="wrong shape") as info:
        parse_completion(PROVIDER, PARAMS, body)
    assert info.value.body == body.decode()


@pytest.mark.parametrize("name", [*sorted(WRONG), "candidates_true", "candidates_string", "index_only"])
def test_a_stream_event_of_the_wrong_shape(name: str) -> None:
    event = {
        "candidates_true": {"candidates": True},
        "candidates_string": {"candidates": "abc"},
        "index_only": {"candidates": [{"content": PARTS, "index": [0]}]},
    }.get(name) or WRONG[name]
    parser = PROVIDER.stream_parser(STREAM_PARAMS)
    parser.feed(StreamEvent(json.dumps({"candidates": [{"content": PARTS}]}).encode()))
    raw = json.dumps(event).encode()
    with pytest.raises(errors.ResponseValidationError, match="wrong shape") as info:
        feed_event(PROVIDER, parser, StreamEvent(raw))
    assert info.value.body == raw.decode()


def test_integer_usage_and_absent_parts_still_parse() -> None:
    data = answer(
        {"content": {"role": "model"}, "finishReason": "STOP"},
        usage={"promptTokenCount": 5, "candidatesTokenCount": 2, "totalTokenCount": 7},
    )
    completion = PROVIDER.parse_completion(json.dumps(data).encode(), PARAMS)
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.total_tokens == 7
