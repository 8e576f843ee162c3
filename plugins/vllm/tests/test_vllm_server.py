"""Through the real HTTP stack against MockServer answering like vLLM (shapes from its docs): the seed
examples of the completion() reference (sync, async, streaming), refusals, auth, models, and the core's
conformance kit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from anyllm_vllm import VllmProvider
from pydantic import BaseModel

from any_llm import AnyLLM, acompletion, completion, errors, list_models
from any_llm.testing.conformance import CITY, OpenAICompatibleConformance
from any_llm.testing.server import MockServer, RecordedRequest, Reply
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

API_KEY = "test-key-123456"
MODEL = "Qwen/Qwen2.5-1.5B-Instruct"
TEXT = "The capital of France is Paris."
WORDS = ["Once", " upon", " a", " time", "."]


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit, either 'C' or 'F'

    Returns:
        Current weather description
    """
    return f"Weather in {location} is sunny and 75{unit}!"


class CityInfo(BaseModel):
    name: str
    country: str
    population: int


def chat(message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1741569952, "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "logprobs": None,
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29}}


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1741569952, "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def text_stream() -> list[dict[str, Any]]:
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": w}) for w in WORDS]
    events.append(chunk({}, "stop"))
    return events


CALL = {"id": "call_abc123", "type": "function", "function": {"name": "get_weather",
                                                              "arguments": '{"location": "Paris"}'}}


def server_reply(request: RecordedRequest) -> Reply:
    """Answers as vLLM would, choosing the shape from the request."""
    body = request.json
    if body.get("stream"):
        return Reply.sse(text_stream(), chunk_delay=0.001)
    if body.get("tools") and body["messages"][-1]["role"] != "tool":
        return Reply.json(chat({"content": None, "tool_calls": [CALL]}, "tool_calls"))
    if body.get("response_format"):
        return Reply.json(chat({"content": json.dumps(CITY)}))
    return Reply.json(chat({"content": TEXT}))


@pytest.fixture
def server() -> Any:
    with MockServer(server_reply) as srv:
        yield srv


def common(server: MockServer) -> dict[str, Any]:
    return {"provider": "vllm", "model": MODEL, "api_base": server.url + "/v1", "api_key": API_KEY}


