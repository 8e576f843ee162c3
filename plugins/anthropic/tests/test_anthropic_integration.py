"""The seed examples and error paths through the real stack: any_llm → httpx → MockServer (sync and async)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from any_llm import acompletion, aembedding, alist_models, completion, embedding, errors, list_models
from any_llm.testing.seed import CityInfo, get_weather
from any_llm.testing.server import MockServer, Reply

KEY = "test-key-123456"
MODEL = "claude-sonnet-4-20250514"
FAST = {"max_retries": 0}


def sse(events: list[dict[str, Any]]) -> Reply:
    """Anthropic's framing: an ``event:`` line per event, no ``[DONE]``."""
    return Reply.sse([(e["type"], e) for e in events], done=False)


def call(server: MockServer, **kw: Any) -> Any:
    kw.setdefault("messages", [{"role": "user", "content": "Hi"}])
    return completion(model=MODEL, provider="anthropic", api_base=server.url, api_key=KEY, **kw)


async def acall(server: MockServer, **kw: Any) -> Any:
    kw.setdefault("messages", [{"role": "user", "content": "Hi"}])
    return await acompletion(model=MODEL, provider="anthropic", api_base=server.url, api_key=KEY, **kw)


def assert_sent(server: MockServer, check: Any, index: int = -1) -> dict[str, Any]:
    request = server.requests[index]
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["content-type"] == "application/json"
    assert "authorization" not in request.headers
    check("CreateMessageRequest", request.json)
    body: dict[str, Any] = request.json
    return body


# -- seed: basic -----------------------------------------------------------------------------------


