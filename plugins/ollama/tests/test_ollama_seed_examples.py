"""The seed examples of the completion() reference through the real HTTP stack against a server
answering like Ollama's /api/chat (NDJSON streams), sync and async; plus embeddings and models."""

from __future__ import annotations

import json
from typing import Any

import pytest

from any_llm import acompletion, aembedding, alist_models, completion, embedding, list_models
from any_llm.testing import MockServer, RecordedRequest, Reply
from any_llm.testing.seed import CAPITAL, WEATHER, CityInfo, get_weather
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion

KEY = "test-key-123456"
MODEL = "llama3.2"
STAMP = "2025-07-07T20:43:37.688511Z"


def answer(content: str = "", *, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "model": MODEL,
        "created_at": STAMP,
        "message": message,
        "done_reason": "stop",
        "done": True,
        "total_duration": 890771750,
        "prompt_eval_count": 94,
        "eval_count": 11,
    }


def stream_lines(words: list[str]) -> list[dict[str, Any]]:
    lines = [
        {"model": MODEL, "created_at": STAMP, "message": {"role": "assistant", "content": w}, "done": False}
        for w in words
    ]
    return [*lines, answer()]


def ollama(request: RecordedRequest) -> Reply:
    """Answers like an Ollama server, choosing the shape from the request."""
    assert request.path == "/api/chat"
    body = request.json
    assert body["stream"] in (True, False)
    if body["stream"]:
        return Reply.ndjson(stream_lines(["Once", " upon", " a", " time."]))
    if body.get("tools"):
        if body["messages"][-1]["role"] == "tool":
            return Reply.json(answer("The weather in Paris is sunny and 75F."))
        call = {"function": {"name": "get_weather", "arguments": {"location": "Paris"}}}
        return Reply.json(answer(tool_calls=[call]))
    if isinstance(body.get("format"), dict):
        return Reply.json(answer(json.dumps({"name": "Paris", "country": "France", "population": 2102650})))
    return Reply.json(answer("The capital of France is Paris."))


@pytest.fixture
def server() -> Any:
    with MockServer(ollama) as srv:
        yield srv


def common(server: MockServer) -> dict[str, Any]:
    return {"provider": "ollama", "api_key": KEY, "api_base": server.url}


def check_basic(response: Any, server: MockServer) -> None:
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert response.usage is not None and response.usage.total_tokens == 105
    request = server.requests[0]
    assert request.json == {"model": MODEL, "messages": CAPITAL, "stream": False}
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"


def test_basic(server: MockServer) -> None:
    check_basic(completion(model=MODEL, messages=CAPITAL, **common(server)), server)


async def test_basic_async(server: MockServer) -> None:
    check_basic(await acompletion(model=MODEL, messages=CAPITAL, **common(server)), server)


def test_model_string_with_provider_prefix(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    response = completion(model=f"ollama:{MODEL}", messages=CAPITAL, api_base=server.url)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert "authorization" not in server.requests[0].headers


def check_stream(chunks: list[ChatCompletionChunk], server: MockServer) -> None:
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Once upon a time."
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 11
    assert server.requests[0].json["stream"] is True
    assert server.requests[0].headers["accept"] == "application/x-ndjson"


def test_streaming(server: MockServer) -> None:
    stream = completion(
        model=MODEL, messages=[{"role": "user", "content": "Tell me a story."}], stream=True, **common(server)
    )
    check_stream(list(stream), server)


async def test_streaming_async(server: MockServer) -> None:
    stream = await acompletion(
        model=MODEL, messages=[{"role": "user", "content": "Tell me a story."}], stream=True, **common(server)
    )
    check_stream([chunk async for chunk in stream], server)


def check_structured(response: Any, server: MockServer) -> None:
    assert isinstance(response, ParsedChatCompletion)
    city = response.choices[0].message.parsed
    assert isinstance(city, CityInfo)
    assert (city.name, city.country, city.population) == ("Paris", "France", 2102650)
    fmt = server.requests[0].json["format"]
    assert fmt["type"] == "object" and set(fmt["required"]) == {"name", "country", "population"}


def test_structured_output(server: MockServer) -> None:
    response = completion(
        model=MODEL,
        messages=[{"role": "user", "content": "Tell me about Paris."}],
        response_format=CityInfo,
        **common(server),
    )
    check_structured(response, server)


async def test_structured_output_async(server: MockServer) -> None:
    response = await acompletion(
        model=MODEL,
        messages=[{"role": "user", "content": "Tell me about Paris."}],
        response_format=CityInfo,
        **common(server),
    )
    check_structured(response, server)


def check_tool_call(response: Any, server: MockServer) -> Any:
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "Paris"}
    (tool,) = server.requests[0].json["tools"]
    assert tool["function"]["name"] == "get_weather"
    assert tool["function"]["parameters"]["properties"]["location"]["type"] == "string"
    return choice.message


