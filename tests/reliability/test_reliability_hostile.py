"""Hostile input: property-based tests of the stream decoders and of every installed provider's
response / stream / error translation, and bad arguments that must fail before anything is sent.
"""

from __future__ import annotations

import asyncio
import copy
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_support import (
    ALL_PROTOCOLS,
    ANTHROPIC,
    KEY,
    FaultServer,
    Protocol,
    call_kwargs,
    installed_protocols,
    invoke,
    plugin_providers,
)

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.streaming import NDJSONDecoder, SSEDecoder
from any_llm.testing import feed_event, parse_completion

PROPERTY = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
ANTHROPIC_OK = ANTHROPIC.ok_body("rid-1")

# -- the decoders ---------------------------------------------------------------------------------

SSE_TOKENS = st.sampled_from(
    [
        b"data:",
        b"data: ",
        b"event:",
        b"event: x",
        b"id: 1",
        b"retry: 5",
        b":",
        b": ping",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b"{}",
        b"[DONE]",
        b"x",
        b" ",
        b"\xff",
        b"\x00",
        "é".encode(),
    ]
)
sse_like = st.lists(SSE_TOKENS, max_size=60).map(b"".join)
_field = st.sampled_from([b"data", b"event", b"id", b"retry", b"", b"dat", b"data "])
_value = st.one_of(
    st.sampled_from([b"", b" ", b" x", b":y", b" {}", b" [DONE]"]),
    st.binary(max_size=8).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
)
_line = st.tuples(_field, st.sampled_from([b":", b": ", b""]), _value).map(b"".join)
_eol = st.sampled_from([b"\n", b"\r", b"\r\n"])
sse_lines = st.lists(st.tuples(_line, _eol, st.booleans()), max_size=20).map(
    lambda lines: b"".join(line + eol + (eol if blank else b"") for line, eol, blank in lines)
)
"""Well-formed-ish event streams: fields, values, every line ending, blank lines between events."""
any_bytes = st.one_of(st.binary(max_size=600), sse_like, sse_lines)


def _pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    out, prev = [], 0
    for p in points:
        out.append(data[prev:p])
        prev = p
    out.append(data[prev:])
    return out


def _decode(decoder: SSEDecoder | NDJSONDecoder, pieces: list[bytes]) -> list[tuple[bytes, str | None]]:
    events: list[StreamEvent] = []
    for piece in pieces:
        events += decoder.feed(piece)
    events += decoder.flush()
    return [(e.data, e.event) for e in events]


def _reference_sse(data: bytes) -> list[tuple[bytes, str | None]]:
    """The WHATWG event-stream rules, written independently of SSEDecoder (no incremental state)."""
    out: list[tuple[bytes, str | None]] = []
    buf: list[bytes] = []
    event: str | None = None
    for line in re.split(rb"\r\n|\r|\n", data + b"\n\n"):
        if not line:
            if buf:
                out.append((b"\n".join(buf), event))
            buf, event = [], None
        elif not line.startswith(b":"):
            name, _, value = line.partition(b":")
            value = value[1:] if value.startswith(b" ") else value
            if name == b"data":
                buf.append(value)
            elif name == b"event":
                event = value.decode("utf-8", "replace")
    return out


@PROPERTY
@given(data=any_bytes, cuts=st.lists(st.integers(0, 700), max_size=12))
def test_sse_decoder_split_anywhere_matches_unsplit_and_the_spec(data: bytes, cuts: list[int]) -> None:
    whole = _decode(SSEDecoder(), [data])
    assert _decode(SSEDecoder(), _pieces(data, cuts)) == whole
    assert _decode(SSEDecoder(), [bytes([b]) for b in data]) == whole
    assert whole == _reference_sse(data)


@PROPERTY
@given(data=st.one_of(st.binary(max_size=600), sse_like), cuts=st.lists(st.integers(0, 700), max_size=12))
def test_ndjson_decoder_split_anywhere_matches_unsplit(data: bytes, cuts: list[int]) -> None:
    whole = _decode(NDJSONDecoder(), [data])
    assert _decode(NDJSONDecoder(), _pieces(data, cuts)) == whole
    assert [d for d, _ in whole] == [line for line in data.split(b"\n") if line.strip()]


