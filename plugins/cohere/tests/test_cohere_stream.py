"""The v2 SSE stream parser on documented-shape transcripts, through the core's SSE decoder, no server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_cohere import CohereProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.testing import run_stream, sse_events
from any_llm.types.completion import ChatCompletionChunk


def run(events: list[Any], split: int | None = None, done: bool = False) -> list[ChatCompletionChunk]:
    params = build_params("command-a-03-2025", [{"role": "user", "content": "hi"}], {"stream": True}, {})
    return run_stream(CohereProvider(), params, b"".join(sse_events(events, done=done)), split=split)


def text_of(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks)


@pytest.mark.parametrize("split", [None, 1, 13])
def test_text_stream(docs: Any, split: int | None) -> None:
    chunks = run(docs.STREAM, split)
    assert text_of(chunks) == "Once upon a time."
    assert chunks[0].choices[0].delta.role == "assistant"
    assert sum(c.choices[0].delta.role is not None for c in chunks) == 1
    assert {c.id for c in chunks} == {"29f14a5a-11de-4cae-9800-25e4747408ea"}
    assert {c.model for c in chunks} == {"command-a-03-2025"}
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (202, 4)
    assert last.usage.model_extra["billed_units"]["input_tokens"] == 6
    assert all(c.usage is None and c.choices[0].finish_reason is None for c in chunks[:-1])


def test_tool_stream_arguments_in_pieces(docs: Any) -> None:
    chunks = run(docs.STREAM_TOOLS)
    assert text_of(chunks) == "I will search for the weather in Madrid and Brasilia."
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for call in chunk.choices[0].delta.tool_calls or []:
            slot = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
            if call.id:
                assert slot["id"] is None, "the id comes once, on the first piece"
                slot["id"] = call.id
            if call.function and call.function.name:
                slot["name"] = call.function.name
            slot["arguments"] += (call.function.arguments or "") if call.function else ""
    assert sorted(calls) == [0, 1]
    assert calls[0]["id"] == "get_weather_p0dage9q1nv4"
    assert calls[1]["id"] == "get_weather_ay6nmvjgp9vn"
    assert {c["name"] for c in calls.values()} == {"get_weather"}
    assert json.loads(calls[0]["arguments"]) == {"location": "Madrid"}
    assert json.loads(calls[1]["arguments"]) == {"location": "Brasilia"}
    assert sum(1 for c in chunks for tc in c.choices[0].delta.tool_calls or [] if tc.index == 0) == 6
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage.completion_tokens == 83


def test_thinking_stream(docs: Any) -> None:
    chunks = run(docs.STREAM_THINKING)
    reasoning = "".join(c.choices[0].delta.reasoning.content for c in chunks if c.choices[0].delta.reasoning)
    assert reasoning == "Two plus two."
    assert text_of(chunks) == "4"
    assert chunks[-1].usage.total_tokens == 17


def test_done_marker_is_tolerated(docs: Any) -> None:
    assert text_of(run(docs.STREAM, done=True)) == "Once upon a time."


def test_content_delta_logprobs(docs: Any) -> None:
    _, event = docs.STREAM[2]
    event["logprobs"] = {"text": "Once", "token_ids": [9], "logprobs": [-0.125]}
    chunks = run(docs.STREAM)
    (entry,) = next(c for c in chunks if c.choices[0].logprobs).choices[0].logprobs.content
    assert (entry.token, entry.logprob) == ("Once", -0.125)


def test_max_tokens_finish(docs: Any) -> None:
    docs.STREAM[-1][1]["delta"]["finish_reason"] = "MAX_TOKENS"
    assert run(docs.STREAM)[-1].choices[0].finish_reason == "length"


def test_message_end_with_error_raises(docs: Any) -> None:
    docs.STREAM[-1][1]["delta"] = {"finish_reason": "ERROR", "error": "model overloaded"}
    with pytest.raises(errors.ProviderError, match="model overloaded"):
        run(docs.STREAM)


def test_stream_without_message_end_raises(docs: Any) -> None:
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        run(docs.STREAM[:-1])


def test_events_after_message_end_are_ignored(docs: Any) -> None:
    chunks = run([*docs.STREAM, ("content-delta", "not json at all")])
    assert text_of(chunks) == "Once upon a time."


def test_unknown_events_are_skipped(docs: Any) -> None:
    extra = [
        ("debug", {"type": "debug", "prompt": "..."}),
        ("citation-start", {"type": "citation-start", "index": 0, "delta": {"message": {"citations": {}}}}),
        ("future-event", {"type": "future-event"}),
    ]
    chunks = run([docs.STREAM[0], *extra, *docs.STREAM[1:]])
    assert text_of(chunks) == "Once upon a time."


def test_error_object_on_the_stream_raises(docs: Any) -> None:
    with pytest.raises(errors.ProviderError, match="internal"):
        run([docs.STREAM[0], ("error", {"message": "internal server error"})])


@pytest.mark.parametrize(
    "bad",
    [
        ("content-delta", "{oops"),
        ("content-delta", "[1, 2]"),
        ("tool-call-start", {"type": "tool-call-start", "index": 0, "delta": {}}),
    ],
)
def test_bad_events_raise_response_validation_error(docs: Any, bad: Any) -> None:
    with pytest.raises(errors.ResponseValidationError):
        run([docs.STREAM[0], bad])
