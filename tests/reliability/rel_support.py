"""Shared pieces of the reliability suite: a fault server, protocol adapters, call helpers.

Every protocol plugin present in ``plugins/`` gets a :class:`Protocol` adapter that knows its wire
shapes (a success body echoing a request id, a stream with and without its end marker, an error
event in the middle of a stream), so each fault case runs against every installed protocol.
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from any_llm import errors
from any_llm.testing import MockServer, RecordedRequest, Reply, ndjson_lines, sse_events

KEY = "sk-relia-SECRET-0123456789abcdef"
"""A recognisable API key: no test output may ever contain it."""

TIMEOUT = 0.5
MARGIN = 0.75
"""Seconds allowed on top of the configured timeouts (thread start-up, a slow CI core)."""


# -- a MockServer with the few faults it lacks ------------------------------------------------------


class FaultServer(MockServer):
    """MockServer plus faults it does not have yet:

    - ``"stall"``: send the chunks, then go silent with the body unfinished (a stalled stream);
    - ``"short_body"``: declare a Content-Length, send only the chunks, then close cleanly (FIN);
    - ``"reset_after_headers"``: headers with a Content-Length, then RST before any body byte;
    - ``"hang_until_close"``: send nothing, but notice when the client closes (``open_connections``
      drops), so a test can see that a cancelled call really released its socket.
    """

    def _send(self, conn: socket.socket, reply: Reply) -> bool:
        if reply.fault == "hang_until_close":
            conn.settimeout(0.05)
            while not self._stop.is_set():
                try:
                    if not conn.recv(1):
                        return False
                except TimeoutError:
                    continue
            return False
        if reply.fault not in ("stall", "short_body", "reset_after_headers"):
            return super()._send(conn, reply)
        if reply.delay:
            time.sleep(reply.delay)
        head = [f"HTTP/1.1 {reply.status} Status"]
        headers = {k.lower(): v for k, v in reply.headers.items()}
        if reply.fault == "stall":
            headers["transfer-encoding"] = "chunked"
        else:
            headers["content-length"] = str(sum(len(c) for c in reply.chunks) + 1000)
        head += [f"{k}: {v}" for k, v in headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        if reply.fault == "reset_after_headers":
            _rst(conn)
            return False
        for piece in reply.chunks:
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if reply.fault == "stall" else piece)
        if reply.fault == "stall":
            self._stop.wait(3600)
            return False
        conn.shutdown(socket.SHUT_WR)
        return False


def _rst(conn: socket.socket) -> None:
    import struct

    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def refused_url() -> str:
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- protocol adapters ------------------------------------------------------------------------------


@dataclass
class Protocol:
    """How one provider's wire protocol looks, for building scripted replies and reading requests."""

    name: str
    base_suffix: str
    """Appended to the server URL to form api_base."""
    auth_header: str
    ok_body: Callable[[str], Any]
    """A success body whose id/text echo the request id."""
    stream_events: Callable[[str], list[Any]]
    """A complete stream (with its end marker) answering request id ``rid``; text is ``echo:<rid>``."""
    truncated_events: Callable[[str], list[Any]]
    """Stream events that stop before the protocol says it is done."""
    error_event: Any
    """An error object as the protocol sends it in the middle of a stream."""
    wrong_shape: Any
    """A JSON 200 that is not a completion."""
    error_body: Callable[[str], Any]
    stream_format: str = "sse"
    done_marker: bool = True
    """OpenAI-style ``data: [DONE]`` after the events."""
    error_200: Any = None
    """A 200 body that carries an error instead of a completion (OpenAI-style ``{"error": ...}`` if None)."""
    wrong_event: Any = field(default_factory=lambda: ["not", "an", "event"])
    """A stream event the protocol cannot accept."""
    delta_index: int = 1
    """Index in ``stream_events`` of an event that yields a text chunk (repeated to make long streams)."""
    error_event_exc: type[errors.AnyLLMError] = errors.ProviderError
    """What the error event (and ``error_200``) must raise."""
    echoes_id: bool = True
    """The protocol carries a response id (ours echo the request id); Ollama's has none, so we make one."""

    @property
    def stream_ctype(self) -> dict[str, str]:
        return {"content-type": "application/x-ndjson" if self.stream_format == "ndjson" else "text/event-stream"}

    def base(self, server: MockServer | str) -> str:
        url = server if isinstance(server, str) else server.url
        return url + self.base_suffix

    def rid_of(self, request: RecordedRequest) -> str:
        """The request id the test put in the last user message."""
        return _find_rid(request.json)

    def is_stream(self, request: RecordedRequest) -> bool:
        body = request.json or {}
        if "streamGenerateContent" in request.path:
            return True
        if self.name == "ollama":
            return body.get("stream", True) is not False
        return bool(body.get("stream"))

    def ok(self, rid: str) -> Reply:
        return Reply.json(self.ok_body(rid))

    def stream(self, rid: str, chunk_delay: float = 0.0) -> Reply:
        return self.frames(self.stream_events(rid), done=True, chunk_delay=chunk_delay)

    def frames(self, events: list[Any], done: bool, chunk_delay: float = 0.0) -> Reply:
        if self.stream_format == "ndjson":
            return Reply(200, {"content-type": "application/x-ndjson"}, ndjson_lines(events), chunk_delay=chunk_delay)
        return Reply(
            200,
            {"content-type": "text/event-stream"},
            sse_events(events, done=done and self.done_marker),
            chunk_delay=chunk_delay,
        )

    def raw_frames(self, events: list[Any], done: bool = True) -> list[bytes]:
        return self.frames(events, done).chunks

    def long_stream(self, rid: str, repeat: int = 200, chunk_delay: float = 0.02) -> Reply:
        """A stream of ``repeat`` text events, ``chunk_delay`` apart: far from done when a caller leaves."""
        events = self.stream_events(rid)
        i = self.delta_index
        return self.frames(events[:i] + [events[i]] * repeat + events[i + 1 :], done=True, chunk_delay=chunk_delay)

    def error(self, status: int, message: str = "try again", headers: dict[str, str] | None = None) -> Reply:
        body = self.error_body(message)
        if self.name == "gemini":
            body["error"].update(code=status, status=_GOOGLE_STATUS.get(status, "UNKNOWN"))
        return Reply.json(body, status=status, headers=headers)

    def error_in_200(self) -> Reply:
        return Reply.json(self.error_200 if self.error_200 is not None else self.error_event)

    def handler(self, delay: float = 0.0) -> Callable[[RecordedRequest], Reply]:
        """Answers every request with a success echoing its request id (a stream if it asked for one)."""

        def handle(request: RecordedRequest) -> Reply:
            rid = self.rid_of(request)
            reply = self.stream(rid) if self.is_stream(request) else self.ok(rid)
            reply.delay = delay
            return reply

        return handle


