"""Fault injection: every way a server or network misbehaves ends in a typed error (or success after
retries) within the configured timeout plus a small margin, with exactly the configured retries.

Each case runs sync and async, streaming and not, with the OpenAI protocol, and in two of those four
combinations (alternating) with every other installed protocol plugin, using its own body and stream shapes.
Cases that involve no body (timeouts before any byte, Retry-After waits) run with OpenAI only.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rel_support import (
    MARGIN,
    TIMEOUT,
    FaultServer,
    Protocol,
    call_kwargs,
    installed_protocols,
    refused_url,
    text_of,
)

from any_llm import errors
from any_llm.testing import Reply

MODES = ("sync", "async")


def collect(mode: str, kwargs: dict[str, Any]) -> tuple[Any, BaseException | None, float]:
    """(result or the chunks received so far, the exception or None, seconds taken)."""
    from any_llm import acompletion, completion

    chunks: list[Any] = []
    start = time.monotonic()

    def sync() -> Any:
        result = completion(**kwargs)
        if not kwargs["stream"]:
            return result
        for chunk in result:
            chunks.append(chunk)
        return chunks

    async def run_async() -> Any:
        result = await acompletion(**kwargs)
        if not kwargs["stream"]:
            return result
        async for chunk in result:
            chunks.append(chunk)
        return chunks

    try:
        result = sync() if mode == "sync" else asyncio.run(run_async())
    except Exception as exc:
        return chunks, exc, time.monotonic() - start
    return result, None, time.monotonic() - start


# -- the cases ------------------------------------------------------------------------------------

Replies = Callable[[Protocol, bool], list[Reply]]


@dataclass
class Case:
    """One fault. ``expect`` is the error class (None: success), per streaming flag when they differ."""

    name: str
    replies: Replies
    expect: dict[bool, type[BaseException] | None]
    requests: dict[bool, int]
    retries: int = 1
    partial: bool = False
    """Streaming: some chunks arrive before the error."""
    min_elapsed: float = 0.0
    extra_time: float = 0.0
    """Seconds the case legitimately takes beyond the timeouts (server-requested waits, drips)."""
    only_stream: bool | None = None
    ndjson_stream: type[BaseException] | None = None
    """The error for an NDJSON stream when it differs (a body that is one bad line, not a missing end)."""
    every_protocol: bool = True
    """False for slow header-only cases (identical in every protocol): run with the reference one."""


def _both(value: Any) -> dict[bool, Any]:
    return {False: value, True: value}


def _ctype(proto: Protocol, stream: bool) -> dict[str, str]:
    return proto.stream_ctype if stream else {"content-type": "application/json"}


def _body(proto: Protocol, stream: bool, rid: str = "rid-0") -> list[bytes]:
    """The bytes of a correct answer, as separate pieces (one per stream event)."""
    if stream:
        return proto.raw_frames(proto.stream_events(rid))
    return proto.ok(rid).chunks


def _partial(proto: Protocol, stream: bool) -> list[bytes]:
    """The first part of a correct answer: one stream event, or half of a JSON body."""
    pieces = _body(proto, stream)
    return pieces[:1] if stream else [pieces[0][: len(pieces[0]) // 2]]


def _drip(proto: Protocol, stream: bool, pieces: int, gap: float) -> list[Reply]:
    whole = b"".join(_body(proto, stream))
    size = -(-len(whole) // pieces)
    parts = [whole[i : i + size] for i in range(0, len(whole), size)]
    return [Reply(200, _ctype(proto, stream), parts, chunk_delay=gap)]


def _http_date(seconds_ahead: float) -> str:
    return email.utils.formatdate(time.time() + seconds_ahead, usegmt=True)


CONN = errors.APIConnectionError
TIMEOUT_ERR = errors.APITimeoutError
INVALID = errors.ResponseValidationError

CASES = [
    Case("reset before headers", lambda p, s: [Reply(fault="reset")] * 2, _both(CONN), _both(2)),
    Case(
        "reset then recovers",
        lambda p, s: [Reply(fault="reset"), p.ok("rid-0")] if not s else [Reply(fault="reset"), p.stream("rid-0")],
        _both(None),
        _both(2),
    ),
    # A body cut before the caller saw anything is retried inside send(); a stream is handed to
    # the caller at its headers, so a cut there is the caller's error (chunks may have been used).
    Case(
        "reset after headers, before any body byte",
        lambda p, s: [Reply(200, _ctype(p, s), [b""], fault="reset_after_headers")] * 2,
        _both(CONN),
        {False: 2, True: 1},
    ),
    Case(
        "reset mid-body",
        lambda p, s: [Reply(200, _ctype(p, s), _partial(p, s), fault="cut")] * 2,
        _both(CONN),
        {False: 2, True: 1},
        partial=True,
    ),
    Case(
        "connection closed before Content-Length",
        lambda p, s: [Reply(200, _ctype(p, s), _partial(p, s), fault="short_body")] * 2,
        _both(CONN),
        {False: 2, True: 1},
        partial=True,
    ),
    Case(
        "chunked body without its last chunk",
        lambda p, s: [Reply(200, _ctype(p, s), _partial(p, s), fault="no_terminator")] * 2,
        _both(CONN),
        {False: 2, True: 1},
        partial=True,
    ),
    Case(
        "no response at all (read timeout)",
        lambda p, s: [Reply(fault="hang")],
        _both(TIMEOUT_ERR),
        _both(1),
        retries=0,
        every_protocol=False,
    ),
    Case(
        "headers then silence",
        lambda p, s: [Reply(200, _ctype(p, s), [b"x"], fault="hang_after_headers")],
        _both(TIMEOUT_ERR),
        _both(1),
        retries=0,
        every_protocol=False,
    ),
    Case(
        "stalls between events",
        lambda p, s: [Reply(200, _ctype(p, s), _partial(p, s), fault="stall")],
        _both(TIMEOUT_ERR),
        _both(1),
        retries=0,
        partial=True,
    ),
    Case(
        "slow drip, each gap under the read timeout",
        lambda p, s: _drip(p, s, 8, 0.1),
        _both(None),
        _both(1),
        retries=0,
        min_elapsed=TIMEOUT + 0.2,
        extra_time=8 * 0.1,
    ),
    Case(
        "slow drip, a gap over the read timeout",
        lambda p, s: _drip(p, s, 3, TIMEOUT + 0.3),
        _both(TIMEOUT_ERR),
        _both(1),
        retries=0,
        min_elapsed=TIMEOUT,
        every_protocol=False,
    ),
    Case(
        "truncated JSON",
        lambda p, s: [Reply(200, _ctype(p, s), [_body(p, False)[0][:-7]])],
        _both(INVALID),
        _both(1),
        only_stream=False,
    ),
    Case(
        "truncated JSON in a stream event",
        lambda p, s: [Reply(200, _ctype(p, s), [_body(p, True)[0], _truncate_event(p)])],
        _both(INVALID),
        _both(1),
        partial=True,
        only_stream=True,
    ),
    Case(
        "HTML 502 page from a proxy",
        lambda p, s: [Reply.text("<html><body><h1>502 Bad Gateway</h1></body></html>", 502, "text/html")] * 2,
        _both(errors.ProviderError),
        _both(2),
    ),
    Case(
        "HTML page with status 200",
        lambda p, s: [Reply.text("<html><body>Welcome to nginx!</body></html>", 200, "text/html")],
        _both(INVALID),
        _both(1),
        ndjson_stream=INVALID,
    ),
    Case("empty 200", lambda p, s: [Reply(200, _ctype(p, s), [b""])], {False: INVALID, True: CONN}, _both(1)),
    Case(
        "200 JSON of the wrong shape",
        lambda p, s: [Reply.json(p.wrong_shape)],
        _both(INVALID),
        _both(1),
        ndjson_stream=INVALID,
    ),
    Case(
        "stream event of the wrong shape",
        lambda p, s: [p.frames([p.wrong_event], done=True)],
        _both(INVALID),
        _both(1),
        only_stream=True,
    ),
    Case(
        "error object (200 body / mid-stream event)",
        lambda p, s: [p.frames([*p.truncated_events("rid-0"), p.error_event], done=True)] if s else [p.error_in_200()],
        {},
        _both(1),
        partial=True,
    ),
    Case(
        "stream ends without its terminator",
        lambda p, s: [p.frames(p.truncated_events("rid-0"), done=False)],
        _both(CONN),
        _both(1),
        partial=True,
        only_stream=True,
    ),
    Case(
        "429 storm",
        lambda p, s: [p.error(429, "slow down", {"retry-after-ms": "10"})] * 4,
        _both(errors.RateLimitError),
        _both(4),
        retries=3,
    ),
    Case(
        "429, Retry-After in seconds",
        lambda p, s: [p.error(429, headers={"retry-after": "1"}), p.ok("rid-0") if not s else p.stream("rid-0")],
        _both(None),
        _both(2),
        min_elapsed=0.95,
        extra_time=1.0,
        every_protocol=False,
    ),
    Case(
        "429, retry-after-ms",
        lambda p, s: [p.error(429, headers={"retry-after-ms": "300"}), p.ok("rid-0") if not s else p.stream("rid-0")],
        _both(None),
        _both(2),
        min_elapsed=0.29,
        extra_time=0.3,
    ),
    Case(
        "429, Retry-After as an HTTP date",
        lambda p, s: [
            p.error(429, headers={"retry-after": _http_date(2)}),
            p.ok("rid-0") if not s else p.stream("rid-0"),
        ],
        _both(None),
        _both(2),
        min_elapsed=0.9,
        extra_time=2.0,
        every_protocol=False,
    ),
    Case(
        "429 asking for more than the cap",
        lambda p, s: [p.error(429, headers={"retry-after": "120"})] * 2,
        _both(errors.RateLimitError),
        _both(1),
        retries=3,
    ),
    Case(
        "400 is not retried",
        lambda p, s: [p.error(400, "bad field")] * 2,
        _both(errors.InvalidRequestError),
        _both(1),
        retries=3,
    ),
    Case(
        "401 is not retried",
        lambda p, s: [p.error(401, "bad key")] * 2,
        _both(errors.AuthenticationError),
        _both(1),
        retries=3,
    ),
    Case(
        "500 with x-should-retry: false",
        lambda p, s: [p.error(500, headers={"x-should-retry": "false"})] * 2,
        _both(errors.ProviderError),
        _both(1),
        retries=3,
    ),
]
for _status in (500, 502, 503, 529):
    CASES.append(
        Case(
            f"{_status} burst that recovers",
            lambda p, s, st=_status: [p.error(st)] * 2 + [p.ok("rid-0") if not s else p.stream("rid-0")],
            _both(None),
            _both(3),
            retries=2,
        )
    )
    CASES.append(
        Case(
            f"{_status} that never recovers",
            lambda p, s, st=_status: [p.error(st)] * 5,
            _both(errors.ProviderError),
            _both(3),
            retries=2,
        )
    )


def _truncate_event(proto: Protocol) -> bytes:
    frame = proto.raw_frames(proto.stream_events("rid-0"), done=False)[1]
    cut = frame.rstrip(b"\n")[:-5]
    return cut + (b"\n" if proto.stream_format == "ndjson" else b"\n\n")


def _params() -> list[Any]:
    """Every case in all four (mode, streaming) combinations for the reference protocol; for the other
    protocols each case in two of them, alternating, so sync and async both meet every body shape."""
    out = []
    for protocol in installed_protocols():
        reference = protocol.name == "openai"
        for n, case in enumerate(CASES):
            if not (case.every_protocol or reference):
                continue
            streams = [s for s in (False, True) if case.only_stream in (None, s)]
            combos = [(s, m) for s in streams for m in MODES]
            if not reference:
                combos = [combos[n % len(combos)], combos[(n + len(combos) - 1) % len(combos)]]
            for stream, mode in combos:
                out.append(
                    pytest.param(
                        case,
                        stream,
                        mode,
                        protocol,
                        id=f"{protocol.name}-{case.name}-{'stream' if stream else 'plain'}-{mode}",
                    )
                )
    return out


PARAMS = _params()


@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize(("case", "stream", "mode", "protocol"), PARAMS)
def test_fault(case: Case, stream: bool, mode: str, protocol: Protocol, server: FaultServer) -> None:
    proto = protocol
    server.queue(*case.replies(proto, stream))
    kwargs = call_kwargs(proto, proto.base(server), stream=stream, max_retries=case.retries)
    result, exc, elapsed = collect(mode, kwargs)

    expected = case.expect.get(stream, proto.error_event_exc)
    if stream and proto.stream_format == "ndjson" and case.ndjson_stream is not None:
        expected = case.ndjson_stream
    if expected is None:
        assert exc is None, f"expected success, got {exc!r}"
        assert text_of(result) == "echo:rid-0"
    else:
        assert isinstance(exc, errors.AnyLLMError), f"{exc!r} is not an AnyLLMError"
        assert type(exc) is expected, f"expected {expected.__name__}, got {exc!r}"
        assert exc.provider == proto.name
        assert exc.message.strip() and not exc.message.rstrip().endswith(":"), "the message says nothing"
        if stream and case.partial:
            assert result, "the chunks before the fault were not delivered"
    assert len(server.requests) == case.requests[stream], "retries not bounded as configured"
    limit = (case.retries + 1) * TIMEOUT + case.extra_time + MARGIN
    assert case.min_elapsed <= elapsed <= limit, f"took {elapsed:.2f}s, allowed {case.min_elapsed}..{limit:.2f}"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_connection_refused_is_retried_then_typed(
    mode: str, stream: bool, proto: Protocol, fast_backoff: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="any_llm")
    kwargs = call_kwargs(proto, proto.base(refused_url()), stream=stream, max_retries=2)
    _, exc, elapsed = collect(mode, kwargs)
    assert type(exc) is errors.APIConnectionError
    assert "api_base" in str(exc)
    attempts = [r for r in caplog.records if r.name == "any_llm" and "ConnectError" in r.getMessage()]
    assert len(attempts) == 3
    assert elapsed < 3 * TIMEOUT + MARGIN


@pytest.mark.parametrize("mode", MODES)
def test_timeouts_are_retried_exactly(
    mode: str, server: FaultServer, openai_proto: Protocol, fast_backoff: None
) -> None:
    server.queue(*[Reply(fault="hang")] * 4)
    kwargs = call_kwargs(openai_proto, openai_proto.base(server), max_retries=2)
    _, exc, elapsed = collect(mode, kwargs)
    assert type(exc) is errors.APITimeoutError
    assert len(server.requests) == 3
    assert 3 * TIMEOUT <= elapsed <= 3 * TIMEOUT + MARGIN


@pytest.mark.parametrize("mode", MODES)
def test_default_backoff_waits_between_attempts(mode: str, server: FaultServer, openai_proto: Protocol) -> None:
    """Without a Retry-After hint the first retry waits 0.5 s minus up to 25 % jitter."""
    server.queue(openai_proto.error(503), openai_proto.ok("rid-0"))
    kwargs = call_kwargs(openai_proto, openai_proto.base(server), max_retries=1)
    result, exc, elapsed = collect(mode, kwargs)
    assert exc is None
    assert text_of(result) == "echo:rid-0"
    assert 0.37 <= elapsed <= 0.5 + MARGIN


@pytest.mark.parametrize("mode", MODES)
def test_rate_limit_error_carries_retry_after(mode: str, proto: Protocol, server: FaultServer) -> None:
    server.queue(proto.error(429, "slow down", {"retry-after": "120"}))
    _, exc, _ = collect(mode, call_kwargs(proto, proto.base(server), max_retries=2))
    assert isinstance(exc, errors.RateLimitError)
    assert exc.retry_after == 120
    assert exc.status_code == 429


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_huge_body(mode: str, stream: bool, proto: Protocol, server: FaultServer) -> None:
    """A 12 MB answer arrives intact (the stream as one 12 MB event on one line)."""
    rid = "rid-" + "x" * (12 * 1024 * 1024)
    server.queue(proto.stream(rid) if stream else proto.ok(rid))
    kwargs = call_kwargs(proto, proto.base(server), stream=stream, timeout=5.0)
    result, exc, elapsed = collect(mode, kwargs)
    assert exc is None
    assert text_of(result) == f"echo:{rid}"
    assert elapsed < 5.0


@pytest.mark.parametrize("mode", MODES)
def test_huge_error_body_is_cut_on_the_error(mode: str, proto: Protocol, server: FaultServer) -> None:
    server.queue(Reply.text("<html>" + "oops " * 1_000_000 + "</html>", 500, "text/html"))
    _, exc, _ = collect(mode, call_kwargs(proto, proto.base(server)))
    assert type(exc) is errors.ProviderError
    assert exc.body is not None
    assert len(exc.body) < 2100
    assert len(str(exc)) < 2100


@pytest.mark.parametrize("mode", MODES)
def test_stream_line_over_the_limit(mode: str, proto: Protocol, server: FaultServer) -> None:
    """A line longer than MAX_LINE_BYTES (16 MiB) is a typed error, not unbounded memory."""
    from any_llm.streaming import MAX_LINE_BYTES

    line = b"x" * (MAX_LINE_BYTES + 1024)
    server.queue(Reply(200, _ctype(proto, True), [line[i : i + 65536] for i in range(0, len(line), 65536)]))
    _, exc, elapsed = collect(mode, call_kwargs(proto, proto.base(server), stream=True, timeout=5.0))
    assert type(exc) is errors.ResponseValidationError
    assert "longer than" in str(exc)
    assert elapsed < 5.0


NOT_A_COMPLETION = {"object": "list", "data": [{"id": "gpt-4o", "object": "model"}]}
"""What a misconfigured api_base answers with (a model list, another service's JSON)."""


@pytest.mark.parametrize("protocol", [pytest.param(p, id=p.name) for p in installed_protocols()])
def test_a_200_that_is_no_completion_at_all_is_an_error(protocol: Protocol, server: FaultServer) -> None:
    """Not an empty answer: a wrong api_base must not look like a model that said nothing."""
    server.queue(Reply.json(NOT_A_COMPLETION))
    _, exc, _ = collect("sync", call_kwargs(protocol, protocol.base(server)))
    assert type(exc) is errors.ResponseValidationError
