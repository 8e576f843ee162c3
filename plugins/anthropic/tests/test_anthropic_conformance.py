"""The anthropic plugin passes the conformance kit with Messages API wire answers.

The shapes are those of ``spec/examples.json`` (Anthropic's documented messages, named-event SSE
transcripts and ``{"type": "error", ...}`` bodies), filled with the kit's canonical values.
"""

from __future__ import annotations

import json
from typing import Any

from anyllm_anthropic import AnthropicProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import (
    CITY,
    MODEL_IDS,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
    run_scenario,
)

MODEL = "claude-sonnet-4-20250514"
TOOL_ID = "toolu_01A09q90qw90lq917835lq9"
ARGS = json.dumps(TOOL_ARGS)


def message(content: list[dict[str, Any]], stop: str) -> Reply:
    return Reply.json(
        {
            "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {
                "input_tokens": USAGE[0],
                "output_tokens": USAGE[1],
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        },
        headers={"request-id": "req_011CSHoEeqs5C35K2UUqR7Fy"},
    )


def stream(blocks: list[dict[str, Any]], stop: str) -> Reply:
    """message_start, the blocks' events, message_delta (stop reason, cumulative output tokens), message_stop."""
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": MODEL,
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": USAGE[0],
                    "output_tokens": 1,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                },
            },
        },
        *blocks,
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": USAGE[1]},
        },
        {"type": "message_stop"},
    ]
    return Reply.sse([(e["type"], e) for e in events], done=False)


def error(status: int, kind: str, text: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json(
        {"type": "error", "error": {"type": kind, "message": text}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"},
        status,
        headers=headers,
    )


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
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": ARGS[i : i + 6]},
        }
        for i in range(0, len(ARGS), 6)
    ),
    {"type": "content_block_stop", "index": 0},
]
EXCHANGES: dict[str, Reply] = {
    "plain": message([{"type": "text", "text": TEXT}], "end_turn"),
    "stream": stream(TEXT_BLOCKS, "end_turn"),
    "stream_usage": stream(TEXT_BLOCKS, "end_turn"),
    "tool_call": message(
        [
            {"type": "text", "text": "I'll check the current weather in Paris for you."},
            {"type": "tool_use", "id": TOOL_ID, "name": TOOL_NAME, "input": TOOL_ARGS},
        ],
        "tool_use",
    ),
    "stream_tool_call": stream(TOOL_BLOCKS, "tool_use"),
    "tool_round_trip": message([{"type": "text", "text": TEXT}], "end_turn"),
    "structured": message([{"type": "text", "text": json.dumps(CITY)}], "end_turn"),
    "error_401": error(401, "authentication_error", "invalid x-api-key"),
    "error_429": error(
        429,
        "rate_limit_error",
        "Number of request tokens has exceeded your per-minute rate limit",
        {"retry-after": "7"},
    ),
    "error_context_length": error(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
    "error_5xx": error(529, "overloaded_error", "Overloaded"),
    # GET /v1/models: one page of ModelInfo objects with the pagination fields
    "list_models": Reply.json(
        {
            "data": [
                {"type": "model", "id": m, "display_name": m, "created_at": "2025-05-22T00:00:00Z"} for m in MODEL_IDS
            ],
            "has_more": False,
            "first_id": MODEL_IDS[0],
            "last_id": MODEL_IDS[-1],
        }
    ),
}


BATCH = {  # a message_batch (https://docs.anthropic.com/en/api/creating-message-batches)
    "id": "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF",
    "type": "message_batch",
    "processing_status": "in_progress",
    "request_counts": {"processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
    "ended_at": None,
    "created_at": "2024-09-24T18:37:24.100435Z",
    "expires_at": "2024-09-25T18:37:24.100435Z",
    "archived_at": None,
    "cancel_initiated_at": None,
    "results_url": None,
}
ENDED = {
    **BATCH,
    "processing_status": "ended",
    "request_counts": {"processing": 0, "succeeded": 1, "errored": 1, "canceled": 0, "expired": 0},
    "ended_at": "2024-09-24T19:01:02.000000Z",
    "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results",
}


def batch_results() -> Reply:
    succeeded = {
        "custom_id": "req-1",
        "result": {
            "type": "succeeded",
            "message": json.loads(message([{"type": "text", "text": TEXT}], "end_turn").chunks[0]),
        },
    }
    errored = {
        "custom_id": "req-2",
        "result": {
            "type": "errored",
            "error": {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "messages: text content blocks must be non-empty",
                },
            },
        },
    }
    return Reply.text(json.dumps(succeeded) + "\n" + json.dumps(errored) + "\n", content_type="application/binary")


class TestAnthropicConformance(ProviderConformance):
    provider_class = AnthropicProvider
    model = MODEL
    base_path = ""
    """The default base URL is https://api.anthropic.com; the provider adds ``/v1/messages``."""

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario == "batch":
            return [Reply.json(BATCH), Reply.json(ENDED), batch_results()]
        return EXCHANGES[scenario]

    def messages_exchange(self, scenario: str) -> Reply:
        """messages() is native here: the Messages-shaped answers of the completion scenarios serve it as is."""
        return EXCHANGES[scenario]

    def test_requests_go_to_the_messages_endpoint(self) -> None:
        outcome = run_scenario(
            self.provider_class,
            "tool_round_trip",
            self.replies("tool_round_trip"),
            use_async=False,
            model=self.model,
            base_path=self.base_path,
        )
        assert outcome.error is None
        assert [(r.method, r.path) for r in outcome.requests or []] == [("POST", "/v1/messages")] * 2
        assert all(r.headers["anthropic-version"] == "2023-06-01" for r in outcome.requests or [])
