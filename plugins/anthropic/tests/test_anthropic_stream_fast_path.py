"""The per-token deltas (text, thinking, tool arguments) are validated once from plain values instead of
nested constructors; each chunk must equal the constructed one, fields set included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_anthropic import AnthropicProvider

from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.types.completion import ChoiceDelta, ChoiceDeltaToolCall, ChoiceDeltaToolCallFunction, Reasoning

PARAMS = build_params("claude-sonnet-4-20250514", [{"role": "user", "content": "Hi"}], {"stream": True}, {})


def feed(parser: Any, data: dict[str, Any] | bytes) -> list[Any]:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return list(parser.feed(StreamEvent(raw)))


def started_parser() -> Any:
    parser = AnthropicProvider().stream_parser(PARAMS)
    feed(parser, {"type": "message_start", "message": {"id": "msg_1", "model": "claude-x", "usage": {}}})
    return parser


def dumps(chunks: list[Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(c.model_dump(), c.model_dump(exclude_unset=True)) for c in chunks]


@pytest.mark.parametrize("text", ["Hello", 'say "hi"\n', "é 😀", "\\"])
def test_text_delta_equals_the_constructed_chunk(text: str) -> None:
    parser = started_parser()
    feed(parser, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    got = feed(parser, {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})
    assert dumps(got) == dumps([parser._chunk(ChoiceDelta(content=text))])


def test_thinking_and_argument_deltas_equal_the_constructed_chunks() -> None:
    parser = started_parser()
    feed(parser, {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}})
    got = feed(
        parser, {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "hm"}}
    )
    assert dumps(got) == dumps([parser._chunk(ChoiceDelta(reasoning=Reasoning(content="hm")))])
    feed(
        parser,
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get", "input": {}},
        },
    )
    got = feed(
        parser,
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"a": 1}'}},
    )
    call = ChoiceDeltaToolCall(index=0, function=ChoiceDeltaToolCallFunction(arguments='{"a": 1}'))
    assert dumps(got) == dumps([parser._chunk(ChoiceDelta(tool_calls=[call]))])


def test_empty_text_delta_gives_no_chunk() -> None:
    parser = started_parser()
    assert feed(parser, {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": ""}}) == []


def test_events_json_loads_accepts_still_parse() -> None:
    """A BOM or a lone surrogate escape (rejected by pydantic-core's JSON parser) parse as with json.loads."""
    parser = started_parser()
    bom = b'\xef\xbb\xbf{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}'
    assert feed(parser, bom)[0].choices[0].delta.content == "a"
    lone = b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\\ud800"}}'
    assert feed(parser, lone)[0].choices[0].delta.content == "\ud800"
