"""An OpenAI-compatible server on 127.0.0.1 that answers with the prompt, and misbehaves on command.

Built for bulk jobs, where the proof is "each answer is the right one": a chat completion (or a
response) answers ``"echo: <last user message>"`` (``"echo: <input>"`` for a string input) and an
embedding encodes its input, so a test can check every output line against its input line.
Faults, each deterministic from ``seed``:

- ``capacity``: more requests than this in flight get a 429 (no Retry-After): congestion to adapt to;
- ``rpm``: a sliding one-minute window; beyond it a 429 with ``Retry-After``; every answer carries
  ``x-ratelimit-remaining-requests`` / ``x-ratelimit-reset-requests`` like OpenAI's;
- ``burst_every`` / ``burst_length`` (seconds): periodic bursts where every request gets a 429
  with ``Retry-After`` (the rest of the burst);
- ``reset_rate``: that share of requests has its connection reset (RST) before any answer;
- ``slow_rate`` / ``slow_delay``: that share of requests waits before answering;
- ``delay``: every request waits this long (a model's latency).

Runs in a background thread (``with EchoServer(...) as srv: srv.url``) or as a process:
``python -m any_llm.testing.echo_server --port 0 [--capacity 8 ...]`` prints ``READY <url>``.
Asyncio streams, no dependencies; thousands of requests a second on one core.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EchoServer", "EchoStats", "echo_text"]


def echo_text(messages: Any) -> str:
    """The answer to ``messages``: ``"echo: "`` + the last user message's text."""
    text = ""
    if isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict) and message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, list):
                    content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
                text = content if isinstance(content, str) else ""
    return "echo: " + text


@dataclass
class EchoStats:
    requests: int = 0
    answered: int = 0
    rate_limited: int = 0
    resets: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    starts: list[float] = field(default_factory=list)
    """Monotonic arrival time of every request that was answered 200 (for rate checks)."""


