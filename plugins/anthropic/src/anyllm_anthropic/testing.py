"""Messages API wire answers for the conformance kit's scenarios, filled with the kit's canonical values.

For tests of this plugin and of every plugin that serves Claude through another door with the same
wire format (``anyllm-vertexaianthropic``, ``anyllm-azureanthropic``, a third party's gateway): each
passes its own 401/429 bodies where its platform answers those itself. Shapes follow Anthropic's
documented messages, named-event SSE transcripts and ``{"type": "error", ...}`` bodies.
Test-only: the provider never imports it.
"""

from __future__ import annotations

import json
from typing import Any

from any_llm.testing.conformance import CITY, TEXT, TOOL_ARGS, TOOL_NAME, USAGE
from any_llm.testing.server import Reply

__all__ = [
    "TEXT_BLOCKS",
    "TOOL_BLOCKS",
    "TOOL_ID",
    "error_reply",
    "message_reply",
    "messages_exchanges",
    "stream_reply",
]

MODEL = "claude-sonnet-4-20250514"
TOOL_ID = "toolu_01A09q90qw90lq917835lq9"
REQUEST_ID = "req_011CSHoEeqs5C35K2UUqR7Fy"
_ARGS = json.dumps(TOOL_ARGS)


def _usage(output: int) -> dict[str, int]:
    return {
        "input_tokens": USAGE[0],
        "output_tokens": output,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def message_reply(content: list[dict[str, Any]], stop: str, *, model: str = MODEL) -> Reply:
    """A whole ``message`` answer."""
    body = {
        "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": _usage(USAGE[1]),
    }
    return Reply.json(body, headers={"request-id": REQUEST_ID})


def stream_reply(blocks: list[dict[str, Any]], stop: str, *, model: str = MODEL) -> Reply:
    """message_start, the blocks' events, message_delta (stop reason, cumulative output tokens), message_stop."""
    start: dict[str, Any] = {
        "id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(1),
    }
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": start},
        *blocks,
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": USAGE[1]},
        },
        {"type": "message_stop"},
    ]
    return Reply.sse([(e["type"], e) for e in events], done=False)


def error_reply(status: int, kind: str, text: str, headers: dict[str, str] | None = None) -> Reply:
    """Anthropic's error body."""
    body = {"type": "error", "error": {"type": kind, "message": text}, "request_id": REQUEST_ID}
    return Reply.json(body, status, headers=headers)


WORDS = ["The capital", " of France", " is Paris", "."]
TEXT_BLOCKS: list[dict[str, Any]] = [
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "ping"},
    *({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}} for w in WORDS),
    {"type": "content_block_stop", "index": 0},
]
# A forced tool_choice makes Claude answer with the tool_use block alone, its input streamed as JSON pieces.
TOOL_BLOCKS: list[dict[str, Any]] = [
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": TOOL_ID, "name": TOOL_NAME, "input": {}},
    },
    {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": ""}},
    *(
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": piece}}
        for piece in (_ARGS[i : i + 6] for i in range(0, len(_ARGS), 6))
    ),
    {"type": "content_block_stop", "index": 0},
]


def messages_exchanges(
    *, model: str = MODEL, error_401: Reply | None = None, error_429: Reply | None = None
) -> dict[str, Reply]:
    """The kit's chat scenarios answered in the Messages wire format (``error_401`` / ``error_429``: the
    platform's own answers where it, not Claude, refuses a token or a quota)."""
    return {
        "plain": message_reply([{"type": "text", "text": TEXT}], "end_turn", model=model),
        "stream": stream_reply(TEXT_BLOCKS, "end_turn", model=model),
        "stream_usage": stream_reply(TEXT_BLOCKS, "end_turn", model=model),
        "tool_call": message_reply(
            [
                {"type": "text", "text": "I'll check the current weather in Paris for you."},
                {"type": "tool_use", "id": TOOL_ID, "name": TOOL_NAME, "input": TOOL_ARGS},
            ],
            "tool_use",
            model=model,
        ),
        "stream_tool_call": stream_reply(TOOL_BLOCKS, "tool_use", model=model),
        "tool_round_trip": message_reply([{"type": "text", "text": TEXT}], "end_turn", model=model),
        "structured": message_reply([{"type": "text", "text": json.dumps(CITY)}], "end_turn", model=model),
        "error_401": error_401 or error_reply(401, "authentication_error", "invalid x-api-key"),
        "error_429": error_429
        or error_reply(
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
            {"retry-after": "7"},
        ),
        "error_context_length": error_reply(
            400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"
        ),
        "error_5xx": error_reply(529, "overloaded_error", "Overloaded"),
    }