def test_decoders_refuse_an_endless_line_without_a_line_end() -> None:
    from any_llm.streaming import MAX_LINE_BYTES

    piece = b"x" * 65536
    for decoder in (SSEDecoder("p"), NDJSONDecoder("p")):
        for _ in range(MAX_LINE_BYTES // len(piece)):
            decoder.feed(piece)
        with pytest.raises(errors.ResponseValidationError, match="longer than"):
            decoder.feed(piece)


# -- every provider's translation -----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, doc: Any) -> Any:
    """``doc`` with 1-3 subtrees replaced by random JSON or deleted: plausible but wrong answers."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            return draw(json_values)
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            parent[path[-1]] = draw(json_values)
        elif isinstance(parent, dict):
            del parent[path[-1]]
    return doc


def _encode(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()


def _bodies(proto: Protocol) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), json_values.map(_encode), mutated(proto.ok_body("rid-1")).map(_encode))


def _stream_payloads(proto: Protocol) -> st.SearchStrategy[bytes]:
    events = [e[1] if isinstance(e, tuple) else e for e in [*proto.stream_events("rid-1"), proto.error_event]]
    return st.one_of(
        st.binary(max_size=200),
        json_values.map(_encode),
        st.just(b"[DONE]"),
        st.sampled_from(events).flatmap(mutated).map(_encode),
        st.sampled_from(events).map(_encode),
    )


def _params(stream: bool) -> Any:
    return build_params("m", [{"role": "user", "content": "rid-1"}], {"stream": stream, "max_tokens": 16}, {})


def _event_names(proto: Protocol) -> st.SearchStrategy[str | None]:
    names = [e[0] for e in proto.stream_events("rid-1") if isinstance(e, tuple)]
    return st.one_of(st.none(), st.sampled_from(names or ["message"]), st.text(max_size=10))


def _fuzz(name: str) -> Any:
    """Derandomized (same examples every run, so a failure is reproducible); the five native protocols
    get more examples than the OpenAI-compatible providers, which share most of their code."""
    examples = 200 if name in ALL_PROTOCOLS else 50
    return settings(
        max_examples=examples,
        deadline=2000,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# Inputs that broke a translation once: always tried first (the fuzz found them; see the report).
def _openai_body(**fields: Any) -> bytes:
    return _encode({"id": "x", "object": "chat.completion", "created": 1, "model": "m", **fields})


def _openai_chunk(**fields: Any) -> bytes:
    return _encode({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m", **fields})


_OK_MESSAGE = {"role": "assistant", "content": "hi"}
KNOWN_BODIES: dict[str, list[bytes]] = {
    "openai": [
        _openai_body(choices=5),
        _openai_body(choices=True),
        _openai_body(choices=[[]]),
        _openai_body(choices=[{"index": 0, "message": "hi", "finish_reason": "stop"}]),
        _openai_body(choices=[{"index": 0, "message": ["hi"], "finish_reason": "stop"}]),
        _openai_body(choices=[{"index": 0, "message": _OK_MESSAGE, "finish_reason": ["stop"]}]),
        _openai_body(choices=[{"index": 0, "message": _OK_MESSAGE, "finish_reason": {"a": 1}}]),
    ],
    "anthropic": [
        _encode({**ANTHROPIC_OK, "usage": {"input_tokens": [1], "output_tokens": 2}}),
        _encode({**ANTHROPIC_OK, "usage": {"input_tokens": 1, "output_tokens": "many"}}),
    ],
    "gemini": [
        _encode({"candidates": [{"content": {"parts": [{"text": "hi"}]}, "finishReason": {"a": 1}}]}),
        _encode({"candidates": [{"content": {"parts": 5}, "finishReason": "STOP"}]}),
        _encode(
            {
                "candidates": [{"content": {"parts": [{"text": "hi"}]}, "finishReason": "STOP"}],
                "usageMetadata": {"promptTokenCount": {"a": 1}, "candidatesTokenCount": [2]},
            }
        ),
    ],
}
KNOWN_EVENTS: dict[str, list[list[tuple[bytes, str | None]]]] = {
    "openai": [
        [(_openai_chunk(choices=5), None)],
        [(_openai_chunk(choices=True), None)],
        [(_openai_chunk(choices=[True]), None)],
        [(_openai_chunk(choices=[{"index": 0, "delta": "hi"}]), None)],
        [(_openai_chunk(choices=[{"index": 0, "delta": [["hi"]]}]), None)],
        [(_openai_chunk(choices=[{"index": 0, "delta": {"content": "hi"}, "finish_reason": []}]), None)],
    ],
    "anthropic": [
        [(_encode({"type": "message_start", "message": "x"}), None)],
        [(_encode({"type": "content_block_delta", "index": 0, "delta": "oops"}), None)],
        [(_encode({"type": "content_block_start", "index": [1], "content_block": {"type": "text"}}), None)],
        [(_encode({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": [1]}}), None)],
        [(_encode({"type": "message_delta", "delta": 5}), None)],
    ],
    "gemini": [
        [(_encode({"candidates": True}), None)],
        [(_encode({"candidates": [{"content": {"parts": 5}}]}), None)],
        [(_encode({"candidates": [{"content": {"parts": [{"text": "hi"}]}, "index": {"a": 1}}]}), None)],
        [
            (
                _encode(
                    {
                        "candidates": [{"content": {"parts": [{"text": "hi"}]}, "finishReason": "STOP"}],
                        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": {"a": 1}},
                    }
                ),
                None,
            )
        ],
    ],
}

KNOWN_BROKEN: dict[tuple[str, str], str] = {}
"""(kind, provider) → the bug that makes its fuzz test fail: a strict xfail until the plugin is fixed."""


def _provider_params(kind: str) -> list[Any]:
    out = []
    for name, cls, proto in plugin_providers():
        reason = KNOWN_BROKEN.get((kind, name))
        marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)] if reason else []
        out.append(pytest.param(name, cls, proto, id=name, marks=marks))
    return out


# Each check records an untyped exception instead of raising it, so one run lists the distinct
# failures (with their input) rather than shrinking only the first.


@pytest.mark.parametrize(("name", "cls", "family"), _provider_params("response"))
def test_response_translation_gives_a_completion_or_a_typed_error(name: str, cls: type, family: Protocol) -> None:
    from any_llm.types.completion import ChatCompletion

    provider = cls(api_key=KEY, api_base="http://127.0.0.1:9/v1")
    failures: list[str] = []

    def check(body: bytes) -> None:
        try:
            result: Any = parse_completion(provider, _params(False), body)
        except errors.AnyLLMError as exc:
            result = exc
        except Exception as exc:
            failures.append(f"{body[:300]!r}: {type(exc).__name__}: {exc}")
            return
        ok = isinstance(result, ChatCompletion) or result.provider == name
        if not ok:
            failures.append(f"{body[:300]!r}: {result!r}")

    for body in KNOWN_BODIES.get(family.name, []):
        check(body)
    _fuzz(name)(given(body=_bodies(family))(check))()
    assert failures[:5] == []


@pytest.mark.parametrize(("name", "cls", "family"), _provider_params("stream"))
def test_stream_translation_gives_chunks_or_a_typed_error(name: str, cls: type, family: Protocol) -> None:
    from any_llm.types.completion import ChatCompletionChunk

    provider = cls(api_key=KEY, api_base="http://127.0.0.1:9/v1")
    failures: list[str] = []

    def check(payloads: list[tuple[bytes, str | None]]) -> None:
        parser = provider.stream_parser(_params(True))
        chunks: list[Any] = []
        try:
            for data, event in payloads:
                chunks += feed_event(provider, parser, StreamEvent(data, event))
                if parser.done:
                    break
            chunks += list(parser.finish())
        except errors.AnyLLMError:
            return
        except Exception as exc:
            failures.append(f"{payloads!r:.300}: {type(exc).__name__}: {exc}")
            return
        if not all(isinstance(c, ChatCompletionChunk) for c in chunks):
            failures.append(f"{payloads!r:.300}: not chunks: {chunks!r:.200}")

    for payloads in KNOWN_EVENTS.get(family.name, []):
        check(payloads)
    strategy = st.lists(st.tuples(_stream_payloads(family), _event_names(family)), max_size=8)
    _fuzz(name)(given(payloads=strategy)(check))()
    assert failures[:5] == []


@pytest.mark.parametrize(("name", "cls", "family"), _provider_params("error"))
def test_error_translation_always_returns_a_typed_error(name: str, cls: type, family: Protocol) -> None:
    import httpx

    provider = cls(api_key=KEY, api_base="http://127.0.0.1:9/v1")
    header_values = st.one_of(
        st.text(st.characters(max_codepoint=255), max_size=30),
        st.sampled_from(["1", "-5", "1e400", "nan", "inf", "0.5", "", "Wed, 21 Oct 2015 07:28:00 GMT"]),
    )
    headers = st.dictionaries(
        st.sampled_from(["retry-after", "retry-after-ms", "x-request-id", "request-id", "content-type"]), header_values
    )

    @_fuzz(name)
    @given(status=st.integers(300, 599), body=_bodies(family), headers=headers)
    def check(status: int, body: bytes, headers: dict[str, str]) -> None:
        wire = httpx.Headers({k: v.encode("latin-1") for k, v in headers.items()})  # as received
        err = provider.parse_error(status, wire, body)
        assert isinstance(err, errors.AnyLLMError)
        if isinstance(err, errors.RateLimitError) and err.retry_after is not None:
            assert err.retry_after >= 0
        assert KEY not in str(err)

    check()


# -- bad arguments fail before anything is sent ------------------------------------------------------


def _untyped_tool(city):  # type: ignore[no-untyped-def]
    """A tool whose parameter has no annotation."""
    return city


BAD_ARGUMENTS: list[tuple[str, dict[str, Any], type[errors.AnyLLMError], str]] = [
    ("empty messages", {"messages": []}, errors.ConfigurationError, "messages is empty"),
    ("messages as a string", {"messages": "hello"}, errors.ConfigurationError, "messages must be a list"),
    ("message without a role", {"messages": [{"content": "hi"}]}, errors.ConfigurationError, 'has no "role"'),
    (
        "unknown role",
        {"messages": [{"role": "wizard", "content": "hi"}]},
        errors.ConfigurationError,
        "unknown role 'wizard'; use one of",
    ),
    ("non-callable tool", {"tools": [42]}, errors.ConfigurationError, "neither a tool dict"),
    (
        "tool without annotations",
        {"tools": [_untyped_tool]},
        errors.ConfigurationError,
        "parameter 'city' has no type hint; annotate it",
    ),
    (
        "response_format as a string",
        {"response_format": "json"},
        errors.ConfigurationError,
        "response_format must be a dict, a pydantic model class or a dataclass",
    ),
    (
        "response_format of an unknown type",
        {"response_format": {"type": "yaml"}},
        errors.ConfigurationError,
        "use 'text', 'json_object', 'json_schema'",
    ),
    (
        "temperature as a string",
        {"temperature": "0.7"},
        errors.ConfigurationError,
        "temperature must be a number from 0 to 2, got '0.7' (str)",
    ),
    ("max_tokens negative", {"max_tokens": -1}, errors.ConfigurationError, "max_tokens must be a positive integer"),
    ("stream as a string", {"stream": "yes"}, errors.ConfigurationError, "stream must be True, False or None"),
    (
        "api_base without a scheme",
        {"api_base": "127.0.0.1:8080/v1"},
        errors.ConfigurationError,
        "must be an http:// or https:// URL",
    ),
    (
        "api_base with another scheme",
        {"api_base": "ftp://127.0.0.1/v1"},
        errors.ConfigurationError,
        "must be an http:// or https:// URL",
    ),
    ("empty api_key", {"api_key": ""}, errors.ConfigurationError, "api_key must be a non-empty string"),
    (
        "negative timeout",
        {"client_args": {"timeout": -1}},
        errors.ConfigurationError,
        "timeout must be a positive number",
    ),
    (
        "max_retries as a string",
        {"client_args": {"max_retries": "3"}},
        errors.ConfigurationError,
        "max_retries must be an integer >= 0",
    ),
    ("unknown client_args", {"client_args": {"retries": 3}}, errors.ConfigurationError, "unknown client_args for"),
    (
        "unknown provider",
        {"provider": "no-such-provider"},
        errors.UnsupportedProviderError,
        "is not an installed provider",
    ),
    (
        "a body value that is not JSON",
        {"metadata": {"x": object()}},
        errors.ConfigurationError,
        "cannot be sent as JSON",
    ),
]


def _bad_argument_params() -> list[Any]:
    """Every bad argument for every protocol, sync and async. A base URL without a scheme is left out
    for a provider that documents one (Ollama's ``OLLAMA_HOST=host:port``, completed to http://)."""
    from any_llm.plugins import get_provider_class
    from any_llm.provider import Provider

    out = []
    for proto in installed_protocols():
        lenient = get_provider_class(proto.name).normalize_api_base.__func__ is not Provider.normalize_api_base.__func__
        for case, override, exc_type, fix in BAD_ARGUMENTS:
            if case == "api_base without a scheme" and lenient:
                continue
            for mode in ("sync", "async"):
                out.append(pytest.param(override, exc_type, fix, mode, proto, id=f"{proto.name}-{case}-{mode}"))
    return out


@pytest.mark.parametrize(("override", "exc_type", "fix", "mode", "protocol"), _bad_argument_params())
def test_bad_arguments_fail_before_sending(
    override: dict[str, Any], exc_type: type[Exception], fix: str, mode: str, protocol: Protocol, server: FaultServer
) -> None:
    with pytest.raises(exc_type) as info:
        invoke(mode, {**call_kwargs(protocol, protocol.base(server)), **override})
    assert fix in str(info.value), "the message must say what to fix"
    assert isinstance(info.value, errors.ConfigurationError)
    assert server.requests == []
    assert server.connections == 0


def test_stream_with_a_structured_output_type_is_refused_before_sending(proto: Protocol, server: FaultServer) -> None:
    from pydantic import BaseModel

    class Answer(BaseModel):
        text: str

    kwargs = call_kwargs(proto, proto.base(server), stream=True)
    with pytest.raises(errors.ConfigurationError, match="cannot be combined with stream=True"):
        asyncio.run(_acall(kwargs | {"response_format": Answer}))
    assert server.requests == []


async def _acall(kwargs: dict[str, Any]) -> Any:
    from any_llm import acompletion

    return await acompletion(**kwargs)