class EchoServer:
    def __init__(
        self,
        *,
        capacity: int | None = None,
        rpm: int | None = None,
        burst_every: float = 0.0,
        burst_length: float = 0.0,
        reset_rate: float = 0.0,
        slow_rate: float = 0.0,
        slow_delay: float = 0.2,
        delay: float = 0.0,
        retry_after: float = 0.05,
        seed: int = 0,
        port: int = 0,
        record_starts: bool = False,
    ) -> None:
        self.capacity = capacity
        self.rpm = rpm
        self.burst_every = burst_every
        self.burst_length = burst_length
        self.reset_rate = reset_rate
        self.slow_rate = slow_rate
        self.slow_delay = slow_delay
        self.delay = delay
        self.retry_after = retry_after
        self.record_starts = record_starts
        self.stats = EchoStats()
        self._random = random.Random(seed)
        self._window: collections.deque[float] = collections.deque()
        self._t0 = time.monotonic()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(1024)
        self._sock.setblocking(False)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> EchoServer:
        self._thread = threading.Thread(target=self._run_thread, daemon=True, name="echo-server")
        self._thread.start()
        self._ready.wait(10)
        return self

    def _run_thread(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.run_until_complete(self._start())
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, sock=self._sock, limit=1 << 24)

    async def serve_forever(self) -> None:
        await self._start()
        assert self._server is not None
        await self._server.serve_forever()

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def __enter__(self) -> EchoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests ---------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                length = 0
                for h in lines[1:]:
                    k, _, v = h.partition(":")
                    if k.strip().lower() == "content-length":
                        length = int(v.strip())
                body = await reader.readexactly(length) if length else b""
                if not await self._answer(method, path, body, writer):
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            writer.close()

    def _overloaded(self, now: float) -> tuple[bool, float | None, dict[str, str]]:
        """(429?, Retry-After, rate headers) for a request arriving at ``now``."""
        headers: dict[str, str] = {}
        if self.burst_every > 0 and self.burst_length > 0:
            phase = (now - self._t0) % self.burst_every
            if phase >= self.burst_every - self.burst_length:
                return True, round(self.burst_every - phase, 3), headers
        if self.rpm is not None:
            while self._window and self._window[0] <= now - 60.0:
                self._window.popleft()
            if len(self._window) >= self.rpm:
                return True, round(self._window[0] + 60.0 - now, 3), headers
            self._window.append(now)
            reset = (self._window[0] + 60.0 - now) if self._window else 60.0
            headers["x-ratelimit-limit-requests"] = str(self.rpm)
            headers["x-ratelimit-remaining-requests"] = str(self.rpm - len(self._window))
            headers["x-ratelimit-reset-requests"] = f"{reset:.3f}s"
        if self.capacity is not None and self.stats.in_flight > self.capacity:
            return True, None, headers
        return False, None, headers

    async def _answer(self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter) -> bool:
        stats = self.stats
        stats.requests += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if self.reset_rate and self._random.random() < self.reset_rate:
                stats.resets += 1
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return False
            now = time.monotonic()
            overloaded, retry_after, headers = self._overloaded(now)
            if overloaded:
                stats.rate_limited += 1
                if retry_after is not None:
                    headers["retry-after"] = str(retry_after)
                err = {"error": {"message": "Rate limit reached, slow down", "type": "rate_limit_error"}}
                await self._write(writer, 429, json.dumps(err).encode(), headers)
                return True
            wait = self.delay
            if self.slow_rate and self._random.random() < self.slow_rate:
                wait += self.slow_delay
            if wait:
                await asyncio.sleep(wait)
            status, payload = self._reply(path, body)
            if status == 200:
                stats.answered += 1
                if self.record_starts:
                    stats.starts.append(now)
            headers["x-request-id"] = f"req_{stats.requests}"
            await self._write(writer, status, payload, headers)
            return True
        finally:
            stats.in_flight -= 1

    def _reply(self, path: str, body: bytes) -> tuple[int, bytes]:
        try:
            request = json.loads(body)
        except ValueError:
            return 400, b'{"error":{"message":"body is not JSON","type":"invalid_request_error"}}'
        path = path.split("?")[0]
        if path.endswith("/chat/completions"):
            text = echo_text(request.get("messages"))
            prompt = sum(len(str(m.get("content", ""))) for m in request.get("messages") or []) // 4 + 1
            done = len(text) // 4 + 1
            answer = {
                "id": "chatcmpl-echo",
                "object": "chat.completion",
                "created": 1700000000,
                "model": request.get("model", "echo"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done},
            }
            return 200, json.dumps(answer).encode()
        if path.endswith("/responses"):
            data = request.get("input")
            text = "echo: " + data if isinstance(data, str) else echo_text(data)
            used = len(str(data)) // 4 + 1
            answer = {
                "id": "resp_echo",
                "object": "response",
                "created_at": 1700000000,
                "status": "completed",
                "model": request.get("model", "echo"),
                "output": [
                    {
                        "type": "message",
                        "id": "msg_echo",
                        "role": "assistant",
                        "status": "completed",
                        "content": [{"type": "output_text", "text": text, "annotations": []}],
                    }
                ],
                "usage": {"input_tokens": used, "output_tokens": len(text) // 4 + 1, "total_tokens": used + 1},
            }
            return 200, json.dumps(answer).encode()
        if path.endswith("/embeddings"):
            inputs = request.get("input")
            items = [inputs] if isinstance(inputs, str) else list(inputs or [])
            data = [
                {"object": "embedding", "index": i, "embedding": [float(len(s)), float(zlib.crc32(s.encode()) % 997)]}
                for i, s in enumerate(items)
            ]
            tokens = sum(len(s) for s in items) // 4 + 1
            answer = {
                "object": "list",
                "data": data,
                "model": request.get("model", "echo"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
            return 200, json.dumps(answer).encode()
        return 404, b'{"error":{"message":"no such route","type":"invalid_request_error"}}'

    @staticmethod
    async def _write(writer: asyncio.StreamWriter, status: int, payload: bytes, headers: dict[str, str]) -> None:
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Status")
        head = [f"HTTP/1.1 {status} {reason}", "content-type: application/json", f"content-length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m any_llm.testing.echo_server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--capacity", type=int)
    parser.add_argument("--rpm", type=int)
    parser.add_argument("--burst-every", type=float, default=0.0)
    parser.add_argument("--burst-length", type=float, default=0.0)
    parser.add_argument("--reset-rate", type=float, default=0.0)
    parser.add_argument("--slow-rate", type=float, default=0.0)
    parser.add_argument("--slow-delay", type=float, default=0.2)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    server = EchoServer(
        capacity=args.capacity,
        rpm=args.rpm,
        burst_every=args.burst_every,
        burst_length=args.burst_length,
        reset_rate=args.reset_rate,
        slow_rate=args.slow_rate,
        slow_delay=args.slow_delay,
        delay=args.delay,
        seed=args.seed,
        port=args.port,
    )
    print(f"READY {server.url}", flush=True)
    try:
        asyncio.run(server.serve_forever())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
