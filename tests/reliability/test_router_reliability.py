"""The Router under faults: 10,000 calls over three deployments while one resets every connection,
one answers only 429 storms and one is healthy. Zero calls lost, zero answers duplicated, every
caller gets the answer to its own request (the request id is echoed back), from threads and tasks.

Cooldowns are kept short, so the faulty deployments come off the bench and are probed again and
again during the run: failover is exercised all along, not only in the first calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rel_support import KEY, OPENAI, answered, messages

from any_llm.retry import RetryPolicy
from any_llm.router import Cooldown, Router, served_by

pytestmark = pytest.mark.timeout(300)

CALLS = int(os.environ.get("ANYLLM_ROUTER_RELIABILITY_CALLS", "10000"))
"""90% from threads, 10% from tasks: an async call costs several times a sync one here (httpcore
retries a failing ``import sniffio`` for every lock when sniffio is absent); the streams test adds 300."""
ASYNC_CALLS = CALLS // 10
SYNC_CALLS = CALLS - ASYNC_CALLS
THREADS = 8
TASKS = 20
STREAMS = 300


class Fleet:
    """The three deployments of router_fleet.py, running in their own process."""

    def __init__(self) -> None:
        script = Path(__file__).with_name("router_fleet.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.urls: dict[str, str] = json.loads(self.proc.stdout.readline())

    def received(self) -> dict[str, Any]:
        """What each server received; stops the fleet."""
        out, _ = self.proc.communicate("dump\n", timeout=30)
        report: dict[str, Any] = json.loads(out)
        return report

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


@pytest.fixture
def fleet() -> Iterator[Fleet]:
    f = Fleet()
    yield f
    f.close()


def make_router(fleet: Fleet) -> Router:
    return Router(
        [
            {
                "group": "g",
                "model": "openai:m",
                "api_key": KEY,
                "api_base": url,
                "name": name,
                "client_args": {"timeout": 5},
            }
            for name, url in fleet.urls.items()
        ],
        cooldown=Cooldown(allowed_fails=1, window=1.0, duration=0.02),
        retry=RetryPolicy(max_retries=5, initial_delay=0.01, deadline=30),
    )


def check(fleet: Fleet, results: dict[str, Any], rids: list[str]) -> None:
    lost = [rid for rid in rids if rid not in results]
    assert not lost, f"{len(lost)} calls lost, e.g. {lost[:3]}"
    wrong = [rid for rid, result in results.items() if not answered(OPENAI, result, rid)]
    assert not wrong, f"{len(wrong)} callers got another caller's answer, e.g. {wrong[:3]}"
    assert {served_by(r).name for r in results.values()} == {"healthy"}  # type: ignore[union-attr]
    received = fleet.received()
    served = Counter(received["healthy"])
    dupes = [rid for rid, n in served.items() if n > 1]
    assert not dupes, f"{len(dupes)} requests answered twice, e.g. {dupes[:3]}"
    assert set(served) == set(rids)
    # the faulty deployments kept being probed (failover ran all along, not only at the start)
    assert received["resets"] > 10 and received["storms"] > 10, received


def test_10_000_calls_from_threads_and_tasks_with_two_broken_deployments(fleet: Fleet) -> None:
    router = make_router(fleet)
    results: dict[str, Any] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()
    sync_rids = [f"rid-s{i}" for i in range(SYNC_CALLS)]
    async_rids = [f"rid-a{i}" for i in range(ASYNC_CALLS)]

    def worker(mine: list[str]) -> None:
        for rid in mine:
            try:
                result = router.completion(model="g", messages=messages(rid))
            except BaseException as exc:  # recorded: a lost call fails the test below
                with lock:
                    failures.append(exc)
                continue
            with lock:
                results[rid] = result

    threads = [threading.Thread(target=worker, args=(sync_rids[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()

    async def run_tasks() -> None:
        queue = list(reversed(async_rids))

        async def task() -> None:
            while queue:
                rid = queue.pop()
                try:
                    result = await router.acompletion(model="g", messages=messages(rid))
                except Exception as exc:
                    failures.append(exc)
                    continue
                with lock:
                    results[rid] = result

        await asyncio.gather(*(task() for _ in range(TASKS)))

    asyncio.run(run_tasks())  # the tasks run while the threads do
    for t in threads:
        t.join(100)
    assert not failures, f"{len(failures)} calls failed, e.g. {failures[:3]!r}"
    check(fleet, results, sync_rids + async_rids)
    assert all(s["in_flight"] == 0 for s in router.stats()), router.stats()


def test_streams_fail_over_before_their_first_chunk_under_load(fleet: Fleet) -> None:
    router = make_router(fleet)

    async def run() -> list[tuple[str, list[Any]]]:
        gate = asyncio.Semaphore(TASKS)

        async def one(i: int) -> tuple[str, list[Any]]:
            rid = f"rid-st{i}"
            async with gate:
                stream = await router.acompletion(model="g", messages=messages(rid), stream=True)
                return rid, [chunk async for chunk in stream]

        return await asyncio.gather(*(one(i) for i in range(STREAMS)))

    done = asyncio.run(run())
    assert all(answered(OPENAI, chunks, rid) for rid, chunks in done)
    assert all(s["in_flight"] == 0 for s in router.stats())
