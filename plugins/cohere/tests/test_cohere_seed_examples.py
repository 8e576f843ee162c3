"""The seed examples of the completion() reference through the real HTTP stack against a server
answering like Cohere's /v2/chat (SSE events for streams), sync and async; plus embeddings and models."""

from __future__ import annotations

import json
from typing import Any

import pytest

from any_llm import acompletion, aembedding, alist_models, completion, embedding, list_models
from any_llm.testing import MockServer, RecordedRequest, Reply
from any_llm.testing.seed import CAPITAL, WEATHER, CityInfo, get_weather
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion

KEY = "test-key-123456"
MODEL = "command-a-03-2025"
USAGE = {"billed_units": {"input_tokens": 9, "output_tokens": 12}, "tokens": {"input_tokens": 215, "output_tokens": 12}}


def chat(
    text: str | None, *, tool_calls: list[dict[str, Any]] | None = None, plan: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant"}
    if text is not None:
        message["content"] = [{"type": "text", "text": text}]
    if plan:
        message["tool_plan"] = plan
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "resp-1",
        "finish_reason": "TOOL_CALL" if tool_calls else "COMPLETE",
        "message": message,
        "usage": USAGE,
    }


def stream_events(words: list[str]) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = [
        ("message-start", {"type": "message-start", "id": "stream-1", "delta": {"message": {"role": "assistant"}}}),
        (
            "content-start",
            {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
        ),
    ]
    events += [
        ("content-delta", {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": w}}}})
        for w in words
    ]
    events += [
        ("content-end", {"type": "content-end", "index": 0}),
        ("message-end", {"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": USAGE}}),
    ]
    return events


def cohere(request: RecordedRequest) -> Reply:
    """Answers like api.cohere.com, choosing the shape from the request."""
    assert request.path == "/v2/chat"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.json
    if body["stream"]:
        return Reply.sse(stream_events(["Once", " upon", " a", " time."]), done=False)
    if body.get("tools"):
        if body["messages"][-1]["role"] == "tool":
            return Reply.json(chat("The weather in Paris is sunny and 75F."))
        call = {
            "id": "get_weather_1byjy32y4hvq",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
        }
        return Reply.json(chat(None, tool_calls=[call], plan="I will check the weather in Paris."))
    if body.get("response_format", {}).get("type") == "json_object":
        return Reply.json(chat(json.dumps({"name": "Paris", "country": "France", "population": 2102650})))
    return Reply.json(chat("The capital of France is Paris."))


@pytest.fixture
def server() -> Any:
    with MockServer(cohere) as srv:
        yield srv


def common(server: MockServer) -> dict[str, Any]:
    return {"provider": "cohere", "api_key": KEY, "api_base": server.url}


def check_basic(response: Any, server: MockServer) -> None:
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert response.usage is not None and response.usage.total_tokens == 227
    assert server.requests[0].json == {"model": MODEL, "messages": CAPITAL, "stream": False}


def test_basic(server: MockServer) -> None:
    check_basic(completion(model=MODEL, messages=CAPITAL, **common(server)), server)


async def test_basic_async(server: MockServer) -> None:
    check_basic(await acompletion(model=MODEL, messages=CAPITAL, **common(server)), server)


def test_key_from_env(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    monkeypatch.setenv("CO_API_KEY", KEY)
    monkeypatch.setenv("COHERE_BASE_URL", server.url)
    response = completion(model=f"cohere:{MODEL}", messages=CAPITAL)
    assert response.choices[0].message.content == "The capital of France is Paris."


def check_stream(chunks: list[ChatCompletionChunk], server: MockServer) -> None:
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Once upon a time."
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens == 215
    assert server.requests[0].json["stream"] is True
    assert server.requests[0].headers["accept"] == "text/event-stream"


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
    fmt = server.requests[0].json["response_format"]
    assert fmt["type"] == "json_object"
    assert set(fmt["json_schema"]["required"]) == {"name", "country", "population"}


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
    assert choice.message.content == "I will check the weather in Paris."
    (call,) = choice.message.tool_calls
    assert call.id == "get_weather_1byjy32y4hvq"
    assert json.loads(call.function.arguments) == {"location": "Paris"}
    (tool,) = server.requests[0].json["tools"]
    assert tool["function"]["name"] == "get_weather"
    return choice.message


def round_trip_messages(message: Any) -> list[Any]:
    call = message.tool_calls[0]
    result = get_weather(**json.loads(call.function.arguments))
    return [*WEATHER, message, {"role": "tool", "tool_call_id": call.id, "content": result}]


def check_round_trip(final: Any, server: MockServer) -> None:
    assert final.choices[0].message.content == "The weather in Paris is sunny and 75F."
    sent = server.requests[1].json["messages"]
    assert sent[1] == {
        "role": "assistant",
        "tool_plan": "I will check the weather in Paris.",
        "tool_calls": [
            {
                "id": "get_weather_1byjy32y4hvq",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
            }
        ],
    }
    assert sent[2] == {
        "role": "tool",
        "tool_call_id": "get_weather_1byjy32y4hvq",
        "content": "Weather in Paris is sunny and 75F!",
    }


def test_tool_calling_and_round_trip(server: MockServer) -> None:
    response = completion(model=MODEL, messages=WEATHER, tools=[get_weather], **common(server))
    message = check_tool_call(response, server)
    final = completion(model=MODEL, messages=round_trip_messages(message), tools=[get_weather], **common(server))
    check_round_trip(final, server)


async def test_tool_calling_and_round_trip_async(server: MockServer) -> None:
    response = await acompletion(model=MODEL, messages=WEATHER, tools=[get_weather], **common(server))
    message = check_tool_call(response, server)
    final = await acompletion(model=MODEL, messages=round_trip_messages(message), tools=[get_weather], **common(server))
    check_round_trip(final, server)


def test_streamed_tool_call(docs: Any, mock_server: MockServer) -> None:
    mock_server.queue(Reply.sse(docs.STREAM_TOOLS, done=False))
    chunks = list(
        completion(
            model=MODEL,
            messages=WEATHER,
            tools=[get_weather],
            stream=True,
            provider="cohere",
            api_key=KEY,
            api_base=mock_server.url,
        )
    )
    args: dict[int, str] = {}
    for chunk in chunks:
        for call in chunk.choices[0].delta.tool_calls or []:
            args[call.index] = args.get(call.index, "") + (call.function.arguments or "")
    assert [json.loads(a) for a in args.values()] == [{"location": "Madrid"}, {"location": "Brasilia"}]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_embedding_and_models(docs: Any, mock_server: MockServer) -> None:
    mock_server.queue(Reply.json(docs.EMBED), Reply.json(docs.MODELS))
    result = embedding(
        "embed-v4.0",
        ["hello", "goodbye"],
        provider="cohere",
        api_key=KEY,
        api_base=mock_server.url,
        input_type="classification",
    )
    assert len(result.data) == 2
    assert result.usage.prompt_tokens == 2
    assert mock_server.requests[0].path == "/v2/embed"
    assert mock_server.requests[0].json == {
        "model": "embed-v4.0",
        "texts": ["hello", "goodbye"],
        "input_type": "classification",
        "embedding_types": ["float"],
    }
    models = list_models("cohere", api_key=KEY, api_base=mock_server.url)
    assert [m.id for m in models] == ["command-a-03-2025", "embed-v4.0"]
    assert mock_server.requests[1].path == "/v1/models?page_size=1000"
    assert mock_server.requests[1].headers["authorization"] == f"Bearer {KEY}"


async def test_embedding_and_models_async(docs: Any, mock_server: MockServer) -> None:
    mock_server.queue(Reply.json(docs.EMBED), Reply.json(docs.MODELS))
    result = await aembedding("cohere:embed-v4.0", "hello", api_key=KEY, api_base=mock_server.url)
    assert mock_server.requests[0].json["texts"] == ["hello"]
    assert result.data[0].embedding[0] == 0.016296387
    assert len(await alist_models("cohere", api_key=KEY, api_base=mock_server.url)) == 2
