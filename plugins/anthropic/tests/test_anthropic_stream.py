"""Anthropic SSE transcripts → ChatCompletionChunk (pure, through the core's SSE decoder)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_anthropic import AnthropicProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.testing import run_stream
from any_llm.testing.server import sse_events
from any_llm.types.completion import ChatCompletionChunk

SIG = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"


def run(events: list[dict[str, Any]], **args: Any) -> tuple[list[ChatCompletionChunk], Any]:
    """Feed a transcript as real SSE bytes (event: + data: lines) and return (chunks, parser)."""
    params = build_params("claude-sonnet-4-20250514", [{"role": "user", "content": "Hi"}], {"stream": True, **args}, {})
    provider = AnthropicProvider()
    parser = provider.stream_parser(params)
    raw = b"".join(sse_events([(e["type"], e) for e in events], done=False))
    return run_stream(provider, params, raw, parser=parser), parser


def text_of(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


@pytest.mark.parametrize("name", ["stream_text", "stream_tool_use", "stream_thinking"])
def test_transcripts_match_the_spec(check: Any, examples: dict[str, Any], name: str) -> None:
    for event in examples[name]:
        check("MessageStreamEvent", event)


def test_text_stream(examples: dict[str, Any]) -> None:
    chunks, parser = run(examples["stream_text"])
    assert parser.done
    assert chunks[0].choices[0].delta.role == "assistant"
    assert text_of(chunks) == "Hello!"
    assert {c.id for c in chunks} == {"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY"}
    assert {c.model for c in chunks} == {"claude-sonnet-4-20250514"}
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert all(len(c.choices) == 1 for c in chunks)  # the seed example indexes choices[0] on every chunk
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason]
    assert finishes == ["stop"]
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.choices[0].delta.content is None
    assert sum(c.usage is not None for c in chunks) == 1
    assert last.usage is not None
    assert (last.usage.prompt_tokens, last.usage.completion_tokens, last.usage.total_tokens) == (25, 15, 40)


def test_tool_use_stream_arguments_in_pieces(examples: dict[str, Any]) -> None:
    chunks, _ = run(examples["stream_tool_use"])
    assert text_of(chunks) == "Okay, let's check the weather for Paris:"
    calls: dict[int, dict[str, Any]] = {}
    firsts = []
    pieces = 0
    for chunk in chunks:
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            slot = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
            if call.id is not None:
                firsts.append(call.index)
                assert slot["id"] is None, "id sent twice"
                assert call.type == "function"
                slot["id"] = call.id
            if call.function and call.function.name is not None:
                slot["name"] = call.function.name
            if call.function and call.function.arguments:
                slot["arguments"] += call.function.arguments
                pieces += 1
    assert firsts == [0, 1]
    assert calls[0]["id"] == "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
    assert calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == {"location": "Paris", "unit": "C"}
    assert calls[1]["name"] == "get_time"
    assert json.loads(calls[1]["arguments"]) == {"city": "Paris"}
    assert pieces == 4  # streamed as received, empty pieces skipped
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish == ["tool_calls"]
    usage = chunks[-1].usage
    assert usage is not None
    assert usage.prompt_tokens == 472 + 400
    assert usage.completion_tokens == 89
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 400


def test_thinking_stream_reasoning_and_signed_block(examples: dict[str, Any]) -> None:
    chunks, _ = run(examples["stream_thinking"])
    reasoning = "".join(
        c.choices[0].delta.reasoning.content for c in chunks if c.choices and c.choices[0].delta.reasoning
    )
    assert (
        reasoning == "I need to find the GCD of 1071 and 462.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21"
    )
    assert text_of(chunks) == "The greatest common divisor of 1071 and 462 is **21**."
    blocks = [b for c in chunks if c.choices for b in c.choices[0].delta.model_dump().get("thinking_blocks") or []]
    assert blocks == [{"type": "thinking", "thinking": reasoning, "signature": SIG}]
    # the signed block arrives after the reasoning text and before the answer text
    kinds = [
        "reasoning"
        if c.choices and c.choices[0].delta.reasoning
        else "block"
        if c.choices and c.choices[0].delta.model_dump().get("thinking_blocks")
        else "text"
        if c.choices and c.choices[0].delta.content
        else ""
        for c in chunks
    ]
    kinds = [k for k in kinds if k]
    assert kinds.index("block") > max(i for i, k in enumerate(kinds) if k == "reasoning")
    assert kinds.index("block") < kinds.index("text")


def test_redacted_thinking_block_streamed_whole() -> None:
    events = [
        {
            "type": "message_start",
            "message": {
                "id": "m",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "claude",
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "redacted_thinking", "data": "opaque"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}},
        {"type": "message_stop"},
    ]
    chunks, _ = run(events)
    blocks = [b for c in chunks if c.choices for b in c.choices[0].delta.model_dump().get("thinking_blocks") or []]
    assert blocks == [{"type": "redacted_thinking", "data": "opaque"}]


def test_docs_variant_without_usage_or_signature_field() -> None:
    # the streaming docs abbreviate: message_start without usage, thinking start without signature
    events = [
        {
            "type": "message_start",
            "message": {
                "id": "m1",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "claude",
                "stop_reason": None,
                "stop_sequence": None,
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "hm"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "s1"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "max_tokens", "stop_sequence": None}},
        {"type": "message_stop"},
    ]
    chunks, parser = run(events)
    assert parser.done
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["length"]
    assert all(c.usage is None for c in chunks)


def test_include_usage_false_drops_the_usage_chunk(examples: dict[str, Any]) -> None:
    chunks, _ = run(examples["stream_text"], stream_options={"include_usage": False})
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_ping_and_unknown_events_ignored(examples: dict[str, Any]) -> None:
    events = examples["stream_text"]
    events.insert(2, {"type": "some_future_event", "data": 1})
    events.insert(
        4,
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "citations_delta", "citation": {"type": "char_location"}},
        },
    )
    chunks, _ = run(events)
    assert text_of(chunks) == "Hello!"


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("overloaded_error", errors.ProviderError),
        ("rate_limit_error", errors.RateLimitError),
        ("invalid_request_error", errors.InvalidRequestError),
        ("api_error", errors.ProviderError),
    ],
)
def test_error_event_raises_typed_error(examples: dict[str, Any], kind: str, cls: type[Exception]) -> None:
    events = examples["stream_text"][:4]
    error = {"type": "error", "error": {"type": kind, "message": "Overloaded"}}
    events.append(error)
    with pytest.raises(cls) as info:
        run(events)
    assert isinstance(info.value, errors.AnyLLMError)
    assert info.value.provider == "anthropic"


def test_stream_without_message_stop_raises(examples: dict[str, Any]) -> None:
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        run(examples["stream_text"][:-1])


def test_bad_event_data_raises_response_validation_error() -> None:
    parser = AnthropicProvider().stream_parser(build_params("m", [{"role": "user", "content": "x"}], {}, {}))
    with pytest.raises(errors.ResponseValidationError):
        list(parser.feed(StreamEvent(b"{not json", "message_start")))
    with pytest.raises(errors.ResponseValidationError):
        list(parser.feed(StreamEvent(b"[1]", "message_start")))


def test_event_name_used_when_data_has_no_type() -> None:
    parser = AnthropicProvider().stream_parser(build_params("m", [{"role": "user", "content": "x"}], {}, {}))
    assert list(parser.feed(StreamEvent(b"{}", "message_stop"))) == []
    assert parser.done
