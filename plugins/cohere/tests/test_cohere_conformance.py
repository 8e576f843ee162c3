"""The cohere plugin passes the core conformance kit, with answers in Cohere's Chat API v2 wire format.

The shapes are those of ``conftest.py`` (Cohere's documented v2 chat responses, named-event SSE
streams ``message-start`` … ``message-end``, ``{"id": ..., "message": ...}`` error bodies, ``/v2/embed``
and ``/v1/models``), filled with the kit's canonical values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_cohere import CohereProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import (
    CITY,
    EMBEDDINGS,
    MODEL_IDS,
    RETRY_AFTER,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
    run_scenario,
)
from any_llm.testing.families import RERANK_ORDER, RERANK_SCORES
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "cohere-v2.json"
MODEL = "command-a-03-2025"
CALL_ID = "get_weather_1byjy32y4hvq"
ARGS = json.dumps(TOOL_ARGS)
# ``tokens`` are the counts the model saw (what usage reports); ``billed_units`` leave out Cohere's preamble.
USAGE_V2 = {
    "billed_units": {"input_tokens": 5, "output_tokens": USAGE[1]},
    "tokens": {"input_tokens": USAGE[0], "output_tokens": USAGE[1]},
}


def chat(message: dict[str, Any], finish: str) -> Reply:
    return Reply.json(
        {
            "id": "c14c80c3-18eb-4519-9460-6c92edd8cfb4",
            "finish_reason": finish,
            "message": {"role": "assistant", **message},
            "usage": USAGE_V2,
        }
    )


def text(value: str) -> Reply:
    return chat({"content": [{"type": "text", "text": value}]}, "COMPLETE")


def event(kind: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    """A named SSE event whose data repeats its name in ``type``, as Cohere sends them."""
    return kind, {"type": kind, **fields}


def stream(*events: tuple[str, dict[str, Any]], finish: str) -> Reply:
    """message-start, the events, message-end (finish reason and usage); no ``[DONE]`` sentinel."""
    start = event(
        "message-start",
        id="29f14a5a-11de-4cae-9800-25e4747408ea",
        delta={"message": {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}},
    )
    end = event("message-end", delta={"finish_reason": finish, "usage": USAGE_V2})
    return Reply.sse([start, *events, end], done=False)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"id": "0f3b6f2a-6c1e-4d5e-9b0a-1f2e3d4c5b6a", "message": message}, status, headers=headers)


WORDS = ["The capital", " of France", " is Paris."]
assert "".join(WORDS) == TEXT
TEXT_EVENTS = [
    event("content-start", index=0, delta={"message": {"content": {"type": "text", "text": ""}}}),
    *(event("content-delta", index=0, delta={"message": {"content": {"text": w}}}) for w in WORDS),
    event("content-end", index=0),
]
# A forced tool call (tool_choice REQUIRED) streams the call alone, its arguments in pieces.
TOOL_EVENTS = [
    event(
        "tool-call-start",
        index=0,
        delta={
            "message": {
                "tool_calls": {"id": CALL_ID, "type": "function", "function": {"name": TOOL_NAME, "arguments": ""}}
            }
        },
    ),
    *(
        event(
            "tool-call-delta", index=0, delta={"message": {"tool_calls": {"function": {"arguments": ARGS[i : i + 6]}}}}
        )
        for i in range(0, len(ARGS), 6)
    ),
    event("tool-call-end", index=0),
]

EXCHANGES: dict[str, Reply] = {
    "plain": text(TEXT),
    "stream": stream(*TEXT_EVENTS, finish="COMPLETE"),
    "stream_usage": stream(*TEXT_EVENTS, finish="COMPLETE"),
    "tool_call": chat(
        {
            "tool_plan": "I will look up the weather in Paris.",
            "tool_calls": [{"id": CALL_ID, "type": "function", "function": {"name": TOOL_NAME, "arguments": ARGS}}],
        },
        "TOOL_CALL",
    ),
    "stream_tool_call": stream(*TOOL_EVENTS, finish="TOOL_CALL"),
    "tool_round_trip": text(TEXT),
    "structured": text(json.dumps(CITY)),
    "error_401": error(401, "invalid api token"),
    "error_429": error(
        429,
        "You are using a Trial key, which is limited to 20 API calls / minute.",
        {"retry-after": str(int(RETRY_AFTER))},
    ),
    "error_context_length": error(
        400,
        "too many tokens: total number of tokens in the prompt cannot exceed "
        "128000 - received 200000. Try using a shorter prompt",
    ),
    "error_5xx": error(500, "internal server error, this has been reported to our developers"),
    "embedding": Reply.json(
        {
            "id": "da6e531f-54c6-4a73-bf92-f60566d8d753",
            "response_type": "embeddings_by_type",
            "embeddings": {"float": EMBEDDINGS},
            "texts": ["a", "b"],
            "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 2}},
        }
    ),
    "list_models": Reply.json(
        {
            "models": [
                {"name": m, "endpoints": ["chat"], "finetuned": False, "context_length": 256000, "features": ["tools"]}
                for m in MODEL_IDS
            ],
            "next_page_token": "",
        }
    ),
}


class TestCohereConformance(ProviderConformance):
    provider_class = CohereProvider
    model = MODEL
    base_path = ""
    """The default base URL is https://api.cohere.com; the provider adds ``/v2/chat``, ``/v2/embed``, ``/v1/models``."""
    request_schema = (SPEC, "ChatRequest")

    def exchange(self, scenario: str) -> Reply:
        if scenario == "rerank":  # https://docs.cohere.com/reference/rerank (v2), canonical values
            return Reply.json(
                {
                    "id": "07734bd2-2473-4f07-94e1-0d9f0e6843cf",
                    "results": [{"index": i, "relevance_score": s} for i, s in zip(RERANK_ORDER, RERANK_SCORES)],
                    "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}},
                }
            )
        return EXCHANGES[scenario]

    def test_requests_go_to_the_v2_endpoints(self) -> None:
        outcome = run_scenario(
            self.provider_class, "tool_round_trip", self.replies("tool_round_trip"), use_async=False, model=self.model
        )
        assert outcome.error is None
        assert [(r.method, r.path) for r in outcome.requests or []] == [("POST", "/v2/chat")] * 2
        assert all(r.headers["authorization"].startswith("Bearer ") for r in outcome.requests or [])


def _payloads(reply: Reply) -> list[Any]:
    """The JSON objects a recorded reply sends (the ``data:`` of each SSE event)."""
    raw = b"".join(reply.chunks).decode()
    if reply.headers["content-type"] != "text/event-stream":
        return [json.loads(raw)]
    return [json.loads(line[len("data: ") :]) for line in raw.splitlines() if line.startswith("data: ")]


@pytest.mark.parametrize("scenario", sorted(s for s in EXCHANGES if EXCHANGES[s].status < 400))
def test_recorded_answers_match_the_spec(scenario: str) -> None:
    reply = EXCHANGES[scenario]
    schema = {"embedding": "EmbedResponse", "list_models": "ListModelsResponse"}.get(scenario, "ChatResponse")
    if reply.headers["content-type"] == "text/event-stream":
        schema = "StreamEvent"
    for payload in _payloads(reply):
        assert schema_errors(SPEC, schema, payload) == []
