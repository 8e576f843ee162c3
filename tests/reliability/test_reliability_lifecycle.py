"""Concurrency and lifecycle: many threads and tasks at once, many event loops, cancellation, streams
left early or never consumed. Every answer must reach the caller that asked for it (the server echoes
each request id into the response), and no connection may stay in use afterwards.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from rel_support import (
    KEY,
    MARGIN,
    FaultServer,
    Protocol,
    answered,
    busy_connections,
    call_kwargs,
    messages,
    text_of,
    wait_until,
)

from any_llm import AnyLLM, acompletion, completion
from any_llm.testing import Reply


@pytest.fixture
def noise(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Collects everything that would be noise: warnings, unraisable exceptions, asyncio log errors.

    The test asserts the list is empty; stderr is checked too.
    """
    found: list[str] = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: found.append(f"unraisable: {u.exc_type.__name__}: {u.exc_value} in {u.object!r}")
    caplog.set_level(logging.WARNING, logger="asyncio")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
        gc.collect()
    sys.unraisablehook = old_hook
    found += [f"warning: {w.category.__name__}: {w.message}" for w in caught]
    found += [f"log: {r.getMessage()}" for r in caplog.records if r.name == "asyncio"]
    err = capfd.readouterr().err
    if err.strip():
        found.append(f"stderr: {err}")


# -- many callers at once ---------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_64_threads_each_get_their_own_answer(proto: Protocol, server: FaultServer, stream: bool) -> None:
    server.handler = proto.handler(delay=0.05)
    barrier = threading.Barrier(64)

    def one(i: int) -> bool:
        kwargs = call_kwargs(proto, proto.base(server), rid=f"rid-{i}", stream=stream, timeout=10.0)
        barrier.wait()
        result = completion(**kwargs)
        return answered(proto, list(result) if stream else result, f"rid-{i}")

    start = time.monotonic()
    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(one, range(64)))
    assert all(answers), f"{answers.count(False)} callers got someone else's answer"
    assert len(server.requests) == 64
    assert time.monotonic() - start < 10.0


@pytest.mark.reference_protocol
def test_1000_concurrent_acompletion_tasks(proto: Protocol, server: FaultServer) -> None:
    server.handler = proto.handler(delay=0.02)
    client = AnyLLM.create(proto.name, api_key=KEY, api_base=proto.base(server), timeout=30.0, max_retries=0)
    seen: dict[str, Any] = {}

    async def one(i: int) -> bool:
        result = await client.acompletion("m", messages(f"rid-{i}"), max_tokens=16)
        return answered(proto, result, f"rid-{i}")

    async def main() -> list[bool]:
        answers = await asyncio.gather(*[one(i) for i in range(1000)])
        pool = await client.transport.async_client()
        seen["busy"] = busy_connections(pool)
        return answers

    start = time.monotonic()
    answers = asyncio.run(main())
    assert all(answers), f"{answers.count(False)} tasks got someone else's answer"
    assert len(server.requests) == 1000
    assert seen["busy"] == []
    assert time.monotonic() - start < 30.0
    assert wait_until(lambda: server.open_connections == 0, 5.0), "asyncio.run() must close the loop's pool"


def test_200_concurrent_streams(proto: Protocol, server: FaultServer) -> None:
    server.handler = proto.handler(delay=0.02)

    async def one(i: int) -> bool:
        stream = await acompletion(**call_kwargs(proto, proto.base(server), rid=f"rid-{i}", stream=True, timeout=20.0))
        return answered(proto, [chunk async for chunk in stream], f"rid-{i}")

    async def main() -> list[bool]:
        return await asyncio.gather(*[one(i) for i in range(200)])

    assert all(asyncio.run(main()))


# -- event loops ----------------------------------------------------------------------------------


