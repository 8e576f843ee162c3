"""The ollama plugin passes the core conformance kit, with answers in Ollama's native wire format.

The shapes are those of ``conftest.py`` (the responses documented in Ollama's ``docs/api.md``):
``/api/chat`` objects, NDJSON streams ending with a ``done: true`` line, ``{"error": "..."}`` bodies,
``/api/embed`` and ``/api/tags``; filled with the kit's canonical values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_ollama import OllamaProvider

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
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "ollama-api.json"
MODEL = "llama3.2"
CREATED = "2025-07-07T20:22:19.184789Z"
FINAL = {
    "done_reason": "stop",
    "done": True,
    "total_duration": 885095291,
    "load_duration": 3753500,
    "prompt_eval_count": USAGE[0],
    "prompt_eval_duration": 328493000,
    "eval_count": USAGE[1],
    "eval_duration": 552222000,
}
"""The fields of the last object of every answer: why it stopped, timings and the token counts."""


def line(done: bool = False, content: str = "", **message: Any) -> dict[str, Any]:
    """One ``/api/chat`` object (a whole answer, or one NDJSON line of a stream)."""
    out: dict[str, Any] = {
        "model": MODEL,
        "created_at": CREATED,
        "message": {"role": "assistant", "content": content, **message},
    }
    return {**out, **FINAL} if done else {**out, "done": False}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"error": message}, status, headers=headers)


WORDS = ["The capital", " of France", " is Paris."]
assert "".join(WORDS) == TEXT
# Ollama sends each tool call whole, with its arguments as a JSON object; done_reason stays "stop".
CALLS = [{"function": {"name": TOOL_NAME, "arguments": TOOL_ARGS}}]
TEXT_STREAM = [*(line(content=w) for w in WORDS), line(done=True)]

EXCHANGES: dict[str, Reply] = {
    "plain": Reply.json(line(done=True, content=TEXT)),
    "stream": Reply.ndjson(TEXT_STREAM),
    "stream_usage": Reply.ndjson(TEXT_STREAM),
    "tool_call": Reply.json(line(done=True, tool_calls=CALLS)),
    "stream_tool_call": Reply.ndjson([line(tool_calls=CALLS), line(done=True)]),
    "tool_round_trip": Reply.json(line(done=True, content=TEXT)),
    "structured": Reply.json(line(done=True, content=json.dumps(CITY))),
    "error_401": error(401, "unauthorized"),
    "error_429": error(429, "too many requests", {"retry-after": str(int(RETRY_AFTER))}),
    "error_context_length": error(400, "the input length exceeds the context length"),
    "error_5xx": error(500, "llama runner process has terminated: signal: killed"),
    "embedding": Reply.json(
        {
            "model": "embeddinggemma",
            "embeddings": EMBEDDINGS,
            "total_duration": 14143917,
            "load_duration": 1019500,
            "prompt_eval_count": 2,
        }
    ),
    "list_models": Reply.json(
        {
            "models": [
                {
                    "name": m,
                    "model": m,
                    "modified_at": "2025-10-03T23:34:03.409490317-07:00",
                    "size": 9608350245,
                    "digest": "c6eb396dbd5992bbe3f5cdb947e8bbc0ee413d7c17e2beaae69f5d569cf982eb",
                    "details": {
                        "format": "gguf",
                        "family": "llama",
                        "families": ["llama"],
                        "parameter_size": "3.2B",
                        "quantization_level": "Q4_K_M",
                    },
                }
                for m in MODEL_IDS
            ]
        }
    ),
}


class TestOllamaConformance(ProviderConformance):
    provider_class = OllamaProvider
    model = MODEL
    base_path = ""
    """Ollama's base URL is the server root (``http://localhost:11434``); the provider adds ``/api/...``."""
    request_schema = (SPEC, "ChatRequest")

    def exchange(self, scenario: str) -> Reply:
        return EXCHANGES[scenario]

    def test_requests_go_to_the_native_endpoints(self) -> None:
        outcome = run_scenario(
            self.provider_class, "tool_round_trip", self.replies("tool_round_trip"), use_async=False, model=self.model
        )
        assert outcome.error is None
        assert [(r.method, r.path) for r in outcome.requests or []] == [("POST", "/api/chat")] * 2
        assert all(r.json["stream"] is False for r in outcome.requests or [])


def _payloads(reply: Reply) -> list[Any]:
    """The JSON objects a recorded reply sends (one per NDJSON line)."""
    return [json.loads(line) for line in b"".join(reply.chunks).splitlines() if line.strip()]


@pytest.mark.parametrize("scenario", sorted(EXCHANGES))
def test_recorded_answers_match_the_spec(scenario: str) -> None:
    reply = EXCHANGES[scenario]
    schema = {"embedding": "EmbedResponse", "list_models": "ListResponse"}.get(scenario, "ChatResponse")
    if reply.status >= 400:
        schema = "ErrorResponse"
    elif reply.headers["content-type"] == "application/x-ndjson":
        schema = "ChatStreamEvent"
    for payload in _payloads(reply):
        assert schema_errors(SPEC, schema, payload) == []
