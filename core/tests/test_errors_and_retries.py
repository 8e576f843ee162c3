"""Error mapping, key redaction, retries (bounded, Retry-After honoured) and stream closing."""

from __future__ import annotations

import email.utils
import logging
import pickle
import time
from typing import Any

import pytest

from any_llm import AnyLLM, completion, errors
from any_llm.testing import MockServer, Reply
from any_llm.wire import parse_retry_after

KEY = "sk-secret-ABCDEFGHIJKLMNOP"
OK = {
    "id": "1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
}
MSG = [{"role": "user", "content": "x"}]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record retry sleeps instead of sleeping (timing is never asserted by wall clock)."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)

    async def fake_async_sleep(delay: float) -> None:
        recorded.append(delay)

    import asyncio

    real = asyncio.sleep

    async def patched(delay: float, *a: Any, **k: Any) -> Any:
        if delay > 0:
            recorded.append(delay)
            return None
        return await real(0)

    monkeypatch.setattr(asyncio, "sleep", patched)
    return recorded


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (401, {"error": {"message": "bad key"}}, errors.AuthenticationError),
        (403, {"error": {"message": "forbidden"}}, errors.AuthenticationError),
        (404, {"error": {"message": "model not found"}}, errors.ModelNotFoundError),
        (429, {"error": {"message": "slow down"}}, errors.RateLimitError),
        (400, {"error": {"message": "bad", "code": "invalid_value"}}, errors.InvalidRequestError),
        (422, {"detail": [{"msg": "field required"}]}, errors.InvalidRequestError),
        (
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens",
                    "code": "context_length_exceeded",
                }
            },
            errors.ContextLengthExceededError,
        ),
        (400, {"error": {"message": "flagged", "code": "content_filter"}}, errors.ContentFilterError),
        (500, {"error": {"message": "boom"}}, errors.ProviderError),
        (529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, errors.ProviderError),
    ],
)
def test_status_mapping(status: int, body: dict[str, Any], cls: type[Exception]) -> None:
    import json

    from any_llm.provider import Provider

    provider = type("P", (Provider,), {"name": "p"})()
    err = provider.parse_error(status, {"x-request-id": "req_1"}, json.dumps(body).encode())
    assert type(err) is cls
    assert err.status_code == status and err.request_id == "req_1" and err.provider == "p"
    assert isinstance(err, errors.AnyLLMError)


