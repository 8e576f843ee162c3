"""LM Studio through the real HTTP stack: the core's conformance kit (seed examples sync/async, streaming,
tools, structured output, usage, typed errors with LM Studio's string error bodies, env vars, embeddings,
models), plus what is LM Studio's own: json_object goes out as a json_schema, the empty id/name it
repeats in streamed tool calls are dropped, and its string error bodies map to typed errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from anyllm_lmstudio import LmstudioProvider

from any_llm import completion, errors
from any_llm.testing.conformance import (
    CITY,
    OpenAICompatibleConformance,
    chunk_json,
    completion_json,
    get_weather,
    openai_exchanges,
    run_scenario,
)
from any_llm.testing.server import MockServer, Reply

CONTEXT_ERROR = {
    "error": "Trying to keep the first 9000 tokens when context the overflows. However, the model is "
    "loaded with context length of only 4096 tokens"
}


class TestLmstudioConformance(OpenAICompatibleConformance):
    provider_class = LmstudioProvider

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        # LM Studio's error is a bare string: {"error": "..."}
        if scenario == "error_context_length":
            return Reply.json(CONTEXT_ERROR, 400)
        return openai_exchanges()[scenario]


def common(server: MockServer) -> dict[str, Any]:
    return {
        "provider": "lmstudio",
        "model": "qwen2.5-7b-instruct",
        "api_base": server.url + "/v1",
        "api_key": "test-key-123456",
    }


def test_structured_output_is_sent_as_json_schema() -> None:
    # the kit's structured scenario (its CityInfo model); the kit also checks this body against the spec
    outcome = run_scenario(
        LmstudioProvider, "structured", [openai_exchanges()["structured"]], use_async=False, base_path="/v1"
    )
    body = (outcome.requests or [])[0].json
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["name", "country", "population"]


def test_json_object_is_sent_as_a_json_schema(
    mock_server: MockServer, openai_spec_errors: Callable[..., list[str]]
) -> None:
    # LM Studio answers 400 "'response_format.type' must be 'json_schema' or 'text'" to json_object
    mock_server.queue(Reply.json(completion_json({"content": json.dumps(CITY)})))
    response = completion(
        messages=[{"role": "user", "content": "Paris as JSON"}],
        response_format={"type": "json_object"},
        **common(mock_server),
    )
    assert json.loads(response.choices[0].message.content) == CITY
    sent = mock_server.requests[0].json
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "json_object", "schema": {"type": "object"}},
    }
    assert openai_spec_errors("CreateChatCompletionRequest", sent) == []


def test_streamed_tool_call_with_empty_names(mock_server: MockServer) -> None:
    # LM Studio repeats "name": "" in the chunks after the first one
    def call(**fields: Any) -> dict[str, Any]:
        return {"tool_calls": [{"index": 0, "type": "function", **fields}]}

    mock_server.queue(
        Reply.sse(
            [
                chunk_json(
                    {"role": "assistant", **call(id="813569", function={"name": "get_weather", "arguments": ""})}
                ),
                chunk_json(call(function={"name": "", "arguments": '{"location"'})),
                chunk_json(call(id="", function={"name": "", "arguments": ': "Paris"}'})),
                chunk_json({}, "tool_calls"),
            ]
        )
    )
    chunks = list(
        completion(
            messages=[{"role": "user", "content": "Weather in Paris?"}],
            tools=[get_weather],
            stream=True,
            **common(mock_server),
        )
    )
    calls = [c for ch in chunks for c in ch.choices[0].delta.tool_calls or ()]
    assert [c.function.name for c in calls] == ["get_weather", None, None]
    assert [c.id for c in calls] == ["813569", None, None]
    assert json.loads("".join(c.function.arguments or "" for c in calls)) == {"location": "Paris"}


def test_string_error_bodies(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"error": "Model unloaded: qwen2.5-7b-instruct"}, 404), Reply.json(CONTEXT_ERROR, 400))
    kw = {**common(mock_server), "client_args": {"max_retries": 0}}
    with pytest.raises(errors.ModelNotFoundError, match="Model unloaded"):
        completion(messages=[{"role": "user", "content": "hi"}], **kw)
    with pytest.raises(errors.ContextLengthExceededError, match="context length of only 4096"):
        completion(messages=[{"role": "user", "content": "hi"}], **kw)
