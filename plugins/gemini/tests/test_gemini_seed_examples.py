"""The seed examples of the completion() reference through the real HTTP stack against a local server that
answers like generativelanguage.googleapis.com, sync and async; plus errors, embeddings and models."""

from __future__ import annotations

import json
from typing import Any

import pytest

import any_llm
from any_llm import acompletion, completion, errors
from any_llm.testing import MockServer, RecordedRequest, Reply
from any_llm.testing.seed import CityInfo, get_weather
from any_llm.types import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion

KEY = "test-key-123456"
MODEL = "gemini-2.5-flash"


def candidate(parts: list[dict[str, Any]], finish: str = "STOP") -> dict[str, Any]:
    return {"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}


def response(parts: list[dict[str, Any]], finish: str = "STOP") -> dict[str, Any]:
    return {
        "candidates": [candidate(parts, finish)],
        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 7, "totalTokenCount": 16},
        "modelVersion": MODEL,
        "responseId": "resp-1",
    }


STORY = ["Once", " upon", " a", " time."]


def stream_events(words: list[str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": w}]}, "index": 0}],
            "modelVersion": MODEL,
            "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
            "responseId": "resp-s",
        }
        for w in words
    ]
    events[-1]["candidates"][0]["finishReason"] = "STOP"
    events[-1]["usageMetadata"] = {
        "promptTokenCount": 5,
        "candidatesTokenCount": len(words),
        "totalTokenCount": 5 + len(words),
    }
    return events


def gemini_server(request: RecordedRequest) -> Reply:
    """Answers like the Gemini API would, choosing the shape from the request."""
    if request.headers.get("x-goog-api-key") != KEY:
        return error_reply(
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
            [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
        )
    assert "key=" not in request.path and KEY not in request.path
    assert "authorization" not in request.headers
    body = request.json
    if request.path == f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse":
        if body.get("tools"):
            call = {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}, "thoughtSignature": "c2ln"}
            return Reply.sse([response([call])], done=False)
        return Reply.sse(stream_events(STORY), done=False)
    assert request.path == f"/v1beta/models/{MODEL}:generateContent", request.path
    last = body["contents"][-1]["parts"]
    if "functionResponse" in last[0]:
        return Reply.json(response([{"text": "It is sunny in Paris."}]))
    if body.get("tools"):
        call = {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}, "thoughtSignature": "c2lnLTE="}
        return Reply.json(response([call]))
    if body.get("generationConfig", {}).get("responseMimeType") == "application/json":
        city = json.dumps({"name": "Paris", "country": "France", "population": 2102650})
        return Reply.json(response([{"text": city}]))
    return Reply.json(response([{"text": "The capital of France is Paris."}]))


@pytest.fixture
def server() -> Any:
    with MockServer(gemini_server) as srv:
        yield srv


def common(server: MockServer) -> dict[str, Any]:
    return {"api_key": KEY, "api_base": server.url + "/v1beta"}


@pytest.mark.parametrize("use_async", [False, True])
async def test_basic(server: MockServer, use_async: bool) -> None:
    kwargs: dict[str, Any] = dict(
        model=MODEL,
        provider="gemini",
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        **common(server),
    )
    result = await acompletion(**kwargs) if use_async else completion(**kwargs)
    assert isinstance(result, ChatCompletion)
    assert result.choices[0].message.content == "The capital of France is Paris."
    assert result.usage is not None and result.usage.total_tokens == 16
    sent = server.requests[0]
    assert sent.method == "POST"
    assert sent.path == f"/v1beta/models/{MODEL}:generateContent"
    assert sent.headers["x-goog-api-key"] == KEY and KEY not in sent.path and "authorization" not in sent.headers
    assert sent.json == {"contents": [{"role": "user", "parts": [{"text": "What is the capital of France?"}]}]}


def test_streaming(server: MockServer) -> None:
    pieces = []
    chunks = []
    for chunk in completion(
        model=MODEL,
        provider="gemini",
        messages=[{"role": "user", "content": "Tell me a story."}],
        stream=True,
        **common(server),
    ):
        assert isinstance(chunk, ChatCompletionChunk)
        chunks.append(chunk)
        pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(pieces) == "Once upon a time."
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4
    assert chunks[-1].choices[0].finish_reason == "stop"
    sent = server.requests[0]
    assert sent.path == f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
    assert sent.headers["accept"] == "text/event-stream"


async def test_async_streaming(server: MockServer) -> None:
    stream = await acompletion(
        model=f"gemini:{MODEL}", messages=[{"role": "user", "content": "Hi"}], stream=True, **common(server)
    )
    text = ""
    async with stream:
        async for chunk in stream:
            text += chunk.choices[0].delta.content or ""
    assert text == "Once upon a time."
    assert server.requests[0].query == {"alt": "sse"}


