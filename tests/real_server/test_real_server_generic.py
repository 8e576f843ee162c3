"""The generic path, ``AnyLLM.create_openai_compatible`` (no plugin), against the real server: what works
as is, and where the llamacpp plugin's translations are needed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from any_llm import AnyLLM, errors
from any_llm.types.completion import ChatCompletion

pytestmark = pytest.mark.real_server

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
NAMED = {"type": "function", "function": {"name": "get_weather"}}
ASK_WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture
def client(base_url: str) -> Iterator[AnyLLM]:
    with AnyLLM.create_openai_compatible("local", api_base=base_url, max_retries=0) as llm:
        yield llm


@pytest.fixture
def model(server_info: dict[str, Any]) -> str:
    return str(server_info["model"])


def test_plain_and_stream(client: AnyLLM, model: str) -> None:
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    response = client.completion(model, messages, max_tokens=16, temperature=0)
    assert isinstance(response, ChatCompletion) and response.choices[0].message.content
    assert response.usage is not None and response.usage.total_tokens > 0
    text = "".join(
        c.choices[0].delta.content or ""
        for c in client.completion(model, messages, max_tokens=16, temperature=0, stream=True)
        if c.choices
    )
    assert text.strip()


def test_named_tool_call_streamed_and_round_trip(client: AnyLLM, model: str) -> None:
    names, arguments = [], ""
    for chunk in client.completion(
        model, ASK_WEATHER, tools=[WEATHER_TOOL], tool_choice=NAMED, max_tokens=48, temperature=0, stream=True
    ):
        for call in (chunk.choices[0].delta.tool_calls or ()) if chunk.choices else ():
            names += [call.function.name] if call.function and call.function.name else []
            arguments += call.function.arguments or "" if call.function else ""
    assert names == ["get_weather"]  # the core dedupes the repeated name
    assert isinstance(json.loads(arguments), dict)

    first = client.completion(model, ASK_WEATHER, tools=[WEATHER_TOOL], tool_choice=NAMED, max_tokens=48, temperature=0)
    message = first.choices[0].message
    call = (message.tool_calls or [])[0]
    second = client.completion(
        model,
        [*ASK_WEATHER, message, {"role": "tool", "tool_call_id": call.id, "content": "Sunny."}],
        tools=[WEATHER_TOOL],
        max_tokens=16,
        temperature=0,
    )
    assert isinstance(second, ChatCompletion)


def test_json_object_works_json_schema_needs_the_plugin(
    client: AnyLLM, model: str, server_info: dict[str, Any]
) -> None:
    ok = client.completion(
        model,
        [{"role": "user", "content": "Describe Paris as a JSON object."}],
        response_format={"type": "json_object"},
        max_tokens=64,
        temperature=0,
    )
    assert isinstance(json.loads(ok.choices[0].message.content or ""), dict)
    fmt = {
        "type": "json_schema",
        "json_schema": {
            "name": "City",
            "schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
        },
    }
    ask = [{"role": "user", "content": "Paris as JSON"}]
    if server_info["kind"] == "llama-cpp-python":
        # HTTP 500 with a validation error; provider="llamacpp" sends json_object + schema instead
        with pytest.raises(errors.ProviderError) as info:
            client.completion(model, ask, response_format=fmt, max_tokens=32, temperature=0)
        assert info.value.status_code == 500 and "json_object" in (info.value.body or "")
    else:
        answer = client.completion(model, ask, response_format=fmt, max_tokens=32, temperature=0)
        assert isinstance(json.loads(answer.choices[0].message.content or ""), dict)


def test_context_length_overflow(client: AnyLLM, model: str) -> None:
    with pytest.raises(errors.ContextLengthExceededError):
        client.completion(model, [{"role": "user", "content": "hello " * 3000}], max_tokens=4)
