"""Error bodies and broken streams through the real HTTP stack map to our typed errors."""

from __future__ import annotations

from typing import Any

import pytest

from any_llm import acompletion, completion, errors
from any_llm.testing import MockServer, Reply

KEY = "test-key-123456"
MESSAGES = [{"role": "user", "content": "hi"}]
START = ("message-start", {"type": "message-start", "id": "s1", "delta": {"message": {"role": "assistant"}}})
DELTA = ("content-delta", {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hi"}}}})


def call(server: MockServer, **kwargs: Any) -> Any:
    return completion(
        model="command-a-03-2025",
        provider="cohere",
        messages=MESSAGES,
        api_base=server.url,
        api_key=KEY,
        client_args={"max_retries": 0},
        **kwargs,
    )


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (401, "invalid api token", errors.AuthenticationError),
        (498, "invalid api token", errors.AuthenticationError),
        (403, "you do not have access to this model", errors.AuthenticationError),
        (404, "model 'command-z' not found, make sure the correct model ID was used", errors.ModelNotFoundError),
        (
            400,
            "too many tokens: total number of tokens in the prompt cannot exceed 128000 - received 200000. "
            "Try using a shorter prompt",
            errors.ContextLengthExceededError,
        ),
        (400, "invalid request: all elements in history must have a message", errors.InvalidRequestError),
        (500, "internal server error, this has been reported to our developers", errors.ProviderError),
        (503, "service unavailable", errors.ProviderError),
    ],
)
def test_error_statuses(mock_server: MockServer, status: int, message: str, cls: type[Exception]) -> None:
    mock_server.queue(Reply.json({"id": "0f3b6f2a", "message": message}, status=status))
    with pytest.raises(cls) as info:
        call(mock_server)
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert message[:40] in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value) and KEY not in (info.value.body or "")


def test_rate_limit_with_retry_after(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.json(
            {"message": "You are using a Trial key, which is limited to 20 API calls / minute."},
            status=429,
            headers={"retry-after": "30"},
        )
    )
    with pytest.raises(errors.RateLimitError) as info:
        call(mock_server)
    assert info.value.retry_after == 30.0


async def test_async_error(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"message": "invalid api token"}, status=401))
    with pytest.raises(errors.AuthenticationError):
        await acompletion(
            model="command-a-03-2025",
            provider="cohere",
            messages=MESSAGES,
            api_base=mock_server.url,
            api_key=KEY,
            client_args={"max_retries": 0},
        )


def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    monkeypatch.delenv("CO_API_KEY", raising=False)
    with pytest.raises(errors.MissingApiKeyError, match="COHERE_API_KEY"):
        completion(model="command-a-03-2025", provider="cohere", messages=MESSAGES)


def test_failed_generation_in_200(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"id": "x", "finish_reason": "ERROR", "message": {"role": "assistant"}}))
    with pytest.raises(errors.ProviderError):
        call(mock_server)


def test_stream_error_at_message_end(mock_server: MockServer) -> None:
    end = ("message-end", {"type": "message-end", "delta": {"finish_reason": "ERROR", "error": "model crashed"}})
    mock_server.queue(Reply.sse([START, DELTA, end], done=False))
    stream = call(mock_server, stream=True)
    assert next(stream).choices[0].delta.role == "assistant"  # from message-start
    assert next(stream).choices[0].delta.content == "Hi"
    with pytest.raises(errors.ProviderError, match="model crashed"):
        next(stream)


async def test_stream_cut_async(mock_server: MockServer) -> None:
    mock_server.queue(Reply.sse([START, DELTA], done=False))
    stream = await acompletion(
        model="command-a-03-2025",
        provider="cohere",
        messages=MESSAGES,
        stream=True,
        api_base=mock_server.url,
        api_key=KEY,
    )
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        async for _ in stream:
            pass


def test_stream_connection_cut(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply(200, {"content-type": "text/event-stream"}, [b'event: message-start\ndata: {"ty'], fault="cut")
    )
    with pytest.raises(errors.APIConnectionError):
        list(call(mock_server, stream=True))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("n", 2),
        ("logit_bias", {"1": 1.0}),
        ("parallel_tool_calls", True),
        ("user", "me"),
        ("top_logprobs", 3),
        ("tool_choice", {"type": "custom", "custom": {"name": "f"}}),
    ],
)
def test_unsupported_parameter_sends_nothing(mock_server: MockServer, name: str, value: Any) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
    with pytest.raises(errors.UnsupportedParameterError):
        call(mock_server, tools=tools, **{name: value})
    assert mock_server.requests == []
