"""Through the real HTTP stack against MockServer answering like llama-cpp-python (recorded shapes): the
seed examples of the completion() reference (sync, async, streaming), errors, auth, embeddings, models,
and the core's conformance kit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from anyllm_llamacpp import LlamacppProvider
from pydantic import BaseModel

from any_llm import AnyLLM, acompletion, completion, embedding, errors, list_models
from any_llm.testing.conformance import (
    CITY,
    TOOL_ARGS,
    TOOL_NAME,
    OpenAICompatibleConformance,
    openai_exchanges,
)
from any_llm.testing.server import MockServer, RecordedRequest, Reply
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

API_KEY = "test-key-123456"
RECORDED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "llama-cpp-python-0.3.36.json").read_text())["cases"]


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


def recorded_json(case: str, **message: Any) -> dict[str, Any]:
    body = json.loads(RECORDED[case]["body"])
    body["choices"][0]["message"].update(message)
    return body


def llama_server(request: RecordedRequest) -> Reply:
    """Answers like ``python -m llama_cpp.server`` (bodies recorded from it), chosen by the request."""
    body = request.json
    if body.get("stream"):
        rec = RECORDED["plain_stream"]
        data = rec["body"].encode()
        return Reply(200, {"content-type": rec["content_type"]}, [data[i:i + 9] for i in range(0, len(data), 9)])
    if body.get("tools") and body["messages"][-1]["role"] != "tool":
        args = '{ "location": "Paris" }'
        call = {"id": "call__0_get_weather_cmpl-1", "type": "function",
                "function": {"name": "get_weather", "arguments": args}}
        return Reply.json(recorded_json("tool_named", tool_calls=[call],
                                        function_call={"name": "get_weather:", "arguments": args}))
    if (body.get("response_format") or {}).get("type") == "json_object":
        return Reply.json(recorded_json("json_object_schema", content=json.dumps(CITY)))
    return Reply.json(recorded_json("plain"))


@pytest.fixture
def server() -> Any:
    with MockServer(llama_server) as srv:
        yield srv


def common(server: MockServer) -> dict[str, Any]:
    return {"provider": "llamacpp", "model": "smollm2", "api_base": server.url + "/v1", "api_key": API_KEY}


def check_requests(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    for req in server.requests:
        assert req.path == "/v1/chat/completions"
        assert req.headers["authorization"] == f"Bearer {API_KEY}"
        assert spec_errors("CreateChatCompletionRequest", req.json) == []


# -- the seed examples ------------------------------------------------------------------------------


def test_basic(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    response = completion(messages=[{"role": "user", "content": "What is the capital of France?"}], **common(server))
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert response.choices[0].finish_reason == "stop"
    assert server.requests[0].json == {"model": "smollm2",
                                       "messages": [{"role": "user", "content": "What is the capital of France?"}]}
    check_requests(server, spec_errors)


def test_streaming(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    chunks = list(completion(messages=[{"role": "user", "content": "Tell me a story."}], stream=True,
                             **common(server)))
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    recorded = [json.loads(line[6:]) for line in RECORDED["plain_stream"]["body"].splitlines()
                if line.startswith("data: {")]
    assert text == "".join(e["choices"][0]["delta"].get("content") or "" for e in recorded)
    assert chunks[-1].choices[0].finish_reason == "length"
    assert server.requests[0].json["stream_options"] == {"include_usage": True}
    check_requests(server, spec_errors)


def test_async(server: MockServer) -> None:
    async def main() -> tuple[ChatCompletion, str]:
        response = await acompletion(messages=[{"role": "user", "content": "Hello!"}], **common(server))
        text = ""
        async for chunk in await acompletion(messages=[{"role": "user", "content": "Hi"}], stream=True,
                                             **common(server)):
            text += chunk.choices[0].delta.content or "" if chunk.choices else ""
        return response, text

    response, text = asyncio.run(main())
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert text
    assert [r.json.get("stream") for r in server.requests] == [None, True]


def test_structured_output(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    response = completion(messages=[{"role": "user", "content": "Tell me about Paris."}], response_format=CityInfo,
                          **common(server))
    city = response.choices[0].message.parsed
    assert isinstance(city, CityInfo)
    assert city.model_dump() == CITY
    fmt = server.requests[0].json["response_format"]
    assert fmt["type"] == "json_object"
    assert fmt["schema"]["required"] == ["name", "country", "population"]
    check_requests(server, spec_errors)


def test_tool_calling_from_a_callable(server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    response = completion(messages=[{"role": "user", "content": "What's the weather in Paris?"}],
                          tools=[get_weather], **common(server))
    message = response.choices[0].message
    assert response.choices[0].finish_reason == "tool_calls"
    assert message.function_call is None  # the legacy duplicate (named "get_weather:") is dropped
    (call,) = message.tool_calls or []
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "Paris"}
    tool = server.requests[0].json["tools"][0]["function"]
    assert tool["name"] == "get_weather"
    assert tool["parameters"]["required"] == ["location"]
    check_requests(server, spec_errors)


@pytest.mark.parametrize("use_async", [False, True])
def test_tool_round_trip(server: MockServer, spec_errors: Callable[..., list[str]], use_async: bool) -> None:
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]

    async def run() -> ChatCompletion:
        first = await acompletion(messages=messages, tools=[get_weather], **common(server))
        call = first.choices[0].message.tool_calls[0]
        args = json.loads(call.function.arguments)
        messages.extend([first.choices[0].message,
                         {"role": "tool", "tool_call_id": call.id, "content": get_weather(**args)}])
        return await acompletion(messages=messages, tools=[get_weather], **common(server))

    if use_async:
        second = asyncio.run(run())
    else:
        first = completion(messages=messages, tools=[get_weather], **common(server))
        call = first.choices[0].message.tool_calls[0]
        messages.extend([first.choices[0].message,
                         {"role": "tool", "tool_call_id": call.id, "content": get_weather(**json.loads(
                             call.function.arguments))}])
        second = completion(messages=messages, tools=[get_weather], **common(server))
    assert second.choices[0].message.content == "The capital of France is Paris."
    sent = server.requests[1].json["messages"]
    # llama-cpp-python answers 500 to content null/missing here, and the legacy function_call is not echoed
    assert sent[1] == {"role": "assistant", "content": "", "tool_calls": [
        {"id": "call__0_get_weather_cmpl-1", "type": "function",
         "function": {"name": "get_weather", "arguments": '{ "location": "Paris" }'}}]}
    assert sent[2] == {"role": "tool", "tool_call_id": "call__0_get_weather_cmpl-1",
                       "content": "Weather in Paris is sunny and 75F!"}
    check_requests(server, spec_errors)


# -- errors, refusals, auth ------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "cls"), [("overflow", errors.ContextLengthExceededError),
                                           ("json_schema", errors.InvalidRequestError),
                                           ("tool_required", errors.ProviderError)])
def test_recorded_errors(mock_server: MockServer, reply: Callable[..., Reply], case: str,
                         cls: type[Exception]) -> None:
    mock_server.queue(reply(case))
    with pytest.raises(cls) as info:
        completion(messages=[{"role": "user", "content": "hi"}], client_args={"max_retries": 0},
                   **common(mock_server))
    assert type(info.value) is cls
    assert len(mock_server.requests) == 1


def test_rate_limit_and_auth_errors(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"error": {"message": "busy", "type": "unavailable_error", "code": 429}}, 429,
                                 headers={"retry-after": "2"}),
                      Reply.json({"error": {"message": "Invalid API Key", "type": "authentication_error",
                                            "code": 401}}, 401))
    kw = {**common(mock_server), "client_args": {"max_retries": 0}}
    with pytest.raises(errors.RateLimitError) as limited:
        completion(messages=[{"role": "user", "content": "hi"}], **kw)
    assert limited.value.retry_after == 2.0
    with pytest.raises(errors.AuthenticationError) as denied:
        completion(messages=[{"role": "user", "content": "hi"}], **kw)
    assert API_KEY not in str(denied.value) + repr(denied.value)


@pytest.mark.parametrize("args", [{"n": 2}, {"max_tokens": 5, "max_completion_tokens": 5}])
def test_refused_before_sending(mock_server: MockServer, args: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigurationError):
        completion(messages=[{"role": "user", "content": "hi"}], **args, **common(mock_server))
    assert mock_server.requests == []


def test_empty_stream_through_the_stack(mock_server: MockServer, reply: Callable[..., Reply]) -> None:
    mock_server.queue(reply("overflow_stream"))
    with pytest.raises(errors.ProviderError, match="before its first chunk"):
        list(completion(messages=[{"role": "user", "content": "hi"}], stream=True, **common(mock_server)))


def test_no_key_needed_and_key_from_env(mock_server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    mock_server.queue(*(Reply.json(recorded_json("plain")) for _ in range(3)))
    base = mock_server.url + "/v1"
    with AnyLLM.create("llamacpp", api_base=base) as client:
        client.completion("smollm2", [{"role": "user", "content": "hi"}])
    assert "authorization" not in mock_server.requests[0].headers
    monkeypatch.setenv("LLAMACPP_API_KEY", "env-key-987654")
    monkeypatch.setenv("LLAMACPP_API_BASE", base)
    with AnyLLM.create("llamacpp") as client:
        client.completion("smollm2", [{"role": "user", "content": "hi"}])
    assert mock_server.requests[1].headers["authorization"] == "Bearer env-key-987654"
    with AnyLLM.create("llamacpp", api_key="arg-key-123456") as client:
        assert "arg-key" not in repr(client) + repr(client.provider)
        client.completion("smollm2", [{"role": "user", "content": "hi"}])
    assert mock_server.requests[2].headers["authorization"] == "Bearer arg-key-123456"


def test_default_base_url() -> None:
    with AnyLLM.create("llamacpp") as client:
        assert client.provider.api_base == "http://127.0.0.1:8080/v1"


# -- embeddings and models -----------------------------------------------------------------------------


def test_embedding(mock_server: MockServer, spec_errors: Callable[..., list[str]]) -> None:
    mock_server.queue(Reply.json({"object": "list", "model": "smollm2", "data": [
        {"object": "embedding", "index": 0, "embedding": [0.25, -0.5]},
        {"object": "embedding", "index": 1, "embedding": [0.125, 0.75]}],
        "usage": {"prompt_tokens": 4, "total_tokens": 4}}))
    result = embedding("smollm2", ["a", "b"], provider="llamacpp", api_base=mock_server.url + "/v1")
    assert [d.embedding for d in result.data] == [[0.25, -0.5], [0.125, 0.75]]
    request = mock_server.requests[0]
    assert request.path == "/v1/embeddings"
    assert request.json == {"model": "smollm2", "input": ["a", "b"]}
    assert spec_errors("CreateEmbeddingRequest", request.json) == []


def test_list_models(mock_server: MockServer, reply: Callable[..., Reply]) -> None:
    mock_server.queue(reply("models"))
    models = list_models("llamacpp", api_base=mock_server.url + "/v1")
    assert [m.id for m in models] == ["smollm2"]
    assert mock_server.requests[0].path == "/v1/models"


# -- the conformance kit, with llama.cpp-shaped answers ------------------------------------------------


def llama_exchanges() -> dict[str, Reply | list[Reply]]:
    """The kit's canonical values in llama-cpp-python's shapes: legacy function_call next to tool_calls,
    id and name repeated in every streamed tool-call chunk, its error bodies."""
    out = openai_exchanges()
    usage = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
    args = json.dumps(TOOL_ARGS)
    call = {"id": "call__0_get_weather_cmpl-kit", "type": "function", "function": {"name": TOOL_NAME,
                                                                                   "arguments": args}}
    body = {"id": "chatcmpl-kit", "object": "chat.completion", "created": 1, "model": "smollm2", "usage": usage,
            "choices": [{"index": 0, "logprobs": None, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": None, "tool_calls": [call],
                "function_call": {"name": TOOL_NAME + ":", "arguments": args}}}]}
    base = {"id": "chatcmpl-kit", "object": "chat.completion.chunk", "created": 1, "model": "smollm2"}
    events: list[Any] = [{**base, "choices": [{"index": 0, "finish_reason": None, "logprobs": None, "delta": {
        "role": "assistant", "content": None, "function_call": None, "tool_calls": None}}]}]
    for i in range(0, len(args), 4):
        piece = args[i:i + 4]
        events.append({**base, "choices": [{"index": 0, "finish_reason": None, "logprobs": None, "delta": {
            "role": None, "content": None, "function_call": {"name": TOOL_NAME, "arguments": piece},
            "tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                            "function": {"name": TOOL_NAME, "arguments": piece}}]}}]})
    events.append({**base, "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": None, "delta": {
        "role": None, "content": None, "function_call": None, "tool_calls": None}}]})
    out["tool_call"] = Reply.json(body)
    out["stream_tool_call"] = Reply.sse(events)
    out["error_context_length"] = Reply.json(json.loads(RECORDED["overflow"]["body"]), 400)
    out["error_5xx"] = Reply.json(json.loads(RECORDED["tool_required"]["body"]), 500)
    return out


class TestLlamacppConformance(OpenAICompatibleConformance):
    provider_class = LlamacppProvider

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return llama_exchanges()[scenario]