@pytest.mark.parametrize("use_async", [False, True])
async def test_structured_output(server: MockServer, use_async: bool) -> None:
    kwargs: dict[str, Any] = dict(
        model=MODEL,
        provider="gemini",
        messages=[{"role": "user", "content": "Tell me about Paris."}],
        response_format=CityInfo,
        **common(server),
    )
    result = await acompletion(**kwargs) if use_async else completion(**kwargs)
    assert isinstance(result, ParsedChatCompletion)
    city = result.choices[0].message.parsed
    assert isinstance(city, CityInfo)
    assert (city.name, city.country, city.population) == ("Paris", "France", 2102650)
    config = server.requests[0].json["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["required"] == ["name", "country", "population"]


@pytest.mark.parametrize("use_async", [False, True])
async def test_tool_calling_round_trip(server: MockServer, use_async: bool) -> None:
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]
    kwargs: dict[str, Any] = dict(model=MODEL, provider="gemini", tools=[get_weather], **common(server))
    first = await acompletion(messages=messages, **kwargs) if use_async else completion(messages=messages, **kwargs)
    assert first.choices[0].finish_reason == "tool_calls"
    message = first.choices[0].message
    call = message.tool_calls[0]
    assert call.function.name == "get_weather"
    declared = server.requests[0].json["tools"][0]["functionDeclarations"][0]
    assert declared["name"] == "get_weather"
    assert declared["parametersJsonSchema"]["properties"]["location"]["description"] == (
        "The city or location to get weather for"
    )
    result = get_weather(**json.loads(call.function.arguments))
    messages += [message, {"role": "tool", "tool_call_id": call.id, "content": result}]
    final = await acompletion(messages=messages, **kwargs) if use_async else completion(messages=messages, **kwargs)
    assert final.choices[0].message.content == "It is sunny in Paris."
    replayed = server.requests[1].json["contents"]
    assert replayed[1] == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}, "thoughtSignature": "c2lnLTE="}
        ],
    }
    assert replayed[2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"result": "Weather in Paris is sunny and 75F!"}}}
        ],
    }


