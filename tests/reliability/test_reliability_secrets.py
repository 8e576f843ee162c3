"""Secrets: the API key never shows in errors, reprs, logs (any level), warnings or output, and it is
sent only to the configured origin, only in a header.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from rel_support import KEY, FaultServer, Protocol, call_kwargs, invoke, messages, refused_url

from any_llm import AnyLLM, errors
from any_llm.testing import Reply, build_request

KEY_PART = KEY[-16:]
"""A distinctive tail of the key: a partly masked key must not show either."""


def _leaky_replies(proto: Protocol, server: FaultServer, other: FaultServer) -> list[tuple[str, Reply, bool]]:
    """(name, reply, stream) for every error path; many bodies echo the key back, as real APIs do."""
    echo = f"Incorrect API key provided: {KEY}. Authorization: Bearer {KEY}"
    return [
        ("401 echoing the key", proto.error(401, echo), False),
        ("403 echoing the key", proto.error(403, echo), True),
        ("429 echoing the key", proto.error(429, echo, {"retry-after": "120"}), False),
        ("500 echoing the key", proto.error(500, echo, {"x-request-id": "req-1"}), False),
        ("HTML page with the key", Reply.text(f"<html>{echo}</html>", 502, "text/html"), True),
        ("200 non-JSON with the key", Reply.text(echo, 200, "application/json"), False),
        ("200 wrong shape with the key", Reply.json({"oops": echo, **proto.wrong_shape}), False),
        (
            "error event with the key",
            proto.frames([*proto.truncated_events("rid-1"), _with_message(proto.error_event, echo)], done=True),
            True,
        ),
        ("stream event with the key", proto.frames([{"weird": echo}], done=True), True),
        ("reset", Reply(fault="reset"), False),
        (
            "reset mid-stream",
            Reply(200, proto.stream_ctype, proto.raw_frames(proto.truncated_events("rid-1"), done=False), fault="cut"),
            True,
        ),
        ("read timeout", Reply(fault="hang"), False),
        ("cross-origin redirect", Reply(307, {"location": other.url + "/v1/chat/completions"}), False),
    ]


def _with_message(event: Any, text: str) -> Any:
    """The protocol's error event with ``text`` put into every message-like string field."""
    if isinstance(event, tuple):
        return (event[0], _with_message(event[1], text))
    if isinstance(event, dict):
        return {
            k: (text if k in ("message", "error") and isinstance(v, str) else _with_message(v, text))
            for k, v in event.items()
        }
    return event


