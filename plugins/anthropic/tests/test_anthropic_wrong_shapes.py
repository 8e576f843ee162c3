"""Values of an unexpected type in a message or a stream event: a ResponseValidationError carrying the body,
never a raw TypeError/KeyError/pydantic error (regressions found by tests/reliability's fuzz)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_anthropic import AnthropicProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.testing import feed_event

PARAMS = build_params("claude-sonnet-4-20250514", [{"role": "user", "content": "Hi"}], {}, {})
STREAM_PARAMS = build_params("claude-sonnet-4-20250514", [{"role": "user", "content": "Hi"}], {"stream": True}, {})
MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-20250514",
    "content": [{"type": "text", "text": "hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}
START = {"type": "message_start", "message": {**MESSAGE, "content": [], "stop_reason": None}}
TEXT_START = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}


@pytest.mark.parametrize(
    "usage",
    [
        {"input_tokens": [1], "output_tokens": 2},
        {"input_tokens": 1, "output_tokens": "many"},
        {"input_tokens": 1, "output_tokens": 2, "cache_read_input_tokens": {"n": 1}},
        {"input_tokens": 1.5, "output_tokens": 2},
        {"input_tokens": 1, "output_tokens": 2, "output_tokens_details": {"thinking_tokens": "x"}},
    ],
)
def test_a_usage_count_that_is_not_a_number(usage: dict[str, Any]) -> None:
    body = json.dumps({**MESSAGE, "usage": usage}).encode()
    with pytest.raises(errors.ResponseValidationError, match="not a whole number") as info:
        AnthropicProvider().parse_completion(body, PARAMS)
    assert info.value.body == body.decode()


def test_whole_usage_counts_still_parse() -> None:
    body = {**MESSAGE, "usage": {"input_tokens": 3.0, "output_tokens": 2, "cache_read_input_tokens": 4}}
    usage = AnthropicProvider().parse_completion(json.dumps(body).encode(), PARAMS).usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.prompt_tokens_details.cached_tokens) == (7, 2, 4)


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message_start", "message": "x"},
        {"type": "content_block_delta", "index": 0, "delta": "oops"},
        {"type": "content_block_start", "index": [1], "content_block": {"type": "text"}},
        {"type": "content_block_start", "index": 0, "content_block": ["text"]},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": [1]}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": {"a": 1}}},
        {"type": "content_block_stop", "index": {"a": 1}},
        {"type": "message_delta", "delta": 5},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": "many"}},
    ],
)
def test_a_stream_event_of_the_wrong_shape(event: dict[str, Any]) -> None:
    parser = AnthropicProvider().stream_parser(STREAM_PARAMS)
    for ok in (START, TEXT_START):
        parser.feed(StreamEvent(json.dumps(ok).encode()))
    raw = json.dumps(event).encode()
    with pytest.raises(errors.ResponseValidationError) as info:
        feed_event(AnthropicProvider(), parser, StreamEvent(raw))
    assert info.value.provider == "anthropic"
    assert info.value.body
    if event["type"] != "message_delta" or isinstance(event["delta"], int):
        assert info.value.body == raw.decode()


def test_errors_in_the_stream_keep_their_own_type() -> None:
    parser = AnthropicProvider().stream_parser(STREAM_PARAMS)
    event = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(errors.ProviderError):
        list(parser.feed(StreamEvent(json.dumps(event).encode())))