async def test_streamed_tool_call(server: MockServer) -> None:
    stream = await acompletion(
        model=MODEL,
        provider="gemini",
        messages=[{"role": "user", "content": "Weather?"}],
        tools=[get_weather],
        stream=True,
        **common(server),
    )
    chunks = [chunk async for chunk in stream]
    calls = [c for chunk in chunks for c in chunk.choices[0].delta.tool_calls or ()]
    assert len(calls) == 1 and calls[0].function is not None
    assert (calls[0].index, calls[0].function.name) == (0, "get_weather")
    assert json.loads(calls[0].function.arguments or "") == {"location": "Paris"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_connection_is_reused(server: MockServer) -> None:
    for _ in range(5):
        completion(model=MODEL, provider="gemini", messages=[{"role": "user", "content": "x"}], **common(server))
    assert len(server.requests) == 5 and server.connections == 1


def test_key_and_base_url_from_the_environment(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("GOOGLE_API_KEY", KEY)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.url)  # a bare host, as Google's SDK takes it
    result: Any = completion(model=MODEL, provider="gemini", messages=[{"role": "user", "content": "x"}])
    assert result.choices[0].message.content == "The capital of France is Paris."
    assert server.requests[0].path == f"/v1beta/models/{MODEL}:generateContent"
    monkeypatch.setenv("GEMINI_API_KEY", "another-key-99999")  # GEMINI_API_KEY wins over GOOGLE_API_KEY
    with pytest.raises(errors.AuthenticationError):
        completion(
            model=MODEL, provider="gemini", messages=[{"role": "user", "content": "x"}], client_args={"max_retries": 0}
        )


def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(errors.MissingApiKeyError, match="GEMINI_API_KEY or GOOGLE_API_KEY"):
        completion(model=MODEL, provider="gemini", messages=[{"role": "user", "content": "x"}])


# -- errors through the wire ----------------------------------------------------------------------


def error_reply(
    status: int, code: str, message: str, details: list[Any] | None = None, headers: dict[str, str] | None = None
) -> Reply:
    error: dict[str, Any] = {"code": status, "message": message, "status": code}
    if details:
        error["details"] = details
    return Reply.json({"error": error}, status=status, headers=headers)


@pytest.mark.parametrize(
    ("reply", "cls"),
    [
        (
            error_reply(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
            ),
            errors.AuthenticationError,
        ),
        (
            error_reply(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
            errors.AuthenticationError,
        ),
        (
            error_reply(
                400,
                "INVALID_ARGUMENT",
                "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
            ),
            errors.ContextLengthExceededError,
        ),
        (error_reply(500, "INTERNAL", "An internal error has occurred."), errors.ProviderError),
        (error_reply(503, "UNAVAILABLE", "The model is overloaded. Please try again later."), errors.ProviderError),
    ],
)
@pytest.mark.parametrize("use_async", [False, True])
async def test_errors(reply: Reply, cls: type[Exception], use_async: bool) -> None:
    with MockServer() as srv:
        srv.queue(reply)
        kwargs: dict[str, Any] = dict(
            model=MODEL,
            provider="gemini",
            messages=[{"role": "user", "content": "x"}],
            api_key=KEY,
            api_base=srv.url + "/v1beta",
            client_args={"max_retries": 0},
        )
        with pytest.raises(cls) as info:
            await acompletion(**kwargs) if use_async else completion(**kwargs)
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert len(srv.requests) == 1


@pytest.mark.parametrize("use_async", [False, True])
async def test_rate_limit_with_retry_info(use_async: bool) -> None:
    with MockServer() as srv:
        srv.queue(
            error_reply(
                429,
                "RESOURCE_EXHAUSTED",
                "You exceeded your current quota.",
                [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}],
            )
        )
        kwargs: dict[str, Any] = dict(
            model=MODEL,
            provider="gemini",
            messages=[{"role": "user", "content": "x"}],
            api_key=KEY,
            api_base=srv.url + "/v1beta",
            client_args={"max_retries": 0},
        )
        with pytest.raises(errors.RateLimitError) as info:
            await acompletion(**kwargs) if use_async else completion(**kwargs)
    assert info.value.retry_after == 17.0


def test_rate_limit_with_retry_after_header() -> None:
    with MockServer() as srv:
        srv.queue(error_reply(429, "RESOURCE_EXHAUSTED", "Too many requests", headers={"retry-after": "3"}))
        with pytest.raises(errors.RateLimitError) as info:
            completion(
                model=MODEL,
                provider="gemini",
                messages=[{"role": "user", "content": "x"}],
                api_key=KEY,
                api_base=srv.url + "/v1beta",
                client_args={"max_retries": 0},
            )
    assert info.value.retry_after == 3.0


@pytest.mark.parametrize("stream", [False, True])
def test_safety_blocked_prompt(stream: bool) -> None:
    blocked = {
        "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
        "usageMetadata": {"promptTokenCount": 4, "totalTokenCount": 4},
        "modelVersion": MODEL,
    }
    with MockServer() as srv:
        srv.queue(Reply.sse([blocked], done=False) if stream else Reply.json(blocked))

        def call() -> None:
            result: Any = completion(
                model=MODEL,
                provider="gemini",
                messages=[{"role": "user", "content": "x"}],
                stream=stream,
                api_key=KEY,
                api_base=srv.url + "/v1beta",
            )
            if stream:
                list(result)

        with pytest.raises(errors.ContentFilterError, match="PROHIBITED_CONTENT"):
            call()


def test_stream_cut_before_finish_raises() -> None:
    with MockServer() as srv:
        srv.queue(Reply.sse(stream_events(STORY)[:2], done=False))
        stream = completion(
            model=MODEL,
            provider="gemini",
            messages=[{"role": "user", "content": "x"}],
            stream=True,
            api_key=KEY,
            api_base=srv.url + "/v1beta",
        )
        with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
            list(stream)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(logit_bias={"42": 5.0}), "logit_bias"),
        (dict(user="end-user-1"), "user"),
        (dict(tools=[get_weather], parallel_tool_calls=False), "parallel_tool_calls"),
    ],
)
def test_unsupported_parameters_send_nothing(kwargs: dict[str, Any], name: str) -> None:
    with MockServer() as srv:
        with pytest.raises(errors.UnsupportedParameterError) as info:
            completion(
                model=MODEL,
                provider="gemini",
                messages=[{"role": "user", "content": "x"}],
                api_key=KEY,
                api_base=srv.url + "/v1beta",
                **kwargs,
            )
        assert srv.requests == []
    assert info.value.parameter_name == name


# -- embeddings and models ------------------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True])
async def test_embeddings(use_async: bool) -> None:
    with MockServer() as srv:
        srv.queue(Reply.json({"embeddings": [{"values": [0.1, 0.2]}, {"values": [0.3, 0.4]}]}))
        kwargs: dict[str, Any] = dict(
            model="gemini-embedding-001",
            inputs=["a", "b"],
            provider="gemini",
            api_key=KEY,
            api_base=srv.url + "/v1beta",
            dimensions=2,
        )
        result = await any_llm.aembedding(**kwargs) if use_async else any_llm.embedding(**kwargs)
    assert [e.embedding for e in result.data] == [[0.1, 0.2], [0.3, 0.4]]
    sent = srv.requests[0]
    assert sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert sent.headers["x-goog-api-key"] == KEY
    assert sent.json["requests"][0] == {
        "model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "a"}]},
        "outputDimensionality": 2,
    }


def test_list_models() -> None:
    with MockServer() as srv:
        srv.queue(
            Reply.json(
                {
                    "models": [
                        {"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash"},
                        {"name": "models/gemini-2.5-pro"},
                    ]
                }
            )
        )
        models = any_llm.list_models(provider="gemini", api_key=KEY, api_base=srv.url + "/v1beta", pageSize=100)
    assert [m.id for m in models] == ["gemini-2.5-flash", "gemini-2.5-pro"]
    assert srv.requests[0].path == "/v1beta/models?pageSize=100"
    assert srv.requests[0].headers["x-goog-api-key"] == KEY
