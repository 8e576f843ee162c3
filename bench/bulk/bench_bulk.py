"""Bulk throughput: ``any_llm.bulk.run`` vs a bare asyncio + httpx loop, same rows, same concurrency.

    python bench/bulk/bench_bulk.py [--rows 100000] [--concurrency 64] [--rounds 3]

Both contenders run in their own fresh process against the echo server (a separate process on
127.0.0.1), read the same JSONL file line by line and write one output line per row; the bare loop
does the least a hand-written job does (post the body, write the raw answer next to its custom_id:
no retries, no resume, no translation). Reported: rows/s (median of the rounds, interleaved), the
ratio to the bare loop, CPU time per row (process CPU, including start-up: steadier than rows/s
on a shared machine), and peak RSS with its growth from 1/10 of the rows to all of them (flat
memory means streamed input and output).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BARE = r"""
import asyncio, json, sys, time, resource
import httpx

async def main(src, out, url, conc):
    sem = asyncio.Semaphore(conc)
    t = time.perf_counter()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=conc + 8), timeout=60) as client:
        with open(src, "rb") as f, open(out, "wb") as w:
            pending = set()
            async def one(line):
                row = json.loads(line)
                try:
                    r = await client.post(url + "/chat/completions", json=row["body"],
                                          headers={"Authorization": "Bearer sk-bench"})
                    w.write(json.dumps({"custom_id": row["custom_id"], "status_code": r.status_code}).encode()[:-1]
                            + b', "body": ' + r.content + b"}\n")
                finally:
                    sem.release()
            for line in f:
                await sem.acquire()
                task = asyncio.ensure_future(one(line))
                pending.add(task); task.add_done_callback(pending.discard)
            while pending:
                await asyncio.gather(*list(pending))
    return time.perf_counter() - t

src, out, url, conc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
elapsed = asyncio.run(main(src, out, url, conc))
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"elapsed": elapsed, "rss_kb": u.ru_maxrss, "cpu": u.ru_utime + u.ru_stime}))
"""

OURS = r"""
import json, os, sys, time, resource
os.environ["OPENAI_API_KEY"] = "sk-bench"
from any_llm import bulk
src, out, url, conc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t = time.perf_counter()
stats = bulk.run(src, out, api_base=url, concurrency=conc)
elapsed = time.perf_counter() - t
assert stats.succeeded == stats.total, stats
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"elapsed": elapsed, "rss_kb": u.ru_maxrss, "cpu": u.ru_utime + u.ru_stime}))
"""


def write_rows(path: Path, n: int) -> None:
    with open(path, "w") as f:
        for i in range(n):
            body = {"model": "openai:gpt-echo", "messages": [{"role": "user", "content": f"classify ticket {i}"}]}
            f.write(json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions", "body": body}))
            f.write("\n")


def run_one(code: str, src: Path, out: Path, url: str, concurrency: int) -> dict[str, float]:
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", code, str(src), str(out), url, str(concurrency)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "any_llm.testing.echo_server"], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split()[-1] + "/v1"  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            small, big = Path(tmp, "small.jsonl"), Path(tmp, "big.jsonl")
            write_rows(small, max(args.rows // 10, 1))
            write_rows(big, args.rows)
            results: dict[str, list[dict[str, float]]] = {"bare asyncio+httpx": [], "any_llm.bulk": []}
            for _ in range(args.rounds):
                results["bare asyncio+httpx"].append(run_one(BARE, big, Path(tmp, "o1"), url, args.concurrency))
                results["any_llm.bulk"].append(run_one(OURS, big, Path(tmp, "o2"), url, args.concurrency))
            small_rss = {
                "bare asyncio+httpx": run_one(BARE, small, Path(tmp, "o1"), url, args.concurrency)["rss_kb"],
                "any_llm.bulk": run_one(OURS, small, Path(tmp, "o2"), url, args.concurrency)["rss_kb"],
            }
    finally:
        server.terminate()
        server.wait()
    base = statistics.median(args.rows / r["elapsed"] for r in results["bare asyncio+httpx"])
    print(f"{args.rows:,} rows, concurrency {args.concurrency}, {args.rounds} rounds, {os.cpu_count()} CPUs")
    print("| contender | rows/s (median) | vs bare | CPU per row | peak RSS | RSS growth 10% → 100% of rows |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        rate = statistics.median(args.rows / r["elapsed"] for r in runs)
        rss = max(r["rss_kb"] for r in runs) / 1024
        growth = rss - small_rss[name] / 1024
        cpu = statistics.median(r["cpu"] for r in runs) / args.rows * 1000
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f}x | {cpu:.2f} ms | {rss:.1f} MB | {growth:+.1f} MB |")


if __name__ == "__main__":
    main()
