"""Shared fixtures: Cohere v2 payloads shaped like the documented examples, the schema check, cleanup.

Shapes follow https://docs.cohere.com/reference/chat, https://docs.cohere.com/docs/streaming and
https://docs.cohere.com/docs/tool-use-streaming (example ids and texts are ours).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from any_llm.api import close_clients
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "cohere-v2.json"

USAGE = {"billed_units": {"input_tokens": 9, "output_tokens": 12}, "tokens": {"input_tokens": 215, "output_tokens": 12}}

CHAT = {
    "id": "c14c80c3-18eb-4519-9460-6c92edd8cfb4",
    "finish_reason": "COMPLETE",
    "message": {"role": "assistant", "content": [{"type": "text", "text": "The capital of France is Paris."}]},
    "usage": USAGE,
}

TOOL_CALL = {
    "id": "9e9a1b4c-2f0e-4c8e-a0a3-0c3a5c7c8f11",
    "finish_reason": "TOOL_CALL",
    "message": {
        "role": "assistant",
        "tool_plan": "I will look up the weather in Paris.",
        "tool_calls": [
            {
                "id": "get_weather_1byjy32y4hvq",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
            }
        ],
    },
    "usage": {
        "billed_units": {"input_tokens": 37, "output_tokens": 28},
        "tokens": {"input_tokens": 1080, "output_tokens": 61},
    },
}

THINKING = {
    "id": "4b2d3b58-4c5e-4e1f-9f2f-7a2d0a6d2e10",
    "finish_reason": "COMPLETE",
    "message": {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "Alice's brothers have Alice plus her 2 sisters."},
            {"type": "text", "text": "Each brother has 3 sisters."},
        ],
    },
    "usage": {
        "billed_units": {"input_tokens": 30, "output_tokens": 120},
        "tokens": {"input_tokens": 540, "output_tokens": 120},
        "cached_tokens": 512,
    },
}


def _start(msg_id: str) -> tuple[str, dict[str, Any]]:
    return (
        "message-start",
        {
            "type": "message-start",
            "id": msg_id,
            "delta": {
                "message": {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
            },
        },
    )


def _end(reason: str, usage: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return ("message-end", {"type": "message-end", "delta": {"finish_reason": reason, "usage": usage}})


def _text(kind: str, piece: str) -> tuple[str, dict[str, Any]]:
    content: dict[str, Any] = {kind: piece}
    return ("content-delta", {"type": "content-delta", "index": 0, "delta": {"message": {"content": content}}})


STREAM = [
    _start("29f14a5a-11de-4cae-9800-25e4747408ea"),
    (
        "content-start",
        {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
    ),
    _text("text", "Once"),
    _text("text", " upon"),
    _text("text", " a"),
    _text("text", " time."),
    ("content-end", {"type": "content-end", "index": 0}),
    _end(
        "COMPLETE",
        {"billed_units": {"input_tokens": 6, "output_tokens": 4}, "tokens": {"input_tokens": 202, "output_tokens": 4}},
    ),
]


def _call_start(index: int, call_id: str, name: str) -> tuple[str, dict[str, Any]]:
    return (
        "tool-call-start",
        {
            "type": "tool-call-start",
            "index": index,
            "delta": {
                "message": {
                    "tool_calls": {"id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
                }
            },
        },
    )


def _call_delta(index: int, piece: str) -> tuple[str, dict[str, Any]]:
    return (
        "tool-call-delta",
        {
            "type": "tool-call-delta",
            "index": index,
            "delta": {"message": {"tool_calls": {"function": {"arguments": piece}}}},
        },
    )


def _plan(piece: str) -> tuple[str, dict[str, Any]]:
    return ("tool-plan-delta", {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": piece}}})


STREAM_TOOLS = [
    _start("fba98ad3-e5a1-413c-a8de-84fbf9baabf7"),
    _plan("I"),
    _plan(" will"),
    _plan(" search for the weather in Madrid and Brasilia."),
    _call_start(0, "get_weather_p0dage9q1nv4", "get_weather"),
    _call_delta(0, '{\n    "'),
    _call_delta(0, "location"),
    _call_delta(0, '":'),
    _call_delta(0, ' "Madrid"'),
    _call_delta(0, "\n}"),
    ("tool-call-end", {"type": "tool-call-end", "index": 0}),
    _call_start(1, "get_weather_ay6nmvjgp9vn", "get_weather"),
    _call_delta(1, '{\n    "location": "Brasilia"\n}'),
    ("tool-call-end", {"type": "tool-call-end", "index": 1}),
    _end(
        "TOOL_CALL",
        {
            "billed_units": {"input_tokens": 37, "output_tokens": 28},
            "tokens": {"input_tokens": 913, "output_tokens": 83},
        },
    ),
]

STREAM_THINKING = [
    _start("b7a4f0c0-0d7e-4c85-9a5e-41d8b2c1e6a2"),
    (
        "content-start",
        {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "thinking", "thinking": ""}}}},
    ),
    _text("thinking", "Two "),
    _text("thinking", "plus two."),
    ("content-end", {"type": "content-end", "index": 0}),
    (
        "content-start",
        {"type": "content-start", "index": 1, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
    ),
    ("content-delta", {"type": "content-delta", "index": 1, "delta": {"message": {"content": {"text": "4"}}}}),
    ("content-end", {"type": "content-end", "index": 1}),
    _end("COMPLETE", {"tokens": {"input_tokens": 10, "output_tokens": 7}}),
]

EMBED = {
    "id": "da6e531f-54c6-4a73-bf92-f60566d8d753",
    "response_type": "embeddings_by_type",
    "embeddings": {"float": [[0.016296387, -0.008354187, -0.04699707], [-0.0140686035, 0.027145386, 0.011238098]]},
    "texts": ["hello", "goodbye"],
    "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 2}},
}

MODELS = {
    "models": [
        {
            "name": "command-a-03-2025",
            "endpoints": ["chat"],
            "finetuned": False,
            "context_length": 256000,
            "tokenizer_url": "https://storage.googleapis.com/cohere-public/tokenizers/command-a-03-2025.json",
            "default_endpoints": [],
            "features": ["tools", "json_mode", "json_schema"],
        },
        {"name": "embed-v4.0", "endpoints": ["embed"], "finetuned": False, "context_length": 128000},
    ],
    "next_page_token": "",
}


@pytest.fixture
def docs() -> SimpleNamespace:
    """Deep copies of the documented-shape payloads (tests may change them)."""
    names = ("CHAT", "TOOL_CALL", "THINKING", "STREAM", "STREAM_TOOLS", "STREAM_THINKING", "EMBED", "MODELS")
    return SimpleNamespace(**{name: copy.deepcopy(globals()[name]) for name in names})


@pytest.fixture
def check() -> Any:
    """``check(instance, "SchemaName")`` → the list of schema errors (empty when valid)."""

    def run(instance: Any, schema: str = "ChatRequest") -> list[str]:
        return schema_errors(SPEC, schema, instance)

    return run


@pytest.fixture(autouse=True)
def _close_pooled_clients() -> Iterator[None]:
    """Pooled clients keep sockets; close them so no ResourceWarning leaks into the next test."""
    yield
    close_clients()
