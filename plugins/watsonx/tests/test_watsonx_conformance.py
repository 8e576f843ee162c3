"""The watsonx plugin passes the conformance kit with text/chat wire answers, authenticated through a
local IAM endpoint (every API request carries the exchanged bearer, never the API key)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_watsonx import WatsonxProvider

from any_llm import api, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import (
    CITY,
    KEY,
    MESSAGES,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
)
from any_llm.testing.schema import schema_errors

from .conftest import SPEC, IAMServer

MODEL = "ibm/granite-3-3-8b-instruct"
BASE = {"id": "chatcmpl-5a6b7c8d-wx", "model_id": MODEL, "created": 1700000000, "model_version": "3.3.0"}
USAGE_JSON = {"prompt_tokens": USAGE[0], "completion_tokens": USAGE[1], "total_tokens": sum(USAGE)}
CALL = {
    "id": "chatcmpl-tool-7e1f",
    "type": "function",
    "function": {"name": TOOL_NAME, "arguments": json.dumps(TOOL_ARGS)},
}


def answer(message: dict[str, Any], finish: str) -> Reply:
    body = {
        **BASE,
        "created_at": "2024-11-14T22:13:20.000Z",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": USAGE_JSON,
        "system": {"warnings": [{"message": "This model is a Non-IBM Product", "id": "disclaimer_warning"}]},
    }
    assert not schema_errors(SPEC, "TextChatResponse", body), schema_errors(SPEC, "TextChatResponse", body)
    return Reply.json(body)


def item(delta: dict[str, Any], finish: str | None = None, usage: bool = False) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {**BASE, "model": MODEL, "choices": [{"index": 0, "finish_reason": finish, "delta": delta}]}
    if usage:
        body["usage"] = USAGE_JSON
    assert not schema_errors(SPEC, "TextChatStreamItem", body), schema_errors(SPEC, "TextChatStreamItem", body)
    return ("message", body)


def stream(items: list[tuple[str, dict[str, Any]]]) -> Reply:
    frames = [
        f"id: {i}\nevent: {name}\ndata: {json.dumps(data)}\n\n".encode() for i, (name, data) in enumerate(items, 1)
    ]
    return Reply(200, {"content-type": "text/event-stream"}, frames)


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    body = {
        "errors": [{"code": code, "message": message, "more_info": "https://cloud.ibm.com/apidocs/watsonx-ai"}],
        "trace": "3f9b0c2e7d1a4b5c8e6f0a1b2c3d4e5f",
        "status_code": status,
    }
    assert not schema_errors(SPEC, "ErrorResponse", body)
    return Reply.json(body, status=status, headers=headers)


WORDS = ["The", " capital", " of", " France", " is", " Paris", "."]
TEXT_STREAM = [
    item({"role": "assistant", "content": ""}),
    *[item({"content": w}) for w in WORDS],
    item({}, "stop", usage=True),
]
ARGS = json.dumps(TOOL_ARGS)
TOOL_STREAM = [
    item(
        {
            "role": "assistant",
            "tool_calls": [
                {"index": 0, "id": CALL["id"], "type": "function", "function": {"name": TOOL_NAME, "arguments": ""}}
            ],
        }
    ),
    *[item({"tool_calls": [{"index": 0, "function": {"arguments": ARGS[i : i + 6]}}]}) for i in range(0, len(ARGS), 6)],
    item({}, "tool_calls", usage=True),
]
UNAUTHORIZED = error(401, "authentication_token_not_valid", "Failed to authenticate the request due to invalid token")

EXCHANGES: dict[str, Reply | list[Reply]] = {
    "plain": answer({"content": TEXT}, "stop"),
    "stream": stream(TEXT_STREAM),
    "stream_usage": stream(TEXT_STREAM),
    "tool_call": answer({"tool_calls": [CALL]}, "tool_calls"),
    "stream_tool_call": stream(TOOL_STREAM),
    "tool_round_trip": answer({"content": TEXT}, "stop"),
    "structured": answer({"content": json.dumps(CITY)}, "stop"),
    # a 401 makes core refresh the token and resend once: the second 401 is the caller's error
    "error_401": [UNAUTHORIZED, UNAUTHORIZED],
    "error_429": error(429, "rate_limit_reached", "Rate limit reached for requests", {"retry-after": "7"}),
    "error_context_length": error(
        400,
        "invalid_input_argument",
        "Invalid input argument for Model 'ibm/granite-3-3-8b-instruct': the number of input tokens 9000 "
        "cannot exceed the total tokens limit 8192 for this model",
    ),
    "error_5xx": error(500, "internal_server_error", "Internal server error"),
}


@pytest.mark.usefixtures("iam")
class TestWatsonxConformance(ProviderConformance):
    provider_class = WatsonxProvider
    model = MODEL
    request_schema = (SPEC, "TextChatRequest")

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return EXCHANGES[scenario]

    def test_key_and_base_url_from_env(self, iam: IAMServer) -> None:  # type: ignore[override]
        """The kit's check, for a key that is exchanged: WATSONX_API_KEY reaches IAM only, and the API
        gets IAM's bearer at the base URL from WATSONX_SERVICE_URL."""
        with plugins.registered(WatsonxProvider), MockServer() as server, pytest.MonkeyPatch.context() as mp:
            server.queue(EXCHANGES["plain"])  # type: ignore[arg-type]
            mp.setenv("WATSONX_API_KEY", KEY)
            mp.setenv("WATSONX_SERVICE_URL", server.url)
            api.close_clients("watsonx")
            try:
                out: Any = api.completion(model=MODEL, provider="watsonx", messages=MESSAGES)
            finally:
                api.close_clients("watsonx")
        assert out.choices[0].message.content == TEXT
        (request,) = server.requests
        assert request.path.startswith("/ml/v1/text/chat?version=")
        assert request.headers["authorization"] == f"Bearer {iam.issued[-1]}"
        assert not any(KEY in v for v in request.headers.values()) and KEY not in request.body.decode()
