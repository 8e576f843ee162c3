"""A scriptable HTTP/1.1 server on 127.0.0.1 for tests: real sockets, real httpx stack, faults on command.

Each request is answered by a :class:`Reply` taken from a queue (``server.queue(...)``) or made by a
handler function. A reply can stream its body in pieces with delays, stall, drop the connection
before or after the headers, or close mid-body, so tests cover what production networks do.
The server records every request (method, path, headers, JSON body) and counts connections.

    with MockServer() as server:
        server.queue(Reply.json({"id": "x", ...}))
        completion(..., api_base=server.url + "/v1")
        assert server.requests[0].json["model"] == "..."
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MockServer", "RecordedRequest", "Reply", "ndjson_lines", "sse_events"]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def query(self) -> dict[str, str]:
        from urllib.parse import parse_qsl, urlsplit

        return dict(parse_qsl(urlsplit(self.path).query))


@dataclass
class Reply:
    """One scripted answer. ``chunks`` are written one by one (chunked encoding) with ``chunk_delay``."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    delay: float = 0.0
    """Seconds to wait before sending anything."""
    chunk_delay: float = 0.0
    fault: str | None = None
    """None, "reset" (close before any byte), "hang" (send nothing), "hang_after_headers",
    "cut" (close mid-body, after the chunks), "no_terminator" (end a chunked body without its last chunk)."""

    @classmethod
    def json(cls, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, {"content-type": "application/json", **(headers or {})}, [json.dumps(obj).encode()])

    @classmethod
    def text(
        cls,
        text: str | bytes,
        status: int = 200,
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body = text.encode() if isinstance(text, str) else text
        return cls(status, {"content-type": content_type, **(headers or {})}, [body])

    @classmethod
    def sse(
        cls, events: Iterable[Any], done: bool = True, chunk_delay: float = 0.0, headers: dict[str, str] | None = None
    ) -> Reply:
        return cls(
            200,
            {"content-type": "text/event-stream", **(headers or {})},
            sse_events(events, done=done),
            chunk_delay=chunk_delay,
        )

    @classmethod
    def ndjson(cls, objs: Iterable[Any], chunk_delay: float = 0.0) -> Reply:
        return cls(200, {"content-type": "application/x-ndjson"}, ndjson_lines(objs), chunk_delay=chunk_delay)


def sse_events(events: Iterable[Any], done: bool = True) -> list[bytes]:
    """SSE frames: dicts become ``data: <json>``; ``(name, dict)`` pairs add an ``event:`` line."""
    out = []
    for ev in events:
        if isinstance(ev, tuple):
            name, data = ev
            payload = data if isinstance(data, str) else json.dumps(data)
            out.append(f"event: {name}\ndata: {payload}\n\n".encode())
        elif isinstance(ev, bytes):
            out.append(ev)
        else:
            payload = ev if isinstance(ev, str) else json.dumps(ev)
            out.append(f"data: {payload}\n\n".encode())
    if done:
        out.append(b"data: [DONE]\n\n")
    return out


def ndjson_lines(objs: Iterable[Any]) -> list[bytes]:
    return [json.dumps(o).encode() + b"\n" for o in objs]


Handler = Callable[[RecordedRequest], Reply]


class MockServer:
    """Threaded HTTP/1.1 server with keep-alive; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler = handler
        self.requests: list[RecordedRequest] = []
        self.replies: deque[Reply] = deque()
        self.connections = 0
        self.open_connections = 0
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(512)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def start(self) -> MockServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._sock.close()
        with self._lock:
            for conn in list(self._conns):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals ------------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            try:  # headers and body are separate writes: without NODELAY, Nagle + delayed ACK add 40 ms
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            if self._stop.is_set():
                conn.close()
                return
            with self._lock:
                self.connections += 1
                self.open_connections += 1
                self._conns.add(conn)
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            t.start()

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        if self.handler is not None:
            return self.handler(request)
        return Reply.json({"error": {"message": "MockServer has no reply queued"}}, status=500)

    def _handle(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            while not self._stop.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                reply = self._next_reply(request)
                if not self._send(conn, reply):
                    return
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self.open_connections -= 1
                self._conns.discard(conn)
            try:
                reader.close()
                conn.close()
            except OSError:
                pass

    def _send(self, conn: socket.socket, reply: Reply) -> bool:
        """Write one reply; False when the connection must close."""
        if reply.delay:
            time.sleep(reply.delay)
        if reply.fault == "reset":
            _reset(conn)
            return False
        if reply.fault == "hang":
            self._stop.wait(3600)
            return False
        head = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        headers = {k.lower(): v for k, v in reply.headers.items()}
        chunked = len(reply.chunks) != 1 or reply.fault in ("cut", "no_terminator")
        if chunked:
            headers["transfer-encoding"] = "chunked"
        else:
            headers["content-length"] = str(len(reply.chunks[0]))
        for k, v in headers.items():
            head.append(f"{k}: {v}")
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        if reply.fault == "hang_after_headers":
            self._stop.wait(3600)
            return False
        if not chunked:
            conn.sendall(reply.chunks[0])
            return True
        for piece in reply.chunks:
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
            if piece:
                conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        if reply.fault == "cut":
            _reset(conn)
            return False
        if reply.fault == "no_terminator":
            conn.shutdown(socket.SHUT_WR)
            return False
        conn.sendall(b"0\r\n\r\n")
        return True


def _reset(conn: socket.socket) -> None:
    import struct

    # SO_LINGER 0: close sends RST, like a crashed peer
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _read_request(reader: Any) -> RecordedRequest | None:
    line = reader.readline(65536)
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) < 2:
        return None
    method, path = parts[0], parts[1]
    headers: dict[str, str] = {}
    while True:
        h = reader.readline(65536)
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    body = b""
    if "content-length" in headers:
        body = reader.read(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int(reader.readline().strip().split(b";")[0], 16)
            if size == 0:
                reader.readline()
                break
            body += reader.read(size)
            reader.readline()
    return RecordedRequest(method, path, headers, body)


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    529: "Overloaded",
}
