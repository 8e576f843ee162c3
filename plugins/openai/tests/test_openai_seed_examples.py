"""The seed examples of the completion() reference, run through the real HTTP stack against a local
server speaking OpenAI's protocol, sync and async."""

from __future__ import annotations

import json
from typing import Any

import pytest

from any_llm import acompletion, completion
from any_llm.testing import MockServer, RecordedRequest, Reply
from any_llm.testing.seed import CityInfo, get_weather
from any_llm.types import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion

KEY = "sk-test-key-1234567890"


def chat_json(
    content: str | None,
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    finish: str = "stop",
    model: str = "gpt-4.1-mini",
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1741569952,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29},
    }


def stream_events(words: list[str]) -> list[dict[str, Any]]:
    base = {"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4.1-mini"}
    events = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    events += [{**base, "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in words]
    events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    events.append(
        {
            **base,
            "choices": [],
            "usage": {"prompt_tokens": 5, "completion_tokens": len(words), "total_tokens": 5 + len(words)},
        }
    )
    return events


def openai_server(request: RecordedRequest) -> Reply:
    """Answers like api.openai.com would, choosing the shape from the request."""
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.json
    if body.get("stream"):
        return Reply.sse(stream_events(["Once", " upon", " a", " time."]))
    if body.get("tools"):
        if body["messages"][-1]["role"] == "tool":
            return Reply.json(chat_json("It is sunny in Paris."))
        call = {
            "id": "call_abc123",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
        }
        return Reply.json(chat_json(None, tool_calls=[call], finish="tool_calls"))
    fmt = body.get("response_format")
    if fmt and fmt["type"] == "json_schema":
        return Reply.json(chat_json(json.dumps({"name": "Paris", "country": "France", "population": 2102650})))
    return Reply.json(chat_json("The capital of France is Paris."))


@pytest.fixture
def server() -> Any:
    with MockServer(openai_server) as srv:
        yield srv


def common(server: MockServer) -> dict[str, Any]:
    return {"api_key": KEY, "api_base": server.url + "/v1"}


def test_basic(server: MockServer) -> None:
    response = completion(
        model="gpt-4.1-mini",
        provider="openai",
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        **common(server),
    )
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert response.usage is not None and response.usage.total_tokens == 29
    assert server.requests[0].json == {
        "model": "gpt-4.1-mini",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
    }


def test_streaming(server: MockServer) -> None:
    pieces = []
    chunks = []
    for chunk in completion(
        model="gpt-4.1-mini",
        provider="openai",
        messages=[{"role": "user", "content": "Tell me a story."}],
        stream=True,
        **common(server),
    ):
        assert isinstance(chunk, ChatCompletionChunk)
        chunks.append(chunk)
        pieces.append(chunk.choices[0].delta.content or "")  # verbatim from the seed: must not IndexError
    assert "".join(pieces) == "Once upon a time."
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4
    assert server.requests[0].json["stream_options"] == {"include_usage": True}


async def test_async(server: MockServer) -> None:
    response = await acompletion(
        model="gpt-4.1-mini",
        provider="openai",
        messages=[{"role": "user", "content": "Hello!"}],
        **common(server),
    )
    assert response.choices[0].message.content == "The capital of France is Paris."


async def test_async_streaming(server: MockServer) -> None:
    stream = await acompletion(
        model="openai:gpt-4.1-mini", messages=[{"role": "user", "content": "Hi"}], stream=True, **common(server)
    )
    text = ""
    async with stream:
        async for chunk in stream:
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
    assert text == "Once upon a time."


@pytest.mark.parametrize("use_async", [False, True])
async def test_structured_output(server: MockServer, use_async: bool) -> None:
    kwargs = dict(
        model="gpt-4.1-mini",
        provider="openai",
        messages=[{"role": "user", "content": "Tell me about Paris."}],
        response_format=CityInfo,
        **common(server),
    )
    response = await acompletion(**kwargs) if use_async else completion(**kwargs)
    assert isinstance(response, ParsedChatCompletion)
    city = response.choices[0].message.parsed
    assert isinstance(city, CityInfo)
    assert (city.name, city.country, city.population) == ("Paris", "France", 2102650)
    sent = server.requests[0].json["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "CityInfo"


@pytest.mark.parametrize("use_async", [False, True])
async def test_tool_calling_round_trip(server: MockServer, use_async: bool) -> None:
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]
    kwargs = dict(model="gpt-4.1-mini", provider="openai", tools=[get_weather], **common(server))
    response = await acompletion(messages=messages, **kwargs) if use_async else completion(messages=messages, **kwargs)
    message = response.choices[0].message
    assert response.choices[0].finish_reason == "tool_calls"
    call = message.tool_calls[0]
    assert call.function.name == "get_weather"
    result = get_weather(**json.loads(call.function.arguments))
    messages += [message, {"role": "tool", "tool_call_id": call.id, "content": result}]
    final = await acompletion(messages=messages, **kwargs) if use_async else completion(messages=messages, **kwargs)
    assert final.choices[0].message.content == "It is sunny in Paris."
    replayed = server.requests[1].json["messages"]
    assert replayed[1]["role"] == "assistant"
    assert replayed[1]["tool_calls"][0]["id"] == "call_abc123"
    assert replayed[1]["content"] == ""
    assert replayed[2] == {
        "role": "tool",
        "tool_call_id": "call_abc123",
        "content": "Weather in Paris is sunny and 75F!",
    }
    tool_schema = server.requests[0].json["tools"][0]["function"]
    assert (
        tool_schema["parameters"]["properties"]["location"]["description"] == "The city or location to get weather for"
    )


def test_connection_is_reused_across_module_level_calls(server: MockServer) -> None:
    for _ in range(20):
        completion(
            model="gpt-4.1-mini", provider="openai", messages=[{"role": "user", "content": "x"}], **common(server)
        )
    assert len(server.requests) == 20
    assert server.connections == 1
