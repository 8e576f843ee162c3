"""A fast canned-response LLM server for the benchmark (stdlib only, raw asyncio protocol).

It must never be the bottleneck, so it does almost no work per request: responses are prebuilt bytes
(cached per protocol and chunk count) and requests are parsed just enough to route them. HTTP/1.1
keep-alive; streams use chunked transfer encoding with one HTTP chunk per event, as real servers do.

Routes (any path prefix is allowed, so a client's base URL can be ``http://host:port/n/20000/v1``):
    .../chat/completions            OpenAI (and Mistral): JSON, or SSE when the body says "stream": true
    .../messages                    Anthropic: JSON, or SSE events when "stream": true
    ...:generateContent             Gemini: JSON;  ...:streamGenerateContent?alt=sse: SSE (CRLF framing)
    .../api/chat                    Ollama: NDJSON stream unless the body says "stream": false
    GET /stats                      {"connections", "requests", "streams", "workers"} summed over workers
The chunk count N comes from a ``/n/N`` path prefix, a ``?n=N`` query parameter or a ``"bench_chunks": N``
body field (default 16). ``connections`` counts connections that served at least one non-/stats request.

    python bench/server.py [--port 0] [--workers 1] [--cpus 0]   # prints "READY http://127.0.0.1:PORT"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import signal
import socket
import sys
from typing import Any

DEFAULT_CHUNKS = 16
TEXT = "Hello! How can I help you today?"
TOKEN = " w{:03d}"
"""Content of chunk i is TOKEN.format(i % 1000): varied (litellm rejects a stream repeating one chunk), fixed size."""
CREATED = 1700000000
MODEL = "bench-model"

_CL = re.compile(rb"\r\ncontent-length:\s*(\d+)")
_STREAM = re.compile(rb'"stream"\s*:\s*(true|false)')
_BODY_N = re.compile(rb'"bench_chunks"\s*:\s*(\d+)')
_QUERY_N = re.compile(rb"(?:^|&)n=(\d+)")

# Slots per worker in the shared counter array.
CONNS, REQS, STREAMS, NSLOTS = 0, 1, 2, 3


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


# -- canned bodies ---------------------------------------------------------------------------------


def openai_completion() -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": TEXT, "refusal": None, "annotations": []},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 12,
            "completion_tokens": 9,
            "total_tokens": 21,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_bench",
    }


def _oa_chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
    return _dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": MODEL,
            "service_tier": "default",
            "system_fingerprint": "fp_bench",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extra,
        }
    )


def openai_events(n: int) -> list[bytes]:
    """N content chunks plus role, finish and usage chunks, then [DONE] (N + 3 chunks)."""
    usage = {"prompt_tokens": 12, "completion_tokens": n, "total_tokens": 12 + n}
    usage_chunk = _dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": MODEL,
            "service_tier": "default",
            "system_fingerprint": "fp_bench",
            "choices": [],
            "usage": usage,
        }
    )
    content = [b"data: " + _oa_chunk({"content": TOKEN.format(i)}) + b"\n\n" for i in range(1000)]
    return [
        b"data: " + _oa_chunk({"role": "assistant", "content": "", "refusal": None}) + b"\n\n",
        *(content[i % 1000] for i in range(n)),
        b"data: " + _oa_chunk({}, "stop") + b"\n\n",
        b"data: " + usage_chunk + b"\n\n",
        b"data: [DONE]\n\n",
    ]


def anthropic_message() -> dict[str, Any]:
    return {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": TEXT}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 9},
    }


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + _dumps(data) + b"\n\n"


def anthropic_events(n: int) -> list[bytes]:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 1},
        },
    }
    deltas = [
        _sse(
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": TOKEN.format(i)}},
        )
        for i in range(1000)
    ]
    return [
        _sse("message_start", start),
        _sse(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        _sse("ping", {"type": "ping"}),
        *(deltas[i % 1000] for i in range(n)),
        _sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        _sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": n},
            },
        ),
        _sse("message_stop", {"type": "message_stop"}),
    ]


def _gemini(text: str, finish: str | None, usage: dict[str, int]) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return {"candidates": [cand], "usageMetadata": usage, "modelVersion": MODEL, "responseId": "bench"}


def gemini_response() -> dict[str, Any]:
    return _gemini(TEXT, "STOP", {"promptTokenCount": 12, "candidatesTokenCount": 9, "totalTokenCount": 21})


def gemini_events(n: int) -> list[bytes]:
    """N events, the last one carrying finishReason and the full usage. Gemini frames events with CRLF."""
    usage = {"promptTokenCount": 12, "totalTokenCount": 12}
    mid = [b"data: " + _dumps(_gemini(TOKEN.format(i), None, usage)) + b"\r\n\r\n" for i in range(1000)]
    last = _gemini(
        TOKEN.format((n - 1) % 1000),
        "STOP",
        {"promptTokenCount": 12, "candidatesTokenCount": n, "totalTokenCount": 12 + n},
    )
    return [*(mid[i % 1000] for i in range(n - 1)), b"data: " + _dumps(last) + b"\r\n\r\n"]


def _ollama(content: str, done: bool, n: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": MODEL,
        "created_at": "2025-01-01T00:00:00.000000Z",
        "message": {"role": "assistant", "content": content},
        "done": done,
    }
    if done:
        out.update(
            done_reason="stop",
            total_duration=1000000,
            load_duration=1000,
            prompt_eval_count=12,
            prompt_eval_duration=1000,
            eval_count=n or 9,
            eval_duration=1000,
        )
    return out


def ollama_events(n: int) -> list[bytes]:
    lines = [_dumps(_ollama(TOKEN.format(i), False)) + b"\n" for i in range(1000)]
    return [*(lines[i % 1000] for i in range(n)), _dumps(_ollama("", True, n)) + b"\n"]


JSON_BODIES = {
    "openai": openai_completion,
    "anthropic": anthropic_message,
    "gemini": gemini_response,
    "ollama": lambda: _ollama(TEXT, True),
}
STREAM_BUILDERS = {
    "openai": (openai_events, b"text/event-stream"),
    "anthropic": (anthropic_events, b"text/event-stream"),
    "gemini": (gemini_events, b"text/event-stream"),
    "ollama": (ollama_events, b"application/x-ndjson"),
}


def _head(status: str, ctype: bytes, extra: bytes) -> bytes:
    return b"HTTP/1.1 " + status.encode() + b"\r\ncontent-type: " + ctype + b"\r\n" + extra + b"\r\n"


def _fixed(status: str, ctype: bytes, body: bytes) -> bytes:
    return _head(status, ctype, b"content-length: " + str(len(body)).encode() + b"\r\n") + body


_cache: dict[tuple[str, int], bytes] = {}


def response_bytes(protocol: str, stream: bool, n: int) -> bytes:
    """The whole HTTP response, built once per (protocol, stream, n)."""
    key = (protocol, n if stream else -1)
    cached = _cache.get(key)
    if cached is None:
        if stream:
            build, ctype = STREAM_BUILDERS[protocol]
            framed = b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in build(n))
            cached = (
                _head("200 OK", ctype, b"transfer-encoding: chunked\r\ncache-control: no-cache\r\n")
                + framed
                + b"0\r\n\r\n"
            )
        else:
            cached = _fixed("200 OK", b"application/json", _dumps(JSON_BODIES[protocol]()))
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = cached
    return cached


def route(target: bytes, body: bytes) -> tuple[str | None, bool, int]:
    """(protocol or None, stream?, chunk count) for a request target and body."""
    path, _, query = target.partition(b"?")
    n = DEFAULT_CHUNKS
    if path.startswith(b"/n/"):
        num, _, rest = path[3:].partition(b"/")
        if num.isdigit():
            n, path = int(num), b"/" + rest
    m = _QUERY_N.search(query)
    if m:
        n = int(m.group(1))
    m = _BODY_N.search(body)
    if m:
        n = int(m.group(1))
    m = _STREAM.search(body)
    flag = None if m is None else m.group(1) == b"true"
    if path.endswith(b"/chat/completions"):
        return "openai", bool(flag), n
    if path.endswith(b"/messages"):
        return "anthropic", bool(flag), n
    if path.endswith(b":streamGenerateContent"):
        return "gemini", True, n
    if path.endswith(b":generateContent"):
        return "gemini", False, n
    if path.endswith(b"/api/chat"):
        return "ollama", flag is not False, n
    return None, False, n


class HTTPServerProtocol(asyncio.Protocol):
    """One keep-alive connection: parse requests as they arrive, answer with cached bytes."""

    __slots__ = ("base", "buf", "counted", "counters", "transport")

    def __init__(self, counters: Any, base: int) -> None:
        self.counters = counters
        self.base = base
        self.buf = b""
        self.counted = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            raw = buf[:end]
            nl = raw.find(b"\r\n")
            line, headers = (raw, b"") if nl < 0 else (raw[:nl], raw[nl:].lower())
            m = _CL.search(headers)
            total = end + 4 + (int(m.group(1)) if m else 0)
            if len(buf) < total:
                break
            body = buf[end + 4 : total]
            buf = buf[total:]
            parts = line.split(b" ")
            if len(parts) < 3:
                self._bad()
                return
            self.handle(parts[1], body, b"\r\nconnection: close" in headers)
        self.buf = buf

    def handle(self, target: bytes, body: bytes, close: bool) -> None:
        transport = self.transport
        assert transport is not None
        if target.startswith(b"/stats"):
            transport.write(_fixed("200 OK", b"application/json", stats_json(self.counters)))
        else:
            counters, base = self.counters, self.base
            if not self.counted:
                self.counted = True
                counters[base + CONNS] += 1
            counters[base + REQS] += 1
            protocol, stream, n = route(target, body)
            if protocol is None:
                transport.write(
                    _fixed(
                        "404 Not Found",
                        b"application/json",
                        b'{"error":{"message":"no such route","type":"not_found"}}',
                    )
                )
            else:
                if stream:
                    counters[base + STREAMS] += 1
                transport.write(response_bytes(protocol, stream, n))
        if close:
            transport.close()

    def _bad(self) -> None:
        assert self.transport is not None
        self.transport.write(_fixed("400 Bad Request", b"text/plain", b"bad request"))
        self.transport.close()


def stats_json(counters: Any) -> bytes:
    workers = len(counters) // NSLOTS
    sums = [sum(counters[w * NSLOTS + i] for w in range(workers)) for i in range(NSLOTS)]
    return _dumps({"connections": sums[CONNS], "requests": sums[REQS], "streams": sums[STREAMS], "workers": workers})


# -- process plumbing --------------------------------------------------------------------------------


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock


def serve(sock: socket.socket, counters: Any, worker: int, cpus: set[int] | None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: HTTPServerProtocol(counters, worker * NSLOTS), sock=sock, backlog=4096
        )
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        server.close()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1, help="processes sharing the port (SO_REUSEPORT)")
    ap.add_argument("--cpus", default="", help="comma-separated CPU ids to pin the server to")
    args = ap.parse_args(argv)
    cpus = {int(c) for c in args.cpus.split(",") if c.strip()} or None
    counters = mp.get_context("fork").RawArray("q", args.workers * NSLOTS)
    first = _listen(args.port)
    port = first.getsockname()[1]
    children = []
    for w in range(1, args.workers):
        proc = mp.get_context("fork").Process(target=serve, args=(_listen(port), counters, w, cpus), daemon=True)
        proc.start()
        children.append(proc)
    print(f"READY http://127.0.0.1:{port}", flush=True)
    try:
        serve(first, counters, 0, cpus)
    finally:
        for proc in children:
            proc.terminate()
            proc.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