def _find_rid(obj: Any) -> str:
    """The first ``rid-...`` string anywhere in the request body (each protocol nests messages its own way)."""
    if isinstance(obj, str):
        return obj if obj.startswith("rid-") else ""
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, list):
        for item in obj:
            found = _find_rid(item)
            if found:
                return found
    return ""


def _openai_chunk(rid: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": rid[:64],
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


OPENAI = Protocol(
    name="openai",
    base_suffix="/v1",
    auth_header="authorization",
    ok_body=lambda rid: {
        "id": rid[:64],
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": f"echo:{rid}"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    },
    stream_events=lambda rid: [
        _openai_chunk(rid, {"role": "assistant", "content": "echo:"}),
        _openai_chunk(rid, {"content": rid}),
        _openai_chunk(rid, {}, "stop"),
    ],
    truncated_events=lambda rid: [_openai_chunk(rid, {"role": "assistant", "content": "echo:"})],
    error_event={"error": {"message": "upstream overloaded", "type": "server_error"}},
    wrong_shape={"object": "list", "data": [{"id": "not-a-completion"}]},
    error_body=lambda msg: {"error": {"message": msg, "type": "server_error", "code": None}},
)


def _anthropic_events(rid: str) -> list[Any]:
    def delta(text: str) -> tuple[str, dict[str, Any]]:
        return (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}},
        )

    return [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": rid[:64],
                    "type": "message",
                    "role": "assistant",
                    "model": "m",
                    "content": [],
                    "stop_reason": None,
                    "usage": {"input_tokens": 1, "output_tokens": 0},
                },
            },
        ),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        delta("echo:"),
        ("ping", {"type": "ping"}),
        delta(rid),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 2},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]


ANTHROPIC = Protocol(
    name="anthropic",
    base_suffix="",
    auth_header="x-api-key",
    ok_body=lambda rid: {
        "id": rid[:64],
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": f"echo:{rid}"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 2},
    },
    stream_events=_anthropic_events,
    truncated_events=lambda rid: _anthropic_events(rid)[:3],
    error_event=("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    error_200={"type": "error", "error": {"type": "api_error", "message": "Internal server error"}},
    wrong_shape={"object": "list", "data": [{"id": "not-a-message"}]},
    error_body=lambda msg: {"type": "error", "error": {"type": "api_error", "message": msg}},
    done_marker=False,
    delta_index=2,
)

_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def _gemini_event(rid: str, text: str, finish: str | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "modelVersion": "m",
        "responseId": rid[:64],
        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 2, "totalTokenCount": 3},
    }