@pytest.mark.reference_protocol
def test_asyncio_run_100_times(proto: Protocol, server: FaultServer, noise: list[str]) -> None:
    """No 'Event loop is closed', no unclosed-resource warning, and finished loops are not kept alive."""
    server.handler = proto.handler()
    client = AnyLLM.create(proto.name, api_key=KEY, api_base=proto.base(server), timeout=5.0, max_retries=0)
    left_over: list[Any] = []

    async def main(i: int) -> None:
        rid = f"rid-{i}"
        assert text_of(await acompletion(**call_kwargs(proto, proto.base(server), rid=rid))) == f"echo:{rid}"
        assert text_of(await client.acompletion("m", messages(rid), max_tokens=16)) == f"echo:{rid}"
        stream = await client.acompletion("m", messages(rid), stream=True, max_tokens=16)
        assert text_of([c async for c in stream]) == f"echo:{rid}"
        async for _ in await client.acompletion("m", messages(rid), stream=True, max_tokens=16):
            break
        # a stream never read, still referenced when its loop ends
        left_over.append(await client.acompletion("m", messages(rid), stream=True, max_tokens=16))

    for i in range(100):
        asyncio.run(main(i))
    left_over.clear()
    gc.collect()
    assert len(client.transport._async) == 0, "finished event loops are still referenced"
    assert wait_until(lambda: server.open_connections == 0)
    assert noise == []


@pytest.mark.reference_protocol
def test_asyncio_run_100_times_in_a_fresh_interpreter(proto: Protocol, server: FaultServer) -> None:
    """The same, through interpreter exit (where 'Event loop is closed' usually shows), with warnings on."""
    server.handler = proto.handler()
    script = textwrap.dedent(f"""
        import asyncio, warnings
        warnings.simplefilter("error")
        from any_llm import acompletion, completion
        kw = dict(model="m", provider={proto.name!r}, api_base={proto.base(server)!r}, api_key={KEY!r},
                  messages=[{{"role": "user", "content": "rid-1"}}], max_tokens=16,
                  client_args={{"timeout": 5.0, "max_retries": 0}})
        kept = []
        async def main():
            await acompletion(**kw)
            async for _ in await acompletion(stream=True, **kw):
                pass
            kept.append(await acompletion(stream=True, **kw))
        for _ in range(100):
            asyncio.run(main())
        completion(**kw)
        kept.append(completion(stream=True, **kw))
        print("done")
    """)
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "done"
    assert out.stderr == ""


@pytest.mark.reference_protocol
def test_one_client_from_several_event_loops(proto: Protocol, server: FaultServer, noise: list[str]) -> None:
    server.handler = proto.handler(delay=0.01)
    client = AnyLLM.create(proto.name, api_key=KEY, api_base=proto.base(server), timeout=10.0, max_retries=0)

    async def calls(tag: str, n: int) -> list[str]:
        results = await asyncio.gather(
            *[client.acompletion("m", messages(f"rid-{tag}-{i}"), max_tokens=16) for i in range(n)]
        )
        return [text_of(r) for r in results]

    for round_ in range(3):  # one after another
        assert asyncio.run(calls(f"seq{round_}", 5)) == [f"echo:rid-seq{round_}-{i}" for i in range(5)]
    with ThreadPoolExecutor(4) as pool:  # at the same time, one loop per thread, plus sync calls
        futures = [pool.submit(asyncio.run, calls(f"t{t}", 20)) for t in range(3)]
        sync_future = pool.submit(
            lambda: [text_of(client.completion("m", messages(f"rid-s{i}"), max_tokens=16)) for i in range(20)]
        )
        for t, future in enumerate(futures):
            assert future.result(timeout=20) == [f"echo:rid-t{t}-{i}" for i in range(20)]
        assert sync_future.result(timeout=20) == [f"echo:rid-s{i}" for i in range(20)]
    gc.collect()
    assert len(client.transport._async) == 0
    client.close()
    assert wait_until(lambda: server.open_connections == 0)
    assert noise == []


async def test_sync_completion_inside_a_running_loop(proto: Protocol, server: FaultServer) -> None:
    """It blocks the loop for the call, but works: no deadlock, no error."""
    server.handler = proto.handler()
    start = time.monotonic()
    assert text_of(completion(**call_kwargs(proto, proto.base(server), rid="rid-7"))) == "echo:rid-7"
    with completion(**call_kwargs(proto, proto.base(server), rid="rid-8", stream=True)) as stream:
        assert text_of(list(stream)) == "echo:rid-8"
    assert time.monotonic() - start < 2 * 0.5 + MARGIN