def _texts_of(exc: BaseException) -> Iterator[str]:
    """Every way an exception can be shown: str, repr, args, attributes, its chain as tracebacks and
    error reporters walk it (a context hidden by ``raise ... from None`` is not shown), the traceback."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(current.args)
        yield repr(vars(current))
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    yield "".join(traceback.format_exception(exc))


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in ("any_llm", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_key_never_leaks_on_any_error_path(
    mode: str,
    proto: Protocol,
    server: FaultServer,
    all_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with FaultServer() as other:
        texts: list[str] = []
        cases = _leaky_replies(proto, server, other)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for name, reply, stream in cases:
                server.queue(reply)
                with pytest.raises(errors.AnyLLMError) as info:
                    invoke(mode, call_kwargs(proto, proto.base(server), stream=stream, max_retries=0))
                texts += [f"[{name}] {t}" for t in _texts_of(info.value)]
            # not-sent paths: refused connection, bad arguments, the legacy model form (a warning)
            for kwargs in (
                call_kwargs(proto, proto.base(refused_url())),
                {**call_kwargs(proto, proto.base(server)), "temperature": KEY},
                {**call_kwargs(proto, proto.base(server)), "messages": [{"role": KEY}]},
                {
                    **call_kwargs(proto, proto.base(server)),
                    "provider": None,
                    "model": f"{proto.name}/m",
                    "messages": [],
                },
            ):
                with pytest.raises(errors.AnyLLMError) as info:
                    invoke(mode, kwargs)
                texts += list(_texts_of(info.value))
        assert other.requests == []
        assert len(server.requests) == len(cases)  # one request per case, no retries
    out, err = capfd.readouterr()
    records = all_logs.records
    assert any(r.name.startswith("httpcore") for r in records), "DEBUG logs were not captured"
    assert any(isinstance(w.message, DeprecationWarning) for w in caught)
    logged = [f"{r.name}: {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in records]
    everything = [*texts, *logged, *(str(w.message) for w in caught), out, err]
    leaks = [t for t in everything if KEY in t or KEY_PART in t]
    assert leaks == [], "\n".join(leaks)


def test_a_request_id_header_echoing_the_key_is_redacted(proto: Protocol, server: FaultServer) -> None:
    server.queue(proto.error(500, "boom", {"x-request-id": KEY}))
    with pytest.raises(errors.ProviderError) as info:
        invoke("sync", call_kwargs(proto, proto.base(server)))
    assert [t for t in _texts_of(info.value) if KEY in t] == []


def test_reprs_and_strs_hide_the_key(proto: Protocol, server: FaultServer) -> None:
    from any_llm.params import build_params

    client = AnyLLM.create(proto.name, api_key=KEY, api_base=proto.base(server), max_retries=0)
    provider = client.provider
    params = build_params("m", messages("rid-1"), {"max_tokens": 16}, {})
    request = build_request(provider, params)
    shown = [
        repr(client),
        str(client),
        repr(provider),
        str(provider),
        repr(vars(provider)),
        repr(params),
        str(params),
        repr(request),
        str(request),
        repr(client.transport.__dict__),
        repr(provider.api_key),
        str(provider.api_key),
        f"{provider.api_key}",
    ]
    assert not [s for s in shown if KEY in s or KEY_PART in s]
    with pytest.raises(TypeError):
        pickle.dumps(provider)
    assert KEY in " ".join(provider.auth_headers().values()), "the key must still reach the auth header"
    client.close()


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_key_goes_only_in_the_auth_header(mode: str, stream: bool, proto: Protocol, server: FaultServer) -> None:
    server.handler = proto.handler()
    invoke(mode, call_kwargs(proto, proto.base(server), stream=stream))
    (request,) = server.requests
    assert KEY in request.headers[proto.auth_header]
    assert KEY not in request.path
    assert KEY.encode() not in request.body
    assert [k for k, v in request.headers.items() if KEY in v] == [proto.auth_header]


REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_cross_origin_redirect_is_refused_and_carries_no_key(
    status: int, mode: str, proto: Protocol, server: FaultServer
) -> None:
    with FaultServer() as other:
        other.handler = proto.handler()
        server.queue(Reply(status, {"location": other.url + "/v1/chat/completions"}))
        with pytest.raises(errors.APIConnectionError, match="credentials are not forwarded") as info:
            invoke(mode, call_kwargs(proto, proto.base(server), max_retries=2))
        assert other.requests == []
        assert other.connections == 0
    assert len(server.requests) == 1
    assert info.value.status_code == status


@pytest.mark.parametrize("target", ["another port", "another host name", "https", "after a same-origin hop"])
def test_every_kind_of_other_origin_is_refused(target: str, proto: Protocol, server: FaultServer) -> None:
    with FaultServer() as other:
        other.handler = proto.handler()
        port = server.port
        location = {
            "another port": other.url + "/x",
            "another host name": f"http://localhost:{port}/x",
            "https": f"https://127.0.0.1:{port}/x",
            "after a same-origin hop": "/hop",
        }[target]
        server.queue(Reply(307, {"location": location}))
        if target == "after a same-origin hop":
            server.queue(Reply(307, {"location": other.url + "/x"}))
        with pytest.raises(errors.APIConnectionError, match="redirected to another host"):
            invoke("sync", call_kwargs(proto, proto.base(server)))
        assert other.requests == []
    assert server.requests[-1].path != "/x"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_same_origin_redirect_is_followed_with_the_key(mode: str, proto: Protocol, server: FaultServer) -> None:
    handler = proto.handler()
    server.handler = handler
    server.queue(Reply(307, {"location": "/moved" + proto.base_suffix + "/anything"}))
    result = invoke(mode, call_kwargs(proto, proto.base(server), rid="rid-3"))
    assert len(server.requests) == 2
    first, second = server.requests
    assert second.path.startswith("/moved")
    assert second.json == first.json, "a 307 keeps the method and the body"
    assert KEY in second.headers[proto.auth_header]
    assert result is not None


def test_redirect_loop_is_bounded(proto: Protocol, server: FaultServer) -> None:
    server.handler = lambda request: Reply(307, {"location": "/again"})
    with pytest.raises(errors.APIConnectionError, match="redirects"):
        asyncio.run(_acall(call_kwargs(proto, proto.base(server))))
    assert len(server.requests) == 6  # the first request and 5 redirects


async def _acall(kwargs: dict[str, Any]) -> Any:
    from any_llm import acompletion

    return await acompletion(**kwargs)
