"""1,000 failed calls leave no connection in use, no extra socket at the server, and flat memory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import os
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from rel_support import KEY, FaultServer, Protocol, busy_connections, messages, pool_connections, wait_until

from any_llm import AnyLLM, errors
from any_llm.testing import RecordedRequest, Reply

CALLS = 1000
WARMUP = 200
MEMORY_GROWTH_LIMIT = 512 * 1024
"""Bytes that may still be allocated after 800 more failed calls (caches, interned strings)."""
OBJECT_GROWTH_LIMIT = 300
RSS_GROWTH_LIMIT = 8 * 1024 * 1024


def fault_cycle(proto: Protocol) -> Callable[[RecordedRequest], Reply]:
    """A different failure for each request, for plain and streaming calls alike."""
    plain = itertools.cycle(
        [
            lambda: proto.error(500),
            lambda: Reply(fault="reset"),
            lambda: Reply(200, {"content-type": "application/json"}, [proto.ok("rid-0").chunks[0][:-9]]),
            lambda: Reply.text("<html>502 Bad Gateway</html>", 502, "text/html"),
            lambda: Reply(200, {"content-type": "application/json"}, [proto.ok("rid-0").chunks[0][:20]], fault="cut"),
        ]
    )
    streams = itertools.cycle(
        [
            lambda: proto.frames([*proto.truncated_events("rid-0"), proto.error_event], done=True),
            lambda: proto.frames(proto.truncated_events("rid-0"), done=False),
            lambda: Reply(
                200, proto.stream_ctype, proto.raw_frames(proto.truncated_events("rid-0"), done=False), fault="cut"
            ),
            lambda: proto.stream("rid-0"),  # a good stream the caller abandons after one chunk
            lambda: proto.error(429, headers={"retry-after": "0"}),
        ]
    )

    def handle(request: RecordedRequest) -> Reply:
        return next(streams)() if proto.is_stream(request) else next(plain)()

    return handle


def make_client(proto: Protocol, server: FaultServer) -> AnyLLM:
    return AnyLLM.create(proto.name, api_key=KEY, api_base=proto.base(server), timeout=2.0, max_retries=0)


def one_sync_call(client: AnyLLM, i: int) -> None:
    """One call that fails (or a stream the caller leaves early); only AnyLLMError may escape."""
    stream = i % 2 == 1
    try:
        result = client.completion("m", messages("rid-0"), stream=stream, max_tokens=16)
        if stream:
            if i % 4 == 3:
                with result:  # type: ignore[union-attr]
                    next(iter(result))  # type: ignore[call-overload]
            else:
                for _ in result:  # type: ignore[union-attr]
                    pass
    except errors.AnyLLMError:
        pass


async def one_async_call(client: AnyLLM, i: int) -> None:
    stream = i % 2 == 1
    try:
        result = await client.acompletion("m", messages("rid-0"), stream=stream, max_tokens=16)
        if stream:
            if i % 4 == 3:
                async with result:  # type: ignore[union-attr]
                    await result.__anext__()  # type: ignore[union-attr]
            else:
                async for _ in result:  # type: ignore[union-attr]
                    pass
    except errors.AnyLLMError:
        pass


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def object_growth(run: Callable[[int, int], Any], server: FaultServer) -> tuple[int, int]:
    """(live Python objects, resident bytes) added by calls WARMUP..CALLS, after the warm-up.

    Cheaper than tracemalloc under asyncio; a leaked response, connection, task, stream or event
    loop per call would show as hundreds of objects. The server's own request records are not counted.
    """
    run(0, WARMUP)
    gc.collect()
    objects, rss, recorded = len(gc.get_objects()), _rss(), len(server.requests)
    run(WARMUP, CALLS)
    gc.collect()
    return len(gc.get_objects()) - objects - (len(server.requests) - recorded), _rss() - rss


def traced_growth(run: Callable[[int, int], Any]) -> int:
    """Bytes still allocated after calls WARMUP..CALLS compared with after the warm-up."""
    tracemalloc.start()
    try:
        run(0, WARMUP)
        gc.collect()
        before = tracemalloc.take_snapshot()
        run(WARMUP, CALLS)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    # The in-process MockServer records every request; that is the test's memory, not the client's.
    mine = (tracemalloc.Filter(False, "*/any_llm/testing/server.py"), tracemalloc.Filter(False, tracemalloc.__file__))
    stats = after.filter_traces(mine).compare_to(before.filter_traces(mine), "filename")
    return sum(s.size_diff for s in stats)


def test_sync_failures_release_connections_and_memory(proto: Protocol, server: FaultServer) -> None:
    server.handler = fault_cycle(proto)
    client = make_client(proto, server)

    def run(start: int, stop: int) -> None:
        for i in range(start, stop):
            one_sync_call(client, i)

    objects, rss = object_growth(run, server)
    assert len(server.requests) == CALLS
    pool = client.transport.sync_client
    assert busy_connections(pool) == []
    assert len(pool_connections(pool)) <= 1
    assert wait_until(lambda: server.open_connections <= 1), server.open_connections
    assert objects < OBJECT_GROWTH_LIMIT, f"{objects} more live objects after {CALLS - WARMUP} failed calls"
    assert rss < RSS_GROWTH_LIMIT, f"RSS grew by {rss} bytes over {CALLS - WARMUP} failed calls"
    client.close()
    assert wait_until(lambda: server.open_connections == 0)


@pytest.mark.reference_protocol
def test_sync_failures_keep_memory_flat_under_tracemalloc(proto: Protocol, server: FaultServer) -> None:
    """The byte-exact check (tracemalloc is slow, so once, with the reference protocol)."""
    server.handler = fault_cycle(proto)
    client = make_client(proto, server)

    def run(start: int, stop: int) -> None:
        for i in range(start, stop):
            one_sync_call(client, i)

    growth = traced_growth(run)
    assert growth < MEMORY_GROWTH_LIMIT, f"memory grew by {growth} bytes over {CALLS - WARMUP} failed calls"
    client.close()


def test_async_failures_release_connections_and_memory(proto: Protocol, server: FaultServer) -> None:
    server.handler = fault_cycle(proto)
    client = make_client(proto, server)
    busy: list[Any] = []
    pooled: list[Any] = []

    async def main(start: int, stop: int) -> None:
        for i in range(start, stop):
            await one_async_call(client, i)
        await asyncio.sleep(0)  # let close tasks of garbage-collected streams run
        pool = await client.transport.async_client()
        busy[:] = busy_connections(pool)
        pooled[:] = pool_connections(pool)

    def run(start: int, stop: int) -> None:
        asyncio.run(main(start, stop))

    objects, rss = object_growth(run, server)
    assert len(server.requests) == CALLS
    assert busy == []
    assert len(pooled) <= 1
    # each asyncio.run() closed its loop's client: nothing stays open at the server
    assert wait_until(lambda: server.open_connections == 0), server.open_connections
    assert objects < OBJECT_GROWTH_LIMIT, f"{objects} more live objects after {CALLS - WARMUP} failed calls"
    assert rss < RSS_GROWTH_LIMIT, f"RSS grew by {rss} bytes over {CALLS - WARMUP} failed calls"


def test_module_level_api_failures_do_not_leak(proto: Protocol, server: FaultServer) -> None:
    """The pooled clients behind completion() reuse one connection; failures do not pile up sockets."""
    from any_llm import completion

    server.handler = lambda request: proto.error(503)
    for _ in range(300):
        with contextlib.suppress(errors.ProviderError):
            completion(
                model="m",
                provider=proto.name,
                api_base=proto.base(server),
                api_key=KEY,
                messages=messages("rid-0"),
                max_tokens=16,
                client_args={"timeout": 2.0, "max_retries": 0},
            )
    assert len(server.requests) == 300
    assert server.connections == 1, "every failed call should reuse the kept-alive connection"