# -- cancellation and early exits -------------------------------------------------------------------


async def test_cancelled_acompletion_closes_its_connection(proto: Protocol, server: FaultServer) -> None:
    server.queue(Reply(fault="hang_until_close"))
    client = AnyLLM.create(proto.name, api_key=KEY, api_base=proto.base(server), timeout=10.0, max_retries=0)
    task = asyncio.create_task(client.acompletion("m", messages("rid-1"), max_tokens=16))
    assert await asyncio.to_thread(wait_until, lambda: len(server.requests) == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(wait_until, lambda: server.open_connections == 0, 1.0)
    assert busy_connections(await client.transport.async_client()) == []
    await client.aclose()


async def test_wait_for_timeout_closes_the_connection(proto: Protocol, server: FaultServer) -> None:
    server.queue(Reply(fault="hang_until_close"))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(acompletion(**call_kwargs(proto, proto.base(server), timeout=10.0)), 0.3)
    assert await asyncio.to_thread(wait_until, lambda: server.open_connections == 0, 1.0)


async def test_cancelled_while_streaming_closes_the_connection(proto: Protocol, server: FaultServer) -> None:
    server.queue(proto.long_stream("rid-1"))
    got_one = asyncio.Event()

    async def consume() -> None:
        async for _ in await acompletion(**call_kwargs(proto, proto.base(server), stream=True, timeout=10.0)):
            got_one.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_one.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(wait_until, lambda: server.open_connections == 0, 1.0)


def _long_stream(proto: Protocol) -> Reply:
    """A stream of 200 events, 20 ms apart: far from done when the caller leaves."""
    return proto.long_stream("rid-1")


@pytest.mark.parametrize("how", ["break", "with-block"])
def test_leaving_a_sync_stream_early_closes_it(
    proto: Protocol, server: FaultServer, how: str, noise: list[str]
) -> None:
    server.queue(_long_stream(proto))
    kwargs = call_kwargs(proto, proto.base(server), stream=True, timeout=5.0)
    if how == "break":
        for _ in completion(**kwargs):
            break
    else:
        with completion(**kwargs) as stream:
            next(iter(stream))
    assert wait_until(lambda: server.open_connections == 0, 1.0)
    assert noise == []


@pytest.mark.parametrize("how", ["break", "async-with"])
async def test_leaving_an_async_stream_early_closes_it(
    proto: Protocol, server: FaultServer, how: str, noise: list[str]
) -> None:
    server.queue(_long_stream(proto))
    kwargs = call_kwargs(proto, proto.base(server), stream=True, timeout=5.0)
    if how == "break":
        async for _ in await acompletion(**kwargs):
            break
    else:
        async with await acompletion(**kwargs) as stream:
            await stream.__anext__()
    await asyncio.sleep(0.05)
    assert await asyncio.to_thread(wait_until, lambda: server.open_connections == 0, 1.0)
    assert noise == []


def test_unconsumed_sync_stream_is_closed_when_collected(
    proto: Protocol, server: FaultServer, noise: list[str]
) -> None:
    server.queue(_long_stream(proto))
    stream = completion(**call_kwargs(proto, proto.base(server), stream=True, timeout=5.0))
    assert server.open_connections == 1
    del stream
    gc.collect()
    assert wait_until(lambda: server.open_connections == 0, 1.0)
    assert noise == []


async def test_unconsumed_async_stream_is_closed_when_collected(
    proto: Protocol, server: FaultServer, noise: list[str]
) -> None:
    server.queue(_long_stream(proto))
    stream = await acompletion(**call_kwargs(proto, proto.base(server), stream=True, timeout=5.0))
    assert server.open_connections == 1
    del stream
    gc.collect()
    await asyncio.sleep(0.05)  # the close runs as a task on this loop
    assert await asyncio.to_thread(wait_until, lambda: server.open_connections == 0, 1.0)
    assert noise == []