def test_basic_sync(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_text"]))
    response = completion(
        model="claude-sonnet-4-20250514",
        provider="anthropic",
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        api_base=server.url,
        api_key=KEY,
    )
    assert response.choices[0].message.content == "The capital of France is Paris."
    body = assert_sent(server, check)
    assert body == {
        "model": MODEL,
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
    }


async def test_basic_async(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_text"]))
    response = await acall(server, messages=[{"role": "user", "content": "What is the capital of France?"}])
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert response.usage.total_tokens == 24
    assert_sent(server, check)


def test_seed_async_example_verbatim(
    server: MockServer, capsys: pytest.CaptureFixture[str], examples: dict[str, Any], check: Any
) -> None:
    server.queue(Reply.json(examples["message_text"]))

    async def main() -> None:
        response = await acompletion(
            model="claude-sonnet-4-20250514",
            provider="anthropic",
            messages=[{"role": "user", "content": "Hello!"}],
            api_base=server.url,
            api_key=KEY,
        )
        print(response.choices[0].message.content)

    asyncio.run(main())
    assert capsys.readouterr().out == "The capital of France is Paris.\n"
    assert assert_sent(server, check)["messages"] == [{"role": "user", "content": "Hello!"}]


# -- seed: streaming -------------------------------------------------------------------------------


def test_streaming_sync(
    server: MockServer, check: Any, examples: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    server.queue(sse(examples["stream_text"]))
    for chunk in completion(
        model=MODEL,
        provider="anthropic",
        messages=[{"role": "user", "content": "Tell me a story."}],
        stream=True,
        api_base=server.url,
        api_key=KEY,
    ):
        print(chunk.choices[0].delta.content or "", end="")
    assert capsys.readouterr().out == "Hello!"
    body = assert_sent(server, check)
    assert body["stream"] is True
    assert server.requests[-1].headers["accept"] == "text/event-stream"


async def test_streaming_async(server: MockServer, examples: dict[str, Any]) -> None:
    server.queue(sse(examples["stream_tool_use"]))
    stream = await acall(server, stream=True, tools=[_tool_dict()])
    text, args, usage = "", "", None
    async for chunk in stream:
        delta = chunk.choices[0].delta
        text += delta.content or ""
        for call_ in delta.tool_calls or ():
            if call_.index == 0 and call_.function and call_.function.arguments:
                args += call_.function.arguments
        usage = chunk.usage or usage
    assert text == "Okay, let's check the weather for Paris:"
    assert json.loads(args) == {"location": "Paris", "unit": "C"}
    assert usage is not None and usage.completion_tokens == 89


# -- seed: structured output -----------------------------------------------------------------------


def test_structured_output_sync(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_structured"]))
    response = completion(
        model=MODEL,
        provider="anthropic",
        messages=[{"role": "user", "content": "Tell me about Paris."}],
        response_format=CityInfo,
        api_base=server.url,
        api_key=KEY,
    )
    city = response.choices[0].message.parsed
    assert isinstance(city, CityInfo)
    assert (city.name, city.country, city.population) == ("Paris", "France", 2102650)
    fmt = assert_sent(server, check)["output_config"]["format"]
    assert fmt["type"] == "json_schema"
    assert fmt["schema"]["required"] == ["name", "country", "population"]
    assert fmt["schema"]["additionalProperties"] is False


async def test_structured_output_async(server: MockServer, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_structured"]))
    response = await acall(server, response_format=CityInfo)
    assert response.choices[0].message.parsed == CityInfo(name="Paris", country="France", population=2102650)


def test_structured_output_refusal_is_content_filter(server: MockServer, examples: dict[str, Any]) -> None:
    data = examples["message_structured"]
    data.update(stop_reason="refusal", content=[{"type": "text", "text": "I can't help with that."}])
    server.queue(Reply.json(data))
    with pytest.raises(errors.ContentFilterFinishReasonError):
        call(server, response_format=CityInfo)


# -- seed: tool calling and the full round trip ----------------------------------------------------


def _tool_dict() -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
        },
    }


def test_tool_calling_sync(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_tool_use"]))
    response = completion(
        model=MODEL,
        provider="anthropic",
        messages=[{"role": "user", "content": "What's the weather in Paris?"}],
        tools=[get_weather],
        api_base=server.url,
        api_key=KEY,
    )
    call_ = response.choices[0].message.tool_calls[0]
    assert call_.function.name == "get_weather"
    assert json.loads(call_.function.arguments) == {"location": "Paris", "unit": "C"}
    assert response.choices[0].finish_reason == "tool_calls"
    tool = assert_sent(server, check)["tools"][0]
    assert tool["name"] == "get_weather"
    assert set(tool["input_schema"]["properties"]) == {"location", "unit"}


def _round_trip_messages(first: Any) -> list[Any]:
    message = first.choices[0].message
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}, message]
    for tc in message.tool_calls:
        result = get_weather(**json.loads(tc.function.arguments))
        messages.append({"role": "tool", "tool_call_id": tc.id, "content": result})
    return messages


def _assert_round_trip_body(body: dict[str, Any]) -> None:
    assert body["messages"] == [
        {"role": "user", "content": "What's the weather in Paris?"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "I'll check the current weather in Paris for you."},
                {
                    "type": "tool_use",
                    "id": "toolu_01A09q90qw90lq917835lq9",
                    "name": "get_weather",
                    "input": {"location": "Paris", "unit": "C"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01A09q90qw90lq917835lq9",
                    "content": "Weather in Paris is sunny and 75C!",
                }
            ],
        },
    ]


def test_tool_round_trip_sync(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_tool_use"]), Reply.json(examples["message_after_tool"]))
    first = call(server, messages=[{"role": "user", "content": "What's the weather in Paris?"}], tools=[get_weather])
    final = call(server, messages=_round_trip_messages(first), tools=[get_weather])
    assert final.choices[0].message.content == "It is sunny and 22°C in Paris right now."
    assert final.choices[0].finish_reason == "stop"
    _assert_round_trip_body(assert_sent(server, check))


async def test_tool_round_trip_async(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_tool_use"]), Reply.json(examples["message_after_tool"]))
    first = await acall(
        server, messages=[{"role": "user", "content": "What's the weather in Paris?"}], tools=[get_weather]
    )
    final = await acall(server, messages=_round_trip_messages(first), tools=[get_weather])
    assert final.choices[0].message.content == "It is sunny and 22°C in Paris right now."
    _assert_round_trip_body(assert_sent(server, check))
    assert len(server.requests) == 2


# -- thinking replay -------------------------------------------------------------------------------


def test_thinking_replay_with_tools(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_thinking_tool_use"]), Reply.json(examples["message_after_tool"]))
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
    first = call(server, messages=messages, tools=[get_weather], reasoning_effort="medium")
    sent = assert_sent(server, check)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 8192}
    assert sent["max_tokens"] > 8192
    message = first.choices[0].message
    assert message.reasoning.content.startswith("The user wants the weather")
    tc = message.tool_calls[0]
    messages += [message, {"role": "tool", "tool_call_id": tc.id, "content": "sunny"}]
    call(server, messages=messages, tools=[get_weather], reasoning_effort="medium")
    replayed = assert_sent(server, check)["messages"][1]
    assert replayed["role"] == "assistant"
    assert replayed["content"] == [
        {
            "type": "thinking",
            "thinking": "The user wants the weather in Paris. I should call get_weather.",
            "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
        },
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
        {
            "type": "tool_use",
            "id": "toolu_01CswdEQBMshySk6Y9DFKrfq",
            "name": "get_weather",
            "input": {"location": "Paris"},
        },
    ]


async def test_streamed_thinking_replay(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    events = examples["stream_thinking"]
    # make the answer a tool call: replace the text block with a tool_use block
    events[6:9] = [
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "toolu_7", "name": "get_weather", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": '{"location": "Paris"}'},
        },
        {"type": "content_block_stop", "index": 1},
    ]
    events[-2]["delta"]["stop_reason"] = "tool_use"
    server.queue(sse(events), Reply.json(examples["message_after_tool"]))
    assistant: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [], "thinking_blocks": []}
    async for chunk in await acall(server, stream=True, tools=[get_weather], reasoning_effort="low"):
        delta = chunk.choices[0].delta
        assistant["thinking_blocks"] += delta.model_dump().get("thinking_blocks") or []
        for tc in delta.tool_calls or ():
            if tc.id:
                assistant["tool_calls"].append(
                    {"id": tc.id, "type": "function", "function": {"name": tc.function.name, "arguments": ""}}
                )
            elif tc.function and tc.function.arguments:
                assistant["tool_calls"][tc.index]["function"]["arguments"] += tc.function.arguments
    messages = [
        {"role": "user", "content": "Weather?"},
        assistant,
        {"role": "tool", "tool_call_id": "toolu_7", "content": "sunny"},
    ]
    await acall(server, messages=messages, tools=[get_weather], reasoning_effort="low")
    turn = assert_sent(server, check)["messages"][1]["content"]
    assert [b["type"] for b in turn] == ["thinking", "tool_use"]
    assert turn[0]["signature"] == "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
    assert turn[1]["input"] == {"location": "Paris"}


# -- errors ----------------------------------------------------------------------------------------


def _err(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_body_1"}


def test_auth_error(server: MockServer) -> None:
    server.queue(
        Reply.json(
            _err("authentication_error", "invalid x-api-key"),
            status=401,
            headers={"request-id": "req_011CSHoEeqs5C35K2UUqR7Fy"},
        )
    )
    with pytest.raises(errors.AuthenticationError) as info:
        call(server, client_args=FAST)
    assert info.value.status_code == 401
    assert info.value.request_id == "req_011CSHoEeqs5C35K2UUqR7Fy"
    assert KEY not in str(info.value) and KEY not in repr(info.value) and KEY not in (info.value.body or "")
    assert len(server.requests) == 1


def test_rate_limit_with_retry_after(server: MockServer) -> None:
    server.queue(
        Reply.json(
            _err("rate_limit_error", "Number of request tokens has exceeded your rate limit"),
            status=429,
            headers={"retry-after": "3"},
        )
    )
    with pytest.raises(errors.RateLimitError) as info:
        call(server, client_args=FAST)
    assert info.value.retry_after == 3.0
    assert info.value.request_id == "req_body_1"


async def test_rate_limit_retried_then_succeeds(server: MockServer, examples: dict[str, Any]) -> None:
    server.queue(
        Reply.json(_err("rate_limit_error", "slow down"), status=429, headers={"retry-after": "0"}),
        Reply.json(examples["message_text"]),
    )
    response = await acall(server)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert len(server.requests) == 2


def test_context_length(server: MockServer) -> None:
    server.queue(
        Reply.json(_err("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"), status=400)
    )
    with pytest.raises(errors.ContextLengthExceededError):
        call(server, client_args=FAST)


def test_overloaded_529_is_retried(server: MockServer, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(_err("overloaded_error", "Overloaded"), status=529), Reply.json(examples["message_text"]))
    response = call(server)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert len(server.requests) == 2


async def test_overloaded_529_without_retries(server: MockServer) -> None:
    server.queue(Reply.json(_err("overloaded_error", "Overloaded"), status=529, headers={"request-id": "req_529"}))
    with pytest.raises(errors.ProviderError) as info:
        await acall(server, client_args=FAST)
    assert info.value.status_code == 529
    assert info.value.request_id == "req_529"
    assert info.value.message == "Overloaded"


def test_server_error_5xx(server: MockServer) -> None:
    server.queue(Reply.json(_err("api_error", "Internal server error"), status=500))
    with pytest.raises(errors.ProviderError):
        call(server, client_args=FAST)


def test_error_event_mid_stream_sync(server: MockServer, examples: dict[str, Any]) -> None:
    events = [
        *examples["stream_text"][:4],
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    ]
    server.queue(sse(events))
    seen = ""
    with pytest.raises(errors.ProviderError, match="Overloaded"):  # noqa: PT012
        for chunk in call(server, stream=True):
            seen += chunk.choices[0].delta.content or ""
    assert seen == "Hello"


async def test_error_event_mid_stream_async(server: MockServer, examples: dict[str, Any]) -> None:
    events = [
        *examples["stream_text"][:2],
        {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limited"}},
    ]
    server.queue(sse(events))
    stream = await acall(server, stream=True)
    with pytest.raises(errors.RateLimitError):
        async for _ in stream:
            pass


def test_stream_cut_before_message_stop(server: MockServer, examples: dict[str, Any]) -> None:
    server.queue(sse(examples["stream_text"][:-1]))
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        list(call(server, stream=True))


# -- refused before sending ------------------------------------------------------------------------


@pytest.mark.parametrize("args", [{"seed": 7}, {"n": 3}, {"frequency_penalty": 1.0}, {"logprobs": True}])
def test_unsupported_param_sends_nothing(server: MockServer, args: dict[str, Any]) -> None:
    with pytest.raises(errors.UnsupportedParameterError):
        call(server, **args)
    assert server.requests == []


async def test_unsupported_param_sends_nothing_async(server: MockServer) -> None:
    with pytest.raises(errors.UnsupportedParameterError):
        await acall(server, presence_penalty=0.3)
    assert server.requests == []


def test_embedding_unsupported(server: MockServer) -> None:
    with pytest.raises(errors.UnsupportedCapabilityError):
        embedding(model="x", inputs="hello", provider="anthropic", api_base=server.url, api_key=KEY)
    assert server.requests == []


async def test_embedding_unsupported_async(server: MockServer) -> None:
    with pytest.raises(errors.UnsupportedCapabilityError):
        await aembedding(model="x", inputs="hello", provider="anthropic", api_base=server.url, api_key=KEY)
    assert server.requests == []


# -- models, configuration -------------------------------------------------------------------------


def test_list_models_sync(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["models"]))
    models = list_models(provider="anthropic", api_base=server.url, api_key=KEY)
    assert [m.id for m in models] == ["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"]
    request = server.requests[0]
    assert request.method == "GET"
    assert request.path == "/v1/models?limit=1000"
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"


async def test_list_models_async(server: MockServer, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["models"]))
    models = await alist_models(provider="anthropic", api_base=server.url + "/v1", api_key=KEY)
    assert models[0].model_dump()["display_name"] == "Claude Sonnet 4"
    assert server.requests[0].path == "/v1/models?limit=1000"


def test_env_vars(server: MockServer, monkeypatch: pytest.MonkeyPatch, examples: dict[str, Any]) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key-abcdef123")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    server.queue(Reply.json(examples["message_text"]))
    completion(model=MODEL, provider="anthropic", messages=[{"role": "user", "content": "Hi"}])
    assert server.requests[0].headers["x-api-key"] == "env-key-abcdef123"
    assert server.requests[0].path == "/v1/messages"


def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(errors.MissingApiKeyError, match="ANTHROPIC_API_KEY"):
        completion(model=MODEL, provider="anthropic", messages=[{"role": "user", "content": "Hi"}])


def test_image_and_pdf_request(server: MockServer, check: Any, examples: dict[str, Any]) -> None:
    server.queue(Reply.json(examples["message_text"]))
    call(
        server,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in these?"},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}},
                    {
                        "type": "file",
                        "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0xLjQ="},
                    },
                ],
            }
        ],
    )
    content = assert_sent(server, check)["messages"][0]["content"]
    assert [b["type"] for b in content] == ["text", "image", "document"]