def test_any_llm_names_exist() -> None:
    from any_llm import exceptions

    for name in [
        "AnyLLMError",
        "MissingApiKeyError",
        "UnsupportedProviderError",
        "UnsupportedParameterError",
        "AuthenticationError",
        "RateLimitError",
        "ContentFilterError",
        "ModelNotFoundError",
        "ContextLengthExceededError",
        "InvalidRequestError",
        "ProviderError",
    ]:
        assert issubclass(getattr(exceptions, name), errors.AnyLLMError)


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    date = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8 <= (parse_retry_after({"retry-after": date}) or 0) <= 10.5
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_keys_never_show(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = AnyLLM.create("openai", api_key=KEY, api_base="http://127.0.0.1:9")
    assert KEY not in repr(client) and KEY not in repr(client.provider) and KEY not in repr(client.provider.api_key)
    err = errors.AuthenticationError(f"rejected key {KEY}", body=f'{{"error": "Bearer {KEY}"}}', provider="openai")
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in (err.body or "")
    assert KEY not in str(pickle.loads(pickle.dumps(err)))
    with pytest.raises(TypeError):
        pickle.dumps(client.provider.api_key)
    client.close()


def test_error_bodies_are_truncated() -> None:
    err = errors.ProviderError("x", body="y" * 10_000)
    assert err.body is not None and len(err.body) < 2100 and err.body.endswith("more characters]")


def test_retries_are_bounded_and_honour_retry_after(mock_server: MockServer, sleeps: list[float]) -> None:
    mock_server.queue(
        Reply.json({"error": {"message": "slow"}}, 429, headers={"retry-after-ms": "1234"}),
        Reply.json({"error": {"message": "slow"}}, 429, headers={"retry-after": "2"}),
        Reply.json(OK),
    )
    out = completion(model="m", provider="openai", api_key=KEY, api_base=mock_server.url, messages=MSG)
    assert out.choices[0].message.content == "hi"
    assert len(mock_server.requests) == 3
    assert sleeps == [1.234, 2.0]


def test_retries_give_up_after_max_retries(mock_server: MockServer, sleeps: list[float]) -> None:
    mock_server.queue(*[Reply.json({"error": {"message": "down"}}, 503) for _ in range(5)])
    with pytest.raises(errors.ProviderError) as info:
        completion(
            model="m",
            provider="openai",
            api_key=KEY,
            api_base=mock_server.url,
            messages=MSG,
            client_args={"max_retries": 3},
        )
    assert info.value.status_code == 503
    assert len(mock_server.requests) == 4
    assert len(sleeps) == 3
    assert all(0.3 <= s <= 8 for s in sleeps) and sleeps[1] > sleeps[0] * 1.2  # exponential backoff


def test_no_retry_on_client_errors(mock_server: MockServer, sleeps: list[float]) -> None:
    mock_server.queue(Reply.json({"error": {"message": "bad"}}, 400), Reply.json(OK))
    with pytest.raises(errors.InvalidRequestError):
        completion(model="m", provider="openai", api_key=KEY, api_base=mock_server.url, messages=MSG)
    assert len(mock_server.requests) == 1 and sleeps == []


def test_a_long_retry_after_is_not_slept(mock_server: MockServer, sleeps: list[float]) -> None:
    mock_server.queue(Reply.json({"error": {"message": "quota"}}, 429, headers={"retry-after": "3600"}))
    with pytest.raises(errors.RateLimitError) as info:
        completion(model="m", provider="openai", api_key=KEY, api_base=mock_server.url, messages=MSG)
    assert info.value.retry_after == 3600.0 and sleeps == []


async def test_async_retries_share_the_policy(mock_server: MockServer, sleeps: list[float]) -> None:
    from any_llm import acompletion

    mock_server.queue(Reply.json({"error": {"message": "x"}}, 500, headers={"retry-after": "1"}), Reply.json(OK))
    out = await acompletion(model="m", provider="openai", api_key=KEY, api_base=mock_server.url, messages=MSG)
    assert out.choices[0].message.content == "hi"
    assert sleeps == [1.0]


def test_connection_refused_is_typed() -> None:
    with pytest.raises(errors.APIConnectionError, match="could not connect"):
        completion(
            model="m",
            provider="openai",
            api_key=KEY,
            api_base="http://127.0.0.1:9",
            messages=MSG,
            client_args={"max_retries": 0},
        )


def test_read_timeout_is_typed(mock_server: MockServer) -> None:
    mock_server.queue(Reply(fault="hang"))
    with pytest.raises(errors.APITimeoutError):
        completion(
            model="m",
            provider="openai",
            api_key=KEY,
            api_base=mock_server.url,
            messages=MSG,
            client_args={"max_retries": 0, "timeout": 0.3},
        )


def sse_reply(n: int) -> Reply:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    events = [
        {**base, "choices": [{"index": 0, "delta": {"content": str(i)}, "finish_reason": None}]} for i in range(n)
    ]
    events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return Reply.sse(events)


def test_breaking_out_of_a_stream_closes_the_connection(mock_server: MockServer) -> None:
    mock_server.queue(sse_reply(1000))
    client = AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url)
    stream = client.completion("m", MSG, stream=True)
    for chunk in stream:
        if chunk.choices[0].delta.content == "3":
            break
    stream.close()
    assert stream.response.is_closed
    client.close()


def test_stream_context_manager_closes(mock_server: MockServer) -> None:
    mock_server.queue(sse_reply(50))
    client = AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url)
    with client.completion("m", MSG, stream=True) as stream:
        next(stream)
    assert stream.response.is_closed
    assert list(stream) == []
    client.close()


def test_exhausted_stream_is_closed_and_connection_reused(mock_server: MockServer) -> None:
    mock_server.queue(sse_reply(3), sse_reply(3))
    client = AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url)
    first = list(client.completion("m", MSG, stream=True))
    second = list(client.completion("m", MSG, stream=True))
    assert len(first) == len(second) == 4
    assert mock_server.connections == 1
    client.close()


def test_stream_cut_before_the_end_is_an_error(mock_server: MockServer) -> None:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    mock_server.queue(Reply.sse([{**base, "choices": [{"index": 0, "delta": {"content": "a"}}]}], done=False))
    client = AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url)
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        list(client.completion("m", MSG, stream=True))
    client.close()


def test_error_event_mid_stream_is_typed(mock_server: MockServer) -> None:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    mock_server.queue(
        Reply.sse(
            [
                {**base, "choices": [{"index": 0, "delta": {"content": "a"}}]},
                {"error": {"message": "rate limited", "type": "rate_limit_exceeded"}},
            ]
        )
    )
    client = AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url)
    stream = client.completion("m", MSG, stream=True)
    assert next(stream).choices[0].delta.content == "a"
    with pytest.raises(errors.RateLimitError, match="rate limited"):
        next(stream)
    client.close()


def test_think_tags_split_across_chunks_and_held_text_is_not_lost(mock_server: MockServer) -> None:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    pieces = ["<thi", "nk>plan", " a</th", "ink>Answer", " here", "<"]
    mock_server.queue(
        Reply.sse(
            [{**base, "choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
            + [{**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
        )
    )
    client = AnyLLM.create_openai_compatible("local", api_base=mock_server.url)
    chunks = list(client.completion("m", MSG, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    thought = "".join(
        c.choices[0].delta.reasoning.content for c in chunks if c.choices and c.choices[0].delta.reasoning
    )
    assert thought == "plan a"
    assert text == "Answer here<"
    client.close()
