"""Through the real HTTP stack: the completion() seed examples with provider="mistral", streaming, tool round
trips, embeddings, models and errors, against a local server that speaks Mistral's wire format and rejects,
like Mistral, any body its schema forbids (422) or any tool-call id that is not 9 alphanumerics (400)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from mistral_kit import KEY, chunk, mistral_error, mistral_server, request_errors, text_stream, usage

from any_llm import acompletion, aembedding, alist_models, completion, embedding, errors, list_models
from any_llm.testing import MockServer, Reply
from any_llm.testing.seed import CityInfo, get_weather
from any_llm.types import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(mistral_server) as srv:
        yield srv


def common(server: MockServer) -> dict[str, Any]:
    return {"api_key": KEY, "api_base": server.url + "/v1"}


def assert_all_requests_valid(server: MockServer) -> None:
    for request in server.requests:
        assert request.headers["authorization"] == f"Bearer {KEY}"
        if request.path == "/v1/chat/completions":
            assert request_errors(request.json) == []


# -- the seed examples of completion.md ---------------------------------------------------------------


def test_basic_completion_example(server: MockServer) -> None:
    response = completion(
        model="mistral-small-latest",
        provider="mistral",
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        api_base=server.url + "/v1",
        api_key=KEY,
    )
    print(response.choices[0].message.content)
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content == "The capital of France is Paris."
    assert server.requests[0].path == "/v1/chat/completions"
    assert server.requests[0].json == {
        "model": "mistral-small-latest",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
    }


async def test_basic_completion_example_async(server: MockServer) -> None:
    response = await acompletion(
        model="mistral-small-latest",
        provider="mistral",
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        api_base=server.url + "/v1",
        api_key=KEY,
    )
    assert response.choices[0].message.content == "The capital of France is Paris."


def test_streaming_example(server: MockServer) -> None:
    pieces, chunks = [], []
    for chunk_ in completion(
        model="mistral-small-latest",
        provider="mistral",
        messages=[{"role": "user", "content": "Tell me a story."}],
        stream=True,
        **common(server),
    ):
        assert isinstance(chunk_, ChatCompletionChunk)
        chunks.append(chunk_)
        pieces.append(chunk_.choices[0].delta.content or "")
    assert "".join(pieces) == "Once upon a time."
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4
    sent = server.requests[0].json
    assert sent["stream"] is True and "stream_options" not in sent
    assert_all_requests_valid(server)


async def test_streaming_example_async(server: MockServer) -> None:
    stream = await acompletion(
        model="mistral:mistral-small-latest",
        messages=[{"role": "user", "content": "Hi"}],
        stream=True,
        **common(server),
    )
    text, last = "", None
    async with stream:
        async for chunk_ in stream:
            text += chunk_.choices[0].delta.content or ""
            last = chunk_
    assert text == "Once upon a time."
    assert last is not None and last.usage is not None and last.usage.total_tokens == 11


async def test_async_example(server: MockServer) -> None:
    response = await acompletion(
        model="mistral-small-latest",
        provider="mistral",
        messages=[{"role": "user", "content": "Hello!"}],
        **common(server),
    )
    assert response.choices[0].message.content == "The capital of France is Paris."


@pytest.mark.parametrize("use_async", [False, True])
async def test_structured_output_example(server: MockServer, use_async: bool) -> None:
    kwargs: dict[str, Any] = dict(
        model="mistral-small-latest",
        provider="mistral",
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
    assert_all_requests_valid(server)


def test_tool_calling_example(server: MockServer) -> None:
    response = completion(
        model="mistral-small-latest",
        provider="mistral",
        messages=[{"role": "user", "content": "What's the weather in Paris?"}],
        tools=[get_weather],
        api_base=server.url + "/v1",
        api_key=KEY,
    )
    call = response.choices[0].message.tool_calls[0]
    assert (call.id, call.function.name) == ("D681PevKs", "get_weather")
    assert json.loads(call.function.arguments) == {"location": "Paris"}
    tool = server.requests[0].json["tools"][0]["function"]
    assert tool["parameters"]["properties"]["location"]["description"] == "The city or location to get weather for"
    assert_all_requests_valid(server)


@pytest.mark.parametrize("use_async", [False, True])
async def test_full_tool_round_trip(server: MockServer, use_async: bool) -> None:
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]
    kwargs: dict[str, Any] = dict(
        model="mistral-small-latest", provider="mistral", tools=[get_weather], **common(server)
    )
    first = await acompletion(messages=messages, **kwargs) if use_async else completion(messages=messages, **kwargs)
    assert first.choices[0].finish_reason == "tool_calls"
    message = first.choices[0].message
    call = message.tool_calls[0]
    messages += [
        message,
        {"role": "tool", "tool_call_id": call.id, "content": get_weather(**json.loads(call.function.arguments))},
    ]
    final = await acompletion(messages=messages, **kwargs) if use_async else completion(messages=messages, **kwargs)
    assert final.choices[0].message.content == "It is sunny in Paris."
    replayed = server.requests[1].json["messages"]
    assert request_errors(server.requests[1].json) == []
    assert replayed[1] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "type": "function",
                "id": "D681PevKs",
                "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
            }
        ],
    }
    assert replayed[2] == {
        "role": "tool",
        "content": "Weather in Paris is sunny and 75F!",
        "tool_call_id": "D681PevKs",
        "name": "get_weather",
    }


def test_history_from_another_provider_is_accepted(server: MockServer) -> None:
    """OpenAI-style ids (call_…) would get a 400 from Mistral; the mapped ones pass the server's check."""
    messages = [
        {"role": "user", "content": "What's the weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "tool_calls": [
                {
                    "id": "call_9pX2kQw7TzYbLm3N",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_9pX2kQw7TzYbLm3N", "content": "sunny"},
    ]
    final = completion(
        model="mistral-small-latest", provider="mistral", messages=messages, tools=[get_weather], **common(server)
    )
    assert final.choices[0].message.content == "It is sunny in Paris."
    sent = server.requests[0].json["messages"]
    assert sent[1]["tool_calls"][0]["id"] == sent[2]["tool_call_id"] != "call_9pX2kQw7TzYbLm3N"
    assert_all_requests_valid(server)


# -- streaming shapes through the wire ----------------------------------------------------------------


async def collect(use_async: bool, kwargs: dict[str, Any]) -> list[ChatCompletionChunk]:
    if use_async:
        return [c async for c in await acompletion(**kwargs)]
    return list(completion(**kwargs))


@pytest.mark.parametrize("use_async", [False, True])
async def test_streamed_tool_call_in_pieces(server: MockServer, use_async: bool) -> None:
    kwargs: dict[str, Any] = dict(
        model="mistral-small-latest",
        provider="mistral",
        tools=[get_weather],
        stream=True,
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        **common(server),
    )
    chunks = await collect(use_async, kwargs)
    calls: dict[int, dict[str, str]] = {}
    for c in chunks:
        for tc in c.choices[0].delta.tool_calls or ():
            slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
            slot["id"] += tc.id or ""
            slot["name"] += (tc.function.name or "") if tc.function else ""
            slot["arguments"] += (tc.function.arguments or "") if tc.function else ""
    assert calls == {0: {"id": "a1B2c3D4e", "name": "get_weather", "arguments": '{"location": "Paris"}'}}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 12


@pytest.mark.parametrize("use_async", [False, True])
async def test_streamed_thinking(server: MockServer, use_async: bool) -> None:
    kwargs: dict[str, Any] = dict(
        model="mistral-medium-3-5",
        provider="mistral",
        stream=True,
        reasoning_effort="high",
        messages=[{"role": "user", "content": "What is 17 * 23?"}],
        **common(server),
    )
    chunks = await collect(use_async, kwargs)
    reasoning = "".join(c.choices[0].delta.reasoning.content for c in chunks if c.choices[0].delta.reasoning)
    assert reasoning == "17*23: 340 + 51 = 391."
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "17 * 23 = 391."
    assert server.requests[0].json["reasoning_effort"] == "high"
    assert_all_requests_valid(server)


def test_reasoning_completion_and_its_replay(server: MockServer) -> None:
    kwargs: dict[str, Any] = dict(
        model="mistral-small-latest", provider="mistral", reasoning_effort="high", **common(server)
    )
    messages: list[Any] = [{"role": "user", "content": "Capital of France?"}]
    response = completion(messages=messages, **kwargs)
    message = response.choices[0].message
    assert (message.content, message.reasoning.content) == ("Paris.", "Paris is the capital.")
    completion(messages=[*messages, message, {"role": "user", "content": "And of Italy?"}], **kwargs)
    assert server.requests[1].json["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": [{"type": "text", "text": "Paris is the capital."}]},
            {"type": "text", "text": "Paris."},
        ],
    }
    assert_all_requests_valid(server)


