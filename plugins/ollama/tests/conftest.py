"""Shared fixtures: documented Ollama responses (docs/api.md), the trimmed spec check, client cleanup."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from any_llm.api import close_clients
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "ollama-api.json"

# Message fields Ollama's Go types accept beyond the OpenAPI file (docs/api.md lists them too).
_EXTRA_MESSAGE_FIELDS = {"thinking", "tool_name", "tool_call_id"}
# ChatRequest fields of Ollama's Go types (api/types.go) that the OpenAPI file leaves out.
_EXTRA_REQUEST_FIELDS = {"truncate", "shift"}

# -- documented responses, from ollama/ollama docs/api.md "Generate a chat completion" ------------------

NO_STREAM = {
    "model": "llama3.2",
    "created_at": "2023-12-12T14:13:43.416799Z",
    "message": {"role": "assistant", "content": "Hello! How are you today?"},
    "done": True,
    "total_duration": 5191566416,
    "load_duration": 2154458,
    "prompt_eval_count": 26,
    "prompt_eval_duration": 383809000,
    "eval_count": 298,
    "eval_duration": 4799921000,
}

TOOLS_NO_STREAM = {
    "model": "llama3.2",
    "created_at": "2024-07-22T20:33:28.123648Z",
    "message": {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"function": {"name": "get_current_weather", "arguments": {"format": "celsius", "location": "Paris, FR"}}}
        ],
    },
    "done_reason": "stop",
    "done": True,
    "total_duration": 885095291,
    "load_duration": 3753500,
    "prompt_eval_count": 122,
    "prompt_eval_duration": 328493000,
    "eval_count": 33,
    "eval_duration": 552222000,
}

STRUCTURED = {
    "model": "llama3.1",
    "created_at": "2024-12-06T00:46:58.265747Z",
    "message": {"role": "assistant", "content": '{"age": 22, "available": false}'},
    "done_reason": "stop",
    "done": True,
    "total_duration": 2254970291,
    "load_duration": 574751416,
    "prompt_eval_count": 34,
    "prompt_eval_duration": 1502000000,
    "eval_count": 12,
    "eval_duration": 175000000,
}

HISTORY_TOOLS = {
    "model": "llama3.2",
    "created_at": "2025-07-07T20:43:37.688511Z",
    "message": {"role": "assistant", "content": "The current temperature in Toronto is 11°C."},
    "done_reason": "stop",
    "done": True,
    "total_duration": 890771750,
    "load_duration": 707634750,
    "prompt_eval_count": 94,
    "prompt_eval_duration": 91703208,
    "eval_count": 11,
    "eval_duration": 90282125,
}

STREAM = [
    {
        "model": "llama3.2",
        "created_at": "2023-08-04T08:52:19.385406455-07:00",
        "message": {"role": "assistant", "content": "The", "images": None},
        "done": False,
    },
    {
        "model": "llama3.2",
        "created_at": "2023-08-04T08:52:19.385406455-07:00",
        "message": {"role": "assistant", "content": " sky", "images": None},
        "done": False,
    },
    {
        "model": "llama3.2",
        "created_at": "2023-08-04T19:22:45.499127Z",
        "message": {"role": "assistant", "content": ""},
        "done": True,
        "total_duration": 4883583458,
        "load_duration": 1334875,
        "prompt_eval_count": 26,
        "prompt_eval_duration": 342546000,
        "eval_count": 282,
        "eval_duration": 4535599000,
    },
]

STREAM_TOOLS = [
    {
        "model": "llama3.2",
        "created_at": "2025-07-07T20:22:19.184789Z",
        "message": {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}}],
        },
        "done": False,
    },
    {
        "model": "llama3.2",
        "created_at": "2025-07-07T20:22:19.19314Z",
        "message": {"role": "assistant", "content": ""},
        "done_reason": "stop",
        "done": True,
        "total_duration": 182242375,
        "load_duration": 41295167,
        "prompt_eval_count": 169,
        "prompt_eval_duration": 24573166,
        "eval_count": 15,
        "eval_duration": 115959084,
    },
]

EMBED = {
    "model": "embeddinggemma",
    "embeddings": [
        [
            0.010071029,
            -0.0017594862,
            0.05007221,
            0.04692972,
            0.054916814,
            0.008599704,
            0.105441414,
            -0.025878139,
            0.12958129,
            0.031952348,
        ]
    ],
    "total_duration": 14143917,
    "load_duration": 1019500,
    "prompt_eval_count": 8,
}

TAGS = {
    "models": [
        {
            "name": "gemma4",
            "model": "gemma4",
            "modified_at": "2025-10-03T23:34:03.409490317-07:00",
            "size": 9608350245,
            "digest": "c6eb396dbd5992bbe3f5cdb947e8bbc0ee413d7c17e2beaae69f5d569cf982eb",
            "details": {
                "format": "gguf",
                "family": "gemma4",
                "families": ["gemma4"],
                "parameter_size": "8.0B",
                "quantization_level": "Q4_K_M",
            },
        }
    ]
}


@functools.cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(SPEC.read_text())["components"]["schemas"]
    return schemas


@pytest.fixture
def docs() -> SimpleNamespace:
    """Deep copies of the documented payloads (tests may change them)."""
    names = ("NO_STREAM", "TOOLS_NO_STREAM", "STRUCTURED", "HISTORY_TOOLS", "STREAM", "STREAM_TOOLS", "EMBED", "TAGS")
    return SimpleNamespace(**{name: copy.deepcopy(globals()[name]) for name in names})


def request_errors(body: dict[str, Any], schema: str = "ChatRequest") -> list[str]:
    """Spec errors plus any field the spec (or Ollama's Go types, for messages) does not define."""
    problems = schema_errors(SPEC, schema, body)
    schemas = _schemas()
    unknown = set(body) - set(schemas[schema]["properties"]) - _EXTRA_REQUEST_FIELDS
    problems += [f"<root>: unknown field {name!r}" for name in sorted(unknown)]
    if schema == "ChatRequest":
        allowed = set(schemas["ChatMessage"]["properties"]) | _EXTRA_MESSAGE_FIELDS
        for i, message in enumerate(body.get("messages", [])):
            problems += [f"messages/{i}: unknown field {name!r}" for name in sorted(set(message) - allowed)]
    return problems


@pytest.fixture
def check_request() -> Callable[..., list[str]]:
    return request_errors


@pytest.fixture(autouse=True)
def _close_pooled_clients() -> Iterator[None]:
    """Pooled clients keep sockets; close them so no ResourceWarning leaks into the next test."""
    yield
    close_clients()
