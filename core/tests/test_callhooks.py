"""Call hooks: order, contents, isolation of a raising hook, zero work when none is registered."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from any_llm import AnyLLM, callhooks, errors, hookimpl, plugins
from any_llm.callhooks import CallInfo
from any_llm.testing import MockServer, Reply
from any_llm.testing.hooks import CallRecorder

KEY = "sk-secret-ABCDEFGHIJKLMNOP"
OK = {
    "id": "resp-1",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-test-2025",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
}
MSG = [{"role": "user", "content": "hello there"}]


def chunk(content: str | None, finish: str | None = None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    delta = {"content": content} if content is not None else {}
    out: dict[str, Any] = {
        "id": "c-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "gpt-test-2025",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        out["usage"] = usage
    return out


Recorder = CallRecorder


class Broken:
    @hookimpl
    def anyllm_call_start(self, call: CallInfo) -> None:
        raise RuntimeError("plugin bug")

    @hookimpl(tryfirst=True)
    def anyllm_call_response(self, call: CallInfo) -> None:
        raise RuntimeError("plugin bug")


@pytest.fixture
def recorder(call_recorder: CallRecorder) -> CallRecorder:
    return call_recorder


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda s: None)


def client(server: MockServer, **kw: Any) -> AnyLLM:
    return AnyLLM.create("openai", api_key=KEY, api_base=server.url + "/v1", **kw)


def test_plain_call_fires_start_attempt_response(recorder: Recorder, server: MockServer) -> None:
    server.queue(Reply.json(OK, headers={"x-request-id": "req-42"}))
    with client(server) as c:
        c.completion("gpt-test", MSG, temperature=0.2, max_tokens=5, seed=1)
    assert recorder.names() == ["start", "attempt", "response"]
    call = recorder.events[0][1]
    assert all(e[1] is call for e in recorder.events)
    assert (call.provider, call.model, call.operation, call.stream) == ("openai", "gpt-test", "chat", False)
    assert call.parameters == {"temperature": 0.2, "max_tokens": 5, "seed": 1}
    assert call.messages == MSG
    assert (call.server_address, call.server_port) == ("127.0.0.1", server.port)
    assert (call.input_tokens, call.output_tokens) == (7, 3)
    assert (call.response_model, call.response_id, call.finish_reasons) == ("gpt-test-2025", "resp-1", ["stop"])
    assert call.request_id == "req-42" and call.status_code == 200 and call.attempts == 1
    assert call.duration is not None and call.duration > 0 and call.completed
    attempt = recorder.events[1][2]
    assert attempt.number == 1 and attempt.status_code == 200 and not attempt.will_retry
    assert attempt.url == server.url + "/v1/chat/completions"


def test_retries_are_attempts_then_error(recorder: Recorder, server: MockServer, no_sleep: None) -> None:
    busy = Reply.json({"error": {"message": "busy"}}, status=503)
    server.queue(busy, busy, Reply.json({"error": {"message": "slow"}}, status=429, headers={"retry-after": "999"}))
    with client(server, max_retries=2) as c, pytest.raises(errors.RateLimitError):
        c.completion("gpt-test", MSG)
    assert recorder.names() == ["start", "attempt", "attempt", "attempt", "error"]
    attempts = [e[2] for e in recorder.events if e[0] == "attempt"]
    assert [a.number for a in attempts] == [1, 2, 3]
    assert [a.will_retry for a in attempts] == [True, True, False]
    assert isinstance(attempts[0].error, errors.ProviderError) and attempts[0].status_code == 503
    call = recorder.events[-1][1]
    assert isinstance(call.error, errors.RateLimitError) and call.error_type == "RateLimitError"
    assert call.status_code == 429 and call.attempts == 3 and not call.completed


def test_retry_then_success(recorder: Recorder, server: MockServer, no_sleep: None) -> None:
    server.queue(Reply(fault="reset"), Reply(fault="reset"), Reply.json(OK))
    with client(server, max_retries=3) as c:
        c.completion("gpt-test", MSG)
    attempts = [e[2] for e in recorder.events if e[0] == "attempt"]
    assert isinstance(attempts[0].error, errors.APIConnectionError)
    assert attempts[-1].status_code == 200 and attempts[-1].error is None
    assert recorder.names()[-1] == "response"


def test_stream_chunks_then_end(recorder: Recorder, server: MockServer) -> None:
    usage = {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}
    server.queue(
        Reply.sse([chunk("a"), chunk("b"), chunk(None, "stop"), {**chunk(None), "choices": [], "usage": usage}])
    )
    with client(server) as c:
        stream = c.completion("gpt-test", MSG, stream=True)
        assert recorder.names() == ["start", "attempt"]
        got = list(stream)
    assert recorder.names() == ["start", "attempt"] + ["chunk"] * len(got) + ["end"]
    call = recorder.events[-1][1]
    assert call.completed and call.chunks == len(got) and call.stream
    assert call.finish_reasons == ["stop"] and call.input_tokens == 4 and call.output_tokens == 2
    assert call.time_to_first_chunk is not None and call.duration is not None
    assert call.time_to_first_chunk <= call.duration


def test_stream_closed_early_ends_once(recorder: Recorder, server: MockServer) -> None:
    server.queue(Reply.sse([chunk("a"), chunk("b"), chunk("c", "stop")]))
    with client(server) as c:
        with c.completion("gpt-test", MSG, stream=True) as stream:
            next(stream)
        stream.close()
    assert recorder.names() == ["start", "attempt", "chunk", "end"]
    assert recorder.events[-1][1].completed is False


def test_stream_broken_midway_is_an_error(recorder: Recorder, server: MockServer) -> None:
    server.queue(Reply(200, {"content-type": "text/event-stream"}, [b'data: {"id":'], fault="cut"))
    with client(server, max_retries=0) as c, pytest.raises(errors.AnyLLMError):
        list(c.completion("gpt-test", MSG, stream=True))
    assert recorder.names()[-1] == "error"
    assert recorder.names().count("error") == 1 and "end" not in recorder.names()


def test_async_call_and_stream(recorder: Recorder, server: MockServer) -> None:
    server.queue(Reply.json(OK), Reply.sse([chunk("a"), chunk(None, "stop")]))

    async def main() -> None:
        async with client(server) as c:
            await c.acompletion("gpt-test", MSG)
            stream = await c.acompletion("gpt-test", MSG, stream=True)
            async for _ in stream:
                pass

    asyncio.run(main())
    assert recorder.names() == ["start", "attempt", "response", "start", "attempt", "chunk", "chunk", "end"]


def test_embedding_and_list_models(recorder: Recorder, server: MockServer) -> None:
    server.queue(
        Reply.json(
            {
                "object": "list",
                "model": "e",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.5]}],
                "usage": {"prompt_tokens": 2, "total_tokens": 2},
            }
        ),
        Reply.json({"object": "list", "data": [{"id": "m1", "object": "model", "created": 0, "owned_by": "x"}]}),
    )
    with client(server) as c:
        c.embedding("text-embed", "hi")
        c.list_models()
    ops = [(e[1].operation, e[0]) for e in recorder.events if e[0] in ("start", "response")]
    assert ops == [
        ("embeddings", "start"),
        ("embeddings", "response"),
        ("list_models", "start"),
        ("list_models", "response"),
    ]
    assert recorder.events[0][1].messages == ["hi"] and recorder.events[2][1].input_tokens == 2


def test_raising_hook_never_breaks_the_call(
    recorder: Recorder, server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Broken()
    plugins.register_plugin(broken, name="broken")
    server.queue(Reply.json(OK), Reply.json(OK))
    with caplog.at_level(logging.DEBUG, logger="any_llm"), client(server) as c:
        assert c.completion("gpt-test", MSG).choices[0].message.content == "hi"
        c.completion("gpt-test", MSG)
    # the other plugin still saw every event, even the one where the broken impl ran first
    assert recorder.names() == ["start", "attempt", "response"] * 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "broken" in r.getMessage()]
    assert len(warnings) == 2  # once per (plugin, hook), not once per call
    assert KEY not in caplog.text
    plugins.unregister_plugin(broken)


def test_no_event_is_built_without_hooks(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import entry_points

    installed = {ep.dist.name for ep in entry_points(group="anyllm_hooks") if ep.dist is not None}
    monkeypatch.setenv("ANYLLM_DISABLE_PLUGINS", ",".join(sorted(installed)) or "none")  # e.g. anyllm-otel
    plugins.reset()
    try:

        def boom(*a: Any, **k: Any) -> Any:
            raise AssertionError("event built with no hook registered")

        monkeypatch.setattr(callhooks, "start_call", boom)
        server.queue(Reply.json(OK), Reply.json(OK))
        with client(server) as c:
            c.completion("gpt-test", MSG)
            assert callhooks.ACTIVE is False  # discovery ran once and found nothing
            c.completion("gpt-test", MSG)
        rec = Recorder()
        plugins.register_plugin(rec, name="late")
        assert callhooks.ACTIVE is True
        plugins.unregister_plugin(rec)
        assert callhooks.ACTIVE is False
    finally:
        plugins.reset()


def test_no_key_in_call_info(recorder: Recorder, server: MockServer) -> None:
    server.queue(Reply.json(OK))
    with client(server) as c:
        c.completion("gpt-test", MSG)
    for _, call, extra in recorder.events:
        assert KEY not in repr(call) and KEY not in repr(extra)


class TextOnly:
    """Wants the streamed text without a per-chunk hook."""

    def __init__(self) -> None:
        self.texts: list[str | None] = []

    @hookimpl
    def anyllm_call_start(self, call: CallInfo) -> None:
        call.output_parts = []

    @hookimpl
    def anyllm_stream_end(self, call: CallInfo) -> None:
        self.texts.append(call.output_text)

    @hookimpl
    def anyllm_call_response(self, call: CallInfo) -> None:
        self.texts.append(call.output_text)


def test_output_text_without_a_chunk_hook(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    plugins.reset()
    plugin = TextOnly()
    plugins.register_plugin(plugin, name="text-only")
    try:
        assert "anyllm_stream_chunk" not in callhooks._wanted  # nobody listens: not dispatched per chunk
        server.queue(Reply.sse([chunk("Hel"), chunk("lo", "stop")]), Reply.json(OK))
        with client(server) as c:
            list(c.completion("gpt-test", MSG, stream=True))
            c.completion("gpt-test", MSG)
        assert plugin.texts == ["Hello", "hi"]
    finally:
        plugins.unregister_plugin(plugin)
        plugins.reset()