def check_requests(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    for req in server.requests:
        assert req.path == "/v1/chat/completions"
        assert req.headers["authorization"] == f"Bearer {API_KEY}"
        assert spec_errors("CreateChatCompletionRequest", req.json) == []


def test_basic(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    response = completion(messages=[{"role": "user", "content": "What is the capital of France?"}], **common(server))
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content == TEXT
    assert response.usage is not None and response.usage.total_tokens == 29
    assert server.requests[0].json == {"model": MODEL,
                                       "messages": [{"role": "user", "content": "What is the capital of France?"}]}
    check_requests(server, spec_errors)


def test_streaming(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    chunks = list(completion(messages=[{"role": "user", "content": "Tell me a story."}], stream=True,
                             **common(server)))
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "".join(WORDS)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert server.requests[0].json["stream"] is True
    check_requests(server, spec_errors)


def test_async(server: MockServer) -> None:
    async def main() -> tuple[ChatCompletion, str]:
        response = await acompletion(messages=[{"role": "user", "content": "Hello!"}], **common(server))
        text = ""
        async for piece in await acompletion(messages=[{"role": "user", "content": "Hi"}], stream=True,
                                             **common(server)):
            text += piece.choices[0].delta.content or ""
        return response, text

    response, text = asyncio.run(main())
    assert response.choices[0].message.content == TEXT
    assert text == "".join(WORDS)


def test_structured_output(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    response = completion(messages=[{"role": "user", "content": "Tell me about Paris."}], response_format=CityInfo,
                          **common(server))
    city = response.choices[0].message.parsed
    assert isinstance(city, CityInfo) and city.model_dump() == CITY
    check_structured_request(server.requests[0].json["response_format"])
    check_requests(server, spec_errors)


def test_tool_calling_from_a_callable(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    response = completion(messages=[{"role": "user", "content": "What's the weather in Paris?"}],
                          tools=[get_weather], **common(server))
    (call,) = response.choices[0].message.tool_calls or []
    assert response.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"location": "Paris"}
    tool = server.requests[0].json["tools"][0]["function"]
    assert tool["name"] == "get_weather" and tool["parameters"]["required"] == ["location"]
    check_requests(server, spec_errors)


@pytest.mark.parametrize("use_async", [False, True])
def test_tool_round_trip(server: MockServer, spec_errors: Callable[..., list[str]], use_async: bool) -> None:
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]

    def follow_up(first: ChatCompletion) -> None:
        call = first.choices[0].message.tool_calls[0]
        messages.extend([first.choices[0].message,
                         {"role": "tool", "tool_call_id": call.id,
                          "content": get_weather(**json.loads(call.function.arguments))}])

    async def run() -> ChatCompletion:
        follow_up(await acompletion(messages=messages, tools=[get_weather], **common(server)))
        return await acompletion(messages=messages, tools=[get_weather], **common(server))

    if use_async:
        second = asyncio.run(run())
    else:
        follow_up(completion(messages=messages, tools=[get_weather], **common(server)))
        second = completion(messages=messages, tools=[get_weather], **common(server))
    assert second.choices[0].message.content == TEXT
    sent = server.requests[1].json["messages"]
    assert sent[1]["role"] == "assistant" and sent[1]["tool_calls"] == [CALL]
    assert sent[2] == {"role": "tool", "tool_call_id": "call_abc123", "content": "Weather in Paris is sunny and 75F!"}
    check_requests(server, spec_errors)


def test_no_key_needed_and_key_from_env(mock_server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    mock_server.queue(*(Reply.json(chat({"content": TEXT})) for _ in range(2)))
    base = mock_server.url + "/v1"
    with AnyLLM.create("vllm", api_base=base) as client:
        client.completion(MODEL, [{"role": "user", "content": "hi"}])
    assert "authorization" not in mock_server.requests[0].headers
    monkeypatch.setenv("VLLM_API_KEY", "env-key-987654")
    monkeypatch.setenv("VLLM_API_BASE", base)
    with AnyLLM.create("vllm") as client:
        assert "env-key" not in repr(client) + repr(client.provider)
        client.completion(MODEL, [{"role": "user", "content": "hi"}])
    assert mock_server.requests[1].headers["authorization"] == "Bearer env-key-987654"


def test_default_base_url() -> None:
    with AnyLLM.create("vllm") as client:
        assert client.provider.api_base == "http://localhost:8000/v1"


def test_errors_are_typed(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.json({"error": {"message": "Invalid API Key"}}, 401),
        Reply.json({"error": {"message": "slow down"}}, 429, headers={"retry-after": "2"}),
        Reply.json({"error": {"message": "overloaded"}}, 503),
    )
    kw = {**common(mock_server), "client_args": {"max_retries": 0}}
    for cls in (errors.AuthenticationError, errors.RateLimitError, errors.ProviderError):
        with pytest.raises(cls) as info:
            completion(messages=[{"role": "user", "content": "hi"}], **kw)
        assert API_KEY not in str(info.value) + repr(info.value)
    assert len(mock_server.requests) == 3


def test_list_models(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"object": "list", "data": [{"id": MODEL, "object": "model", "created": 1,
                                                               "owned_by": "organization_owner"}]}))
    models = list_models("vllm", api_base=mock_server.url + "/v1")
    assert [m.id for m in models] == [MODEL]
    assert mock_server.requests[0].path == "/v1/models"


class TestConformance(OpenAICompatibleConformance):
    provider_class = VllmProvider


def check_structured_request(fmt: dict[str, Any]) -> None:
    # vLLM takes OpenAI's json_schema form as is (guided decoding)
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "CityInfo" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["name", "country", "population"]


def test_embedding(mock_server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    from any_llm import embedding

    mock_server.queue(Reply.json({"id": "embd-1", "object": "list", "created": 1, "model": "BAAI/bge-m3", "data": [
        {"index": 0, "object": "embedding", "embedding": [0.5, -0.25]}],
        "usage": {"prompt_tokens": 3, "total_tokens": 3, "completion_tokens": 0}}))
    result = embedding("BAAI/bge-m3", "hello", provider="vllm", api_base=mock_server.url + "/v1")
    assert result.data[0].embedding == [0.5, -0.25]
    request = mock_server.requests[0]
    assert request.path == "/v1/embeddings" and request.json == {"model": "BAAI/bge-m3", "input": ["hello"]}
    assert spec_errors("CreateEmbeddingRequest", request.json) == []


def test_reasoning_stream_lands_in_reasoning(mock_server: MockServer) -> None:
    # vLLM's reasoning parsers stream the thinking as delta.reasoning_content (newer: delta.reasoning)
    mock_server.queue(Reply.sse([chunk({"role": "assistant", "content": ""}),
                                 chunk({"reasoning_content": "Paris is "}), chunk({"reasoning": "the capital."}),
                                 chunk({"content": "Paris."}), chunk({}, "stop")]))
    chunks = list(completion(messages=[{"role": "user", "content": "Capital of France?"}], stream=True,
                             **common(mock_server)))
    thought = "".join(c.choices[0].delta.reasoning.content for c in chunks if c.choices[0].delta.reasoning)
    assert thought == "Paris is the capital."
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Paris."
