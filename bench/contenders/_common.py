"""Plumbing shared by the contender scripts.

Imports only what CPython has already loaded at startup (sys, os, time, resource are cheap), so a
contender can time its own ``import`` honestly: json, http.client and ssl are imported lazily, after
the timed region. Every script prints exactly one JSON line on stdout.

Argument convention: ``--mode M --url URL [--n N] [--calls C] [--concurrency K] [--provider P]``.
"""

from __future__ import annotations

import os
import resource
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it would be pre-loaded before timed imports
    from typing import Any

now = time.perf_counter
MESSAGES = [{"role": "user", "content": "Hello"}]
MODEL = "bench-model"
API_KEY = "test-key-123456"
MAX_TOKENS = 16


def parse_args(argv: list[str] | None = None) -> dict[str, str]:
    """``--key value`` pairs (argparse would cost an import before the timed region)."""
    argv = sys.argv[1:] if argv is None else argv
    out: dict[str, str] = {}
    for key, value in zip(argv[::2], argv[1::2]):
        out[key.lstrip("-").replace("-", "_")] = value
    if "mode" not in out:
        raise SystemExit("usage: --mode import|first_call|sequential|stream|concurrent|cold|cold_stream --url URL ...")
    return out


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def process_cpu_s() -> float:
    """CPU time (user + system) of this whole process so far, interpreter start-up included: the cold-start
    metric. On a shared machine it is steadier than wall time, which also counts waiting for a CPU."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_stats(url: str) -> dict[str, int]:
    """The server's counters (the /stats connection itself is not counted by the server)."""
    import http.client
    import json
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
    try:
        conn.request("GET", "/stats")
        data: dict[str, int] = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return data


class TLSCounter:
    """Counts ``ssl.SSLContext`` objects built while installed (a context per call would be a bug)."""

    def __init__(self) -> None:
        import ssl

        self.count = 0
        self._ssl = ssl
        self._orig = ssl.SSLContext.__dict__["__new__"]
        orig_new = ssl.SSLContext.__new__
        counter = self

        def counting_new(cls: Any, *args: Any, **kwargs: Any) -> Any:
            counter.count += 1
            return orig_new(cls, *args, **kwargs)

        ssl.SSLContext.__new__ = staticmethod(counting_new)  # type: ignore[method-assign,assignment]

    def stop(self) -> int:
        self._ssl.SSLContext.__new__ = self._orig  # type: ignore[method-assign]
        return self.count


def emit(contender: str, mode: str, **values: Any) -> None:
    import json

    values.setdefault("peak_rss_kb", peak_rss_kb())
    print(json.dumps({"contender": contender, "mode": mode, "pid": os.getpid(), **values}), flush=True)


def check_stream(contender: str, content_chunks: int, expected: int) -> None:
    """A contender that lost or merged chunks would look faster than it is: refuse the number."""
    if content_chunks != expected:
        raise SystemExit(f"{contender}: expected {expected} content chunks, got {content_chunks}")


def sequential(contender: str, url: str, calls: int, call: Any, check: Any) -> None:
    """Warm up, then time ``calls`` sequential calls, counting new connections and TLS contexts."""
    for _ in range(5):
        check(call())
    before = server_stats(url)
    tls = TLSCounter()
    start = now()
    for _ in range(calls):
        check(call())
    elapsed = now() - start
    tls_count = tls.stop()
    after = server_stats(url)
    emit(
        contender,
        "sequential",
        calls=calls,
        total_s=elapsed,
        per_call_s=elapsed / calls,
        new_connections=after["connections"] - before["connections"],
        requests=after["requests"] - before["requests"],
        tls_contexts=tls_count,
    )


def run_modes(name: str, args: dict[str, str], import_s: float, call: Any, acall: Any, api_path: str = "/v1") -> None:
    """The workloads for a contender with a module-level ``completion``-style API.

    ``call(base, **kw)`` makes one sync call (``stream=True`` gives an iterator of chunks); ``acall()``
    imports the async API only when the concurrent workload needs it and returns ``one(base)``, a
    coroutine function giving the answer's text.
    """
    mode, url = args["mode"], args.get("url", "")
    n = int(args.get("n", "16"))
    base = f"{url}/n/{n}{api_path}"
    if mode == "cold":
        assert call(base).choices[0].message.content
        emit(name, mode, cpu_s=process_cpu_s())
    elif mode == "cold_stream":
        content = 0
        for chunk in call(base, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                content += 1
        check_stream(name, content, n)
        emit(name, mode, cpu_s=process_cpu_s())
    elif mode == "first_call":
        start = now()
        text = call(base).choices[0].message.content
        first_s = now() - start
        assert text
        emit(name, mode, import_s=import_s, first_call_s=first_s)
    elif mode == "sequential":

        def check(result: Any) -> None:
            assert result.choices[0].message.content

        sequential(name, url, int(args.get("calls", "500")), lambda: call(base), check)
    elif mode == "stream":
        for count in (16, n):  # a short warm-up stream, then the timed one
            chunks = content = 0
            start = now()
            for chunk in call(f"{url}/n/{count}{api_path}", stream=True):
                chunks += 1
                if chunk.choices and chunk.choices[0].delta.content:
                    content += 1
            elapsed = now() - start
            check_stream(name, content, count)
        emit(name, mode, chunks=chunks, content_chunks=content, stream_s=elapsed, chunks_per_s=content / elapsed)
    elif mode == "concurrent":
        import asyncio

        one = acall()
        k = int(args.get("concurrency", "500"))

        async def run() -> tuple[float, int]:
            await one(base)
            rss = peak_rss_kb()
            start = now()
            results = await asyncio.gather(*(one(base) for _ in range(k)))
            elapsed = now() - start
            assert all(results)
            return elapsed, rss

        elapsed, rss_before = asyncio.run(run())
        emit(name, mode, concurrency=k, wall_s=elapsed, rss_before_kb=rss_before)
    else:
        raise SystemExit(f"unknown mode {mode}")