GEMINI = Protocol(
    name="gemini",
    base_suffix="/v1beta",
    auth_header="x-goog-api-key",
    ok_body=lambda rid: _gemini_event(rid, f"echo:{rid}", "STOP"),
    stream_events=lambda rid: [_gemini_event(rid, "echo:"), _gemini_event(rid, rid, "STOP")],
    truncated_events=lambda rid: [_gemini_event(rid, "echo:")],
    error_event={"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}},
    wrong_shape={"object": "list", "data": [{"id": "not-a-response"}]},
    error_body=lambda msg: {"error": {"code": 500, "message": msg, "status": "INTERNAL"}},
    done_marker=False,
    delta_index=0,
)


def _ollama_line(text: str, done: bool = False) -> dict[str, Any]:
    line: dict[str, Any] = {
        "model": "m",
        "created_at": "2025-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": done,
    }
    if done:
        line.update(done_reason="stop", prompt_eval_count=1, eval_count=2)
    return line


OLLAMA = Protocol(
    name="ollama",
    base_suffix="",
    auth_header="authorization",
    ok_body=lambda rid: _ollama_line(f"echo:{rid}", done=True),
    stream_events=lambda rid: [_ollama_line("echo:"), _ollama_line(rid), _ollama_line("", done=True)],
    truncated_events=lambda rid: [_ollama_line("echo:")],
    error_event={"error": "an error was encountered while running the model"},
    # Ollama's parser accepts a JSON object without "message" as an empty answer (reported); this one
    # is an Ollama-shaped answer whose content has the wrong type.
    wrong_shape={"model": "m", "message": {"role": "assistant", "content": ["not", "text"]}, "done": True},
    error_body=lambda msg: {"error": msg},
    stream_format="ndjson",
    done_marker=False,
    delta_index=0,
    echoes_id=False,
)


def _cohere_events(rid: str) -> list[Any]:
    def delta(text: str) -> tuple[str, dict[str, Any]]:
        return (
            "content-delta",
            {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": text}}}},
        )

    return [
        (
            "message-start",
            {"type": "message-start", "id": rid[:64], "delta": {"message": {"role": "assistant", "content": []}}},
        ),
        (
            "content-start",
            {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
        ),
        delta("echo:"),
        delta(rid),
        ("content-end", {"type": "content-end", "index": 0}),
        (
            "message-end",
            {
                "type": "message-end",
                "delta": {"finish_reason": "COMPLETE", "usage": {"tokens": {"input_tokens": 1, "output_tokens": 2}}},
            },
        ),
    ]


COHERE = Protocol(
    name="cohere",
    base_suffix="",
    auth_header="authorization",
    ok_body=lambda rid: {
        "id": rid[:64],
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": f"echo:{rid}"}]},
        "usage": {"tokens": {"input_tokens": 1, "output_tokens": 2}},
    },
    stream_events=_cohere_events,
    truncated_events=lambda rid: _cohere_events(rid)[:3],
    error_event=(
        "message-end",
        {"type": "message-end", "delta": {"finish_reason": "ERROR", "error": "internal error"}},
    ),
    error_200={
        "id": "x",
        "finish_reason": "ERROR",
        "message": {"role": "assistant", "content": []},
        "error": "internal error",
    },
    wrong_shape={"object": "list", "data": [{"id": "not-a-chat-response"}]},
    error_body=lambda msg: {"message": msg},
    done_marker=False,
    delta_index=2,
)

ALL_PROTOCOLS: dict[str, Protocol] = {p.name: p for p in (OPENAI, ANTHROPIC, GEMINI, OLLAMA, COHERE)}


def _bedrock_events(rid: str) -> list[Any]:
    usage = {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}
    return [
        ("messageStart", {"role": "assistant"}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "echo:"}}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": rid}}),
        ("contentBlockStop", {"contentBlockIndex": 0}),
        ("messageStop", {"stopReason": "end_turn"}),
        ("metadata", {"usage": usage, "metrics": {"latencyMs": 1}}),
    ]


BEDROCK = Protocol(
    name="bedrock",
    base_suffix="",
    auth_header="authorization",
    ok_body=lambda rid: {
        "output": {"message": {"role": "assistant", "content": [{"text": f"echo:{rid}"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
        "metrics": {"latencyMs": 1},
    },
    stream_events=_bedrock_events,
    truncated_events=lambda rid: _bedrock_events(rid)[:2],
    error_event=("internalServerException", {"message": "upstream overloaded"}),
    wrong_shape={"modelSummaries": [{"modelId": "not-a-converse-answer"}]},
    error_body=lambda msg: {"message": msg},
    stream_format="aws-eventstream",
    done_marker=False,
    echoes_id=False,
)
TRANSLATION_ONLY: dict[str, Protocol] = {"bedrock": BEDROCK}
"""Protocols fuzzed at the translation level only (their binary stream framing is fuzzed in core's
event-stream tests; the HTTP fault cases assume a text stream format)."""


PLUGINS_DIR = Path(__file__).resolve().parents[2] / "plugins"


def plugin_providers() -> list[tuple[str, type, Protocol]]:
    """(name, provider class, wire protocol) of every provider whose plugin lives in ``plugins/``.

    OpenAI-compatible providers use the OpenAI shapes; each may still translate them its own way.
    """
    import inspect

    from any_llm.openai_compat import OpenAICompatibleProvider
    from any_llm.plugins import list_providers

    out = []
    for info in list_providers()[0]:
        cls = info.provider_class
        if not Path(inspect.getfile(cls)).resolve().is_relative_to(PLUGINS_DIR):
            continue
        proto = ALL_PROTOCOLS.get(info.name) or TRANSLATION_ONLY.get(info.name)
        if proto is None and issubclass(cls, OpenAICompatibleProvider):
            proto = OPENAI
        if proto is not None:
            out.append((info.name, cls, proto))
    return sorted(out, key=lambda item: item[0])


def installed_protocols() -> list[Protocol]:
    """Adapters whose plugin is installed: the suite runs over each of them."""
    from any_llm.plugins import get_provider_class

    out = []
    for name, proto in ALL_PROTOCOLS.items():
        try:
            get_provider_class(name)
        except errors.AnyLLMError:
            continue
        out.append(proto)
    return out


# -- calling ------------------------------------------------------------------------------------


def messages(rid: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": rid}]


def call_kwargs(
    proto: Protocol, base: str, rid: str = "rid-0", stream: bool = False, **client_args: Any
) -> dict[str, Any]:
    return {
        "model": "m",
        "provider": proto.name,
        "api_base": base,
        "api_key": KEY,
        "messages": messages(rid),
        "stream": stream,
        "client_args": {"timeout": TIMEOUT, "max_retries": 0, **client_args},
    }


def text_of(result: Any) -> str:
    """The assistant text of a completion or of a list of chunks."""
    if isinstance(result, list):
        return "".join(c.choices[0].delta.content or "" for c in result if c.choices)
    return str(result.choices[0].message.content)


def answered(proto: Protocol, result: Any, rid: str) -> bool:
    """The answer is the one for request ``rid``: its text, and its id where the protocol has one."""
    chunks = result if isinstance(result, list) else None
    if text_of(result) != f"echo:{rid}":
        return False
    if not proto.echoes_id:
        return True
    return all(c.id == rid for c in chunks) if chunks is not None else bool(result.id == rid)


def invoke(mode: str, kwargs: dict[str, Any]) -> Any:
    """Call completion (sync) or acompletion (under asyncio.run); streams are consumed fully."""
    from any_llm import acompletion, completion

    if mode == "sync":
        result = completion(**kwargs)
        return list(result) if kwargs.get("stream") else result

    async def go() -> Any:
        result = await acompletion(**kwargs)
        if kwargs.get("stream"):
            return [chunk async for chunk in result]
        return result

    return asyncio.run(go())


def wait_until(predicate: Callable[[], bool], timeout: float = 2.0) -> bool:
    """Poll ``predicate`` (the server notices a closed socket a moment later than the client)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        gc.collect()
        time.sleep(0.01)
    return predicate()


def pool_connections(client: Any) -> list[Any]:
    """httpcore connections in an httpx client's pool (sync or async)."""
    return list(client._transport._pool.connections)


def busy_connections(client: Any) -> list[Any]:
    """Pool connections that are neither idle nor closed: each one is a leaked, in-use connection."""
    return [c for c in pool_connections(client) if not (c.is_idle() or c.is_closed())]


def dump(obj: Any) -> str:
    return json.dumps(obj)