def round_trip_messages(message: Any) -> list[Any]:
    call = message.tool_calls[0]
    result = get_weather(**json.loads(call.function.arguments))
    return [*WEATHER, message, {"role": "tool", "tool_call_id": call.id, "content": result}]


def check_round_trip(final: Any, server: MockServer, call_id: str) -> None:
    assert final.choices[0].message.content == "The weather in Paris is sunny and 75F."
    sent = server.requests[1].json["messages"]
    assert sent[1]["role"] == "assistant"
    assert sent[1]["tool_calls"] == [
        {"function": {"name": "get_weather", "arguments": {"location": "Paris"}}, "id": call_id}
    ]
    assert sent[2] == {
        "role": "tool",
        "content": "Weather in Paris is sunny and 75F!",
        "tool_name": "get_weather",
        "tool_call_id": call_id,
    }


def test_tool_calling_and_round_trip(server: MockServer) -> None:
    response = completion(model=MODEL, messages=WEATHER, tools=[get_weather], **common(server))
    message = check_tool_call(response, server)
    final = completion(model=MODEL, messages=round_trip_messages(message), tools=[get_weather], **common(server))
    check_round_trip(final, server, message.tool_calls[0].id)


async def test_tool_calling_and_round_trip_async(server: MockServer) -> None:
    response = await acompletion(model=MODEL, messages=WEATHER, tools=[get_weather], **common(server))
    message = check_tool_call(response, server)
    final = await acompletion(model=MODEL, messages=round_trip_messages(message), tools=[get_weather], **common(server))
    check_round_trip(final, server, message.tool_calls[0].id)


def test_streamed_tool_call(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.ndjson(
            [
                {
                    "model": MODEL,
                    "created_at": STAMP,
                    "message": {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"function": {"name": "get_weather", "arguments": {"location": "Paris"}}}],
                    },
                    "done": False,
                },
                answer(),
            ]
        )
    )
    chunks = list(
        completion(
            model=MODEL, messages=WEATHER, tools=[get_weather], stream=True, api_base=mock_server.url, provider="ollama"
        )
    )
    calls = [tc for c in chunks for tc in c.choices[0].delta.tool_calls or []]
    assert [json.loads(c.function.arguments) for c in calls] == [{"location": "Paris"}]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_embedding_and_models(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.json({"model": "embeddinggemma", "embeddings": [[0.1, 0.2], [0.3, 0.4]], "prompt_eval_count": 8}),
        Reply.json({"models": [{"name": "gemma4", "model": "gemma4", "modified_at": "2025-10-03T23:34:03Z"}]}),
    )
    result = embedding("embeddinggemma", ["a", "b"], provider="ollama", api_base=mock_server.url, dimensions=2)
    assert [d.embedding for d in result.data] == [[0.1, 0.2], [0.3, 0.4]]
    assert result.usage.prompt_tokens == 8
    assert mock_server.requests[0].path == "/api/embed"
    assert mock_server.requests[0].json == {"model": "embeddinggemma", "input": ["a", "b"], "dimensions": 2}
    models = list_models("ollama", api_base=mock_server.url)
    assert [m.id for m in models] == ["gemma4"]
    assert (mock_server.requests[1].method, mock_server.requests[1].path) == ("GET", "/api/tags")


async def test_embedding_and_models_async(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.json({"model": "embeddinggemma", "embeddings": [[0.5]], "prompt_eval_count": 3}),
        Reply.json({"models": []}),
    )
    result = await aembedding("ollama:embeddinggemma", "one", api_base=mock_server.url)
    assert result.data[0].embedding == [0.5]
    assert mock_server.requests[0].json["input"] == ["one"]
    assert list(await alist_models("ollama", api_base=mock_server.url)) == []


def test_ollama_host_env_is_the_base(mock_server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", mock_server.url)
    mock_server.queue(Reply.json(answer("from env")))
    assert completion(model=MODEL, provider="ollama", messages=CAPITAL).choices[0].message.content == "from env"