def test_error_in_the_middle_of_a_stream(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.sse(
            [
                chunk({"role": "assistant", "content": "Hel"}),
                {
                    "object": "error",
                    "message": "Internal server error",
                    "type": "internal_server_error",
                    "param": None,
                    "code": "1000",
                },
            ],
            done=False,
        )
    )
    stream = completion(
        model="mistral-small-latest",
        provider="mistral",
        messages=[{"role": "user", "content": "x"}],
        stream=True,
        api_key=KEY,
        api_base=mock_server.url + "/v1",
    )
    with pytest.raises(errors.ProviderError, match="Internal server error"):
        for _ in stream:
            pass


# -- embeddings and models ----------------------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True])
async def test_embedding(server: MockServer, use_async: bool) -> None:
    kwargs: dict[str, Any] = dict(
        model="mistral-embed", provider="mistral", inputs=["Embed this.", "And this."], **common(server)
    )
    result = await aembedding(**kwargs) if use_async else embedding(**kwargs)
    assert [d.index for d in result.data] == [0, 1]
    assert result.data[1].embedding == [0.2, -0.2, 0.3]
    assert result.usage.prompt_tokens == 2
    request = server.requests[0]
    assert (request.method, request.path) == ("POST", "/v1/embeddings")
    assert request.json == {"model": "mistral-embed", "input": ["Embed this.", "And this."]}
    assert request_errors(request.json, "EmbeddingRequest") == []


