"""The server's own ceiling, measured with a raw-socket client that does no parsing beyond framing.

If these rates are far above the raw httpx floor's, the server is not what the benchmark measures.
Prints one JSON line. Usage: python bench/ceiling.py URL [--seq 5000] [--chunks 20000] [--concurrency 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sys
import time
from urllib.parse import urlsplit

_CL = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.I)
BODY = b'{"model":"bench-model","messages":[{"role":"user","content":"Hello"}],"max_tokens":16}'
STREAM_BODY = b'{"model":"bench-model","messages":[{"role":"user","content":"Hello"}],"stream":true}'


def _request(path: str, body: bytes) -> bytes:
    return (
        b"POST %s HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
        % (path.encode(), len(body))
    ) + body


def sequential(host: str, port: int, n: int) -> float:
    """Requests per second over one keep-alive connection."""
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = _request("/v1/chat/completions", BODY)
    buf = b""
    start = time.perf_counter()
    for _ in range(n):
        sock.sendall(req)
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                m = _CL.search(buf[:end])
                total = end + 4 + int(m.group(1)) if m else end + 4
                if len(buf) >= total:
                    buf = buf[total:]
                    break
            buf += sock.recv(65536)
    elapsed = time.perf_counter() - start
    sock.close()
    return n / elapsed


def stream(host: str, port: int, chunks: int) -> float:
    """Events per second of one chunked SSE stream, read to its last byte."""
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start = time.perf_counter()
    sock.sendall(_request(f"/n/{chunks}/v1/chat/completions", STREAM_BODY))
    tail = b""
    while not tail.endswith(b"\r\n0\r\n\r\n"):
        data = sock.recv(1 << 20)
        if not data:
            raise RuntimeError("server closed the stream early")
        tail = (tail + data)[-16:]
    elapsed = time.perf_counter() - start
    sock.close()
    return (chunks + 3) / elapsed


async def _one(host: str, port: int, req: bytes) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(req)
    head = await reader.readuntil(b"\r\n\r\n")
    m = _CL.search(head)
    await reader.readexactly(int(m.group(1)) if m else 0)
    writer.close()
    await writer.wait_closed()


async def _concurrent(host: str, port: int, n: int) -> float:
    req = _request("/v1/chat/completions", BODY)
    start = time.perf_counter()
    await asyncio.gather(*(_one(host, port, req) for _ in range(n)))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--seq", type=int, default=5000)
    ap.add_argument("--chunks", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=500)
    args = ap.parse_args(argv)
    parts = urlsplit(args.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sequential(host, port, 50)  # warm the server's caches
    stream(host, port, args.chunks)
    out = {
        "seq_requests_per_s": round(sequential(host, port, args.seq), 1),
        "stream_chunks_per_s": round(max(stream(host, port, args.chunks) for _ in range(3)), 1),
        "concurrent_wall_s": round(asyncio.run(_concurrent(host, port, args.concurrency)), 5),
        "concurrency": args.concurrency,
        "stream_chunks": args.chunks,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
