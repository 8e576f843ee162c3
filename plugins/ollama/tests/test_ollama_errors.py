"""Error bodies and broken streams through the real HTTP stack map to our typed errors."""

from __future__ import annotations

from typing import Any

import pytest

from any_llm import acompletion, completion, errors
from any_llm.testing import MockServer, Reply

KEY = "test-key-123456"
MESSAGES = [{"role": "user", "content": "hi"}]
LINE = {
    "model": "llama3.2",
    "created_at": "2025-07-07T20:22:19Z",
    "message": {"role": "assistant", "content": "Hi"},
    "done": False,
}


def call(server: MockServer, **kwargs: Any) -> Any:
    return completion(
        model="llama3.2",
        provider="ollama",
        messages=MESSAGES,
        api_base=server.url,
        api_key=KEY,
        client_args={"max_retries": 0},
        **kwargs,
    )


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (401, "unauthorized", errors.AuthenticationError),
        (403, "forbidden", errors.AuthenticationError),
        (404, 'model "llama3.2" not found, try pulling it first', errors.ModelNotFoundError),
        (
            400,
            "the prompt is longer than the context length currently available to the model; shorten the prompt",
            errors.ContextLengthExceededError,
        ),
        (400, "invalid options: num_ctx", errors.InvalidRequestError),
        (500, "llama runner process has terminated: signal: killed", errors.ProviderError),
        (503, "server busy, please try again.  maximum pending requests exceeded", errors.ProviderError),
    ],
)
def test_error_statuses(mock_server: MockServer, status: int, message: str, cls: type[Exception]) -> None:
    mock_server.queue(Reply.json({"error": message}, status=status))
    with pytest.raises(cls) as info:
        call(mock_server)
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert message in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value)


def test_rate_limit_with_retry_after(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"error": "too many requests"}, status=429, headers={"retry-after": "3"}))
    with pytest.raises(errors.RateLimitError) as info:
        call(mock_server)
    assert info.value.retry_after == 3.0


async def test_async_error(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"error": "unauthorized"}, status=401))
    with pytest.raises(errors.AuthenticationError):
        await acompletion(
            model="llama3.2",
            provider="ollama",
            messages=MESSAGES,
            api_base=mock_server.url,
            api_key=KEY,
            client_args={"max_retries": 0},
        )


def test_5xx_is_retried_then_succeeds(mock_server: MockServer) -> None:
    final = {**LINE, "done": True, "done_reason": "stop", "prompt_eval_count": 1, "eval_count": 1}
    mock_server.queue(Reply.json({"error": "busy"}, status=503, headers={"retry-after": "0"}), Reply.json(final))
    response = completion(
        model="llama3.2", provider="ollama", messages=MESSAGES, api_base=mock_server.url, client_args={"max_retries": 1}
    )
    assert response.choices[0].message.content == "Hi"
    assert len(mock_server.requests) == 2


def test_error_line_mid_stream(mock_server: MockServer) -> None:
    mock_server.queue(Reply.ndjson([LINE, {"error": "an error was encountered while running the model"}]))
    stream = call(mock_server, stream=True)
    assert next(stream).choices[0].delta.content == "Hi"
    with pytest.raises(errors.ProviderError, match="running the model"):
        next(stream)


async def test_error_line_mid_stream_async(mock_server: MockServer) -> None:
    mock_server.queue(Reply.ndjson([LINE, {"error": "the input length exceeds the context length"}]))
    stream = await acompletion(
        model="llama3.2", provider="ollama", messages=MESSAGES, api_base=mock_server.url, stream=True
    )
    with pytest.raises(errors.ContextLengthExceededError):
        async for _ in stream:
            pass


def test_stream_without_done_line(mock_server: MockServer) -> None:
    mock_server.queue(Reply.ndjson([LINE, LINE]))
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        list(call(mock_server, stream=True))


def test_stream_cut_mid_body(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply(200, {"content-type": "application/x-ndjson"}, [b'{"model": "m", "message": {"con'], fault="cut")
    )
    with pytest.raises(errors.APIConnectionError):
        list(call(mock_server, stream=True))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("n", 3),
        ("logit_bias", {"1": 1.0}),
        ("parallel_tool_calls", True),
        ("user", "me"),
        ("tool_choice", "required"),
    ],
)
def test_unsupported_parameter_sends_nothing(mock_server: MockServer, name: str, value: Any) -> None:
    with pytest.raises(errors.UnsupportedParameterError):
        call(mock_server, **{name: value})
    assert mock_server.requests == []


def test_http_image_sends_nothing(mock_server: MockServer) -> None:
    messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x.test/cat.png"}}]}]
    with pytest.raises(errors.UnsupportedParameterError, match="data:image"):
        completion(model="llava", provider="ollama", messages=messages, api_base=mock_server.url)
    assert mock_server.requests == []


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1:11434", "http://127.0.0.1:11434"),
        ("0.0.0.0:11434", "http://127.0.0.1:11434"),
        ("ollama.internal", "http://ollama.internal:11434"),
        ("https://ollama.example.com", "https://ollama.example.com"),
    ],
)
def test_scheme_less_ollama_host(monkeypatch: pytest.MonkeyPatch, host: str, expected: str) -> None:
    from anyllm_ollama.provider import OllamaProvider

    from any_llm.client import resolve_api_base

    monkeypatch.setenv("OLLAMA_HOST", host)
    assert resolve_api_base(OllamaProvider, None) == expected