@pytest.mark.parametrize("use_async", [False, True])
async def test_list_models(server: MockServer, use_async: bool) -> None:
    models = (
        await alist_models(provider="mistral", **common(server))
        if use_async
        else list_models(provider="mistral", **common(server))
    )
    assert [m.id for m in models] == ["mistral-small-latest", "mistral-embed"]
    assert models[0].owned_by == "mistralai" and models[0].capabilities["vision"] is True
    assert (server.requests[0].method, server.requests[0].path) == ("GET", "/v1/models")


# -- errors and refusals ------------------------------------------------------------------------------


def call(server: MockServer, **kwargs: Any) -> Any:
    return completion(
        model="mistral-small-latest",
        provider="mistral",
        messages=[{"role": "user", "content": "Hi"}],
        api_base=server.url + "/v1",
        client_args={"max_retries": 0},
        **{"api_key": KEY, **kwargs},
    )


def test_wrong_key_is_an_authentication_error_without_the_key(server: MockServer) -> None:
    secret = "wrong-key-abcdef123456"
    with pytest.raises(errors.AuthenticationError) as info:
        call(server, api_key=secret)
    assert info.value.status_code == 401 and info.value.request_id == "req-401"
    assert secret not in str(info.value) and secret not in repr(info.value) and secret not in (info.value.body or "")


def test_unknown_kwarg_gets_mistrals_422(server: MockServer) -> None:
    """kwargs go into the body verbatim; Mistral's schema rejects unknown ones with a typed error."""
    with pytest.raises(errors.InvalidRequestError, match="'not_a_field' was unexpected") as info:
        call(server, not_a_field=1)
    assert info.value.status_code == 422


@pytest.mark.parametrize(
    ("reply", "cls"),
    [
        (mistral_error(429, "Requests rate limit exceeded", "rate_limited", "1300"), errors.RateLimitError),
        (
            mistral_error(
                400,
                "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum "
                "context length",
                code="3051",
            ),
            errors.ContextLengthExceededError,
        ),
        (mistral_error(400, "Input was blocked by moderation guardrails"), errors.ContentFilterError),
        (
            Reply.json(
                {
                    "detail": [
                        {
                            "loc": ["body", "temperature"],
                            "msg": "Input should be less than or equal to 1.5",
                            "type": "less_than_equal",
                        }
                    ]
                },
                status=422,
            ),
            errors.InvalidRequestError,
        ),
        (mistral_error(500, "Internal server error", "internal_server_error", "1000"), errors.ProviderError),
        (mistral_error(503, "Service unavailable", "service_unavailable"), errors.ProviderError),
    ],
)
async def test_error_statuses(mock_server: MockServer, reply: Reply, cls: type) -> None:
    mock_server.queue(reply, reply)
    with pytest.raises(cls) as info:
        call(mock_server)
    assert type(info.value) is cls and info.value.status_code == reply.status
    with pytest.raises(cls):
        await acompletion(
            model="mistral-small-latest",
            provider="mistral",
            messages=[{"role": "user", "content": "x"}],
            api_key=KEY,
            api_base=mock_server.url + "/v1",
            client_args={"max_retries": 0},
        )


def test_rate_limit_carries_retry_after(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.json(
            {
                "object": "error",
                "message": "Requests rate limit exceeded",
                "type": "rate_limited",
                "param": None,
                "code": "1300",
            },
            status=429,
            headers={"retry-after": "2"},
        )
    )
    with pytest.raises(errors.RateLimitError) as info:
        call(mock_server)
    assert info.value.retry_after == 2.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user": "u-1"},
        {"logprobs": True},
        {"top_logprobs": 3},
        {"logit_bias": {"1": 2.0}},
        {"service_tier": "auto"},
        {"stream": True, "stream_options": {"include_usage": False}},
        {"reasoning_effort": "medium"},
        {"tool_choice": {"type": "allowed_tools", "allowed_tools": {}}},
        {"tools": [{"type": "custom", "custom": {"name": "grammar"}}]},
    ],
)
async def test_unsupported_parameters_raise_before_any_request(mock_server: MockServer, kwargs: dict[str, Any]) -> None:
    with pytest.raises(errors.UnsupportedParameterError):
        call(mock_server, **kwargs)
    with pytest.raises(errors.UnsupportedParameterError):
        await acompletion(
            model="mistral-small-latest",
            provider="mistral",
            messages=[{"role": "user", "content": "x"}],
            api_key=KEY,
            api_base=mock_server.url + "/v1",
            **kwargs,
        )
    assert mock_server.requests == [] and mock_server.connections == 0


def test_both_token_limits_raise_before_any_request(mock_server: MockServer) -> None:
    with pytest.raises(errors.ConfigurationError):
        call(mock_server, max_tokens=10, max_completion_tokens=20)
    assert mock_server.requests == []


def test_environment_variables(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", KEY)
    monkeypatch.setenv("MISTRAL_API_BASE", server.url + "/v1")
    response = completion(model="mistral-small-latest", provider="mistral", messages=[{"role": "user", "content": "x"}])
    assert response.choices[0].message.content == "The capital of France is Paris."
    monkeypatch.delenv("MISTRAL_API_KEY")
    with pytest.raises(errors.MissingApiKeyError, match="MISTRAL_API_KEY"):
        completion(model="mistral-small-latest", provider="mistral", messages=[{"role": "user", "content": "x"}])


def test_a_stream_of_many_chunks_arrives_in_order(mock_server: MockServer) -> None:
    words = [f"w{i} " for i in range(200)]
    mock_server.queue(Reply.sse(text_stream(words)))
    chunks = list(call(mock_server, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "".join(words)
    assert chunks[-1].usage is not None and chunks[-1].usage == type(chunks[-1].usage).model_validate(
        {**usage(7, 200), "prompt_tokens_details": {"cached_tokens": 0}}
    )
