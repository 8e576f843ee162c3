"""Bulk throughput: ``any_llm.bulk.run`` vs a bare asyncio + httpx loop, same rows, same concurrency.

    python bench/bulk/bench_bulk.py [--rows 100000] [--concurrency 64] [--rounds 3] [--ray auto|yes|no]
                                    [--ray-rows N] [--output bench/results/bulk.md]

Both contenders run in their own fresh process against the echo server (a separate process on
127.0.0.1), read the same JSONL file line by line and write one output line per row; the bare loop
does the least a hand-written job does (post the body, write the raw answer next to its custom_id:
no retries, no resume, no translation). Reported: rows/s (median of the rounds, interleaved), the
ratio to the bare loop, CPU time per row (process CPU, including start-up: steadier than rows/s
on a shared machine), and peak RSS with its growth from 1/10 of the rows to all of them (flat
memory means streamed input and output). Both loops remember a missing ``sniffio`` once (see
``any_llm/asyncenv.py``), so neither pays httpcore's failed import on every request. When Ray and
anyllm-ray are installed, the Ray path (``ray.init(num_cpus=2)``, two actors sharing the concurrency)
is timed once beside them, on ``--ray-rows`` rows.
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
import asyncio, importlib.util, json, sys, time, resource
if importlib.util.find_spec("sniffio") is None:  # the same negative import cache any_llm keeps (any_llm.asyncenv)
    sys.modules["sniffio"] = None
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


RAY = r"""
import json, os, sys, time, resource
os.environ["OPENAI_API_KEY"] = "sk-bench"
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
import ray
from anyllm_ray import build_pipeline
src, out, url, conc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=200 * 1024 * 1024)
ray.data.DataContext.get_current().enable_progress_bars = False
t = time.perf_counter()
ds = ray.data.read_json(src).map(lambda r: {"id": r["custom_id"], "messages": r["body"]["messages"]})
answers = build_pipeline(ds, model="openai:gpt-echo", api_base=url, num_actors=2, concurrency=max(conc // 2, 1),
                         batch_size=256, num_cpus=0.5)
n = errors = 0
for batch in answers.select_columns(["id", "error"]).iter_batches(batch_size=4096, batch_format="pandas"):
    n += len(batch)
    errors += int(batch["error"].notna().sum())
elapsed = time.perf_counter() - t
assert errors == 0 and n > 0, (n, errors)
u = resource.getrusage(resource.RUSAGE_SELF)
c = resource.getrusage(resource.RUSAGE_CHILDREN)
ray.shutdown()
print(json.dumps({"elapsed": elapsed, "rss_kb": u.ru_maxrss, "cpu": u.ru_utime + u.ru_stime, "rows": n}))
"""


def write_rows(path: Path, n: int) -> None:
    with open(path, "w") as f:
        for i in range(n):
            body = {"model": "openai:gpt-echo", "messages": [{"role": "user", "content": f"classify ticket {i}"}]}
            f.write(json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions", "body": body}))
            f.write("\n")


def run_one(code: str, src: Path, out: Path, url: str, concurrency: int) -> dict[str, float]:
    out.unlink(missing_ok=True)
    Path(str(out).rsplit(".", 1)[0] + ".errors.jsonl").unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", code, str(src), str(out), url, str(concurrency)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _has_ray() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None and importlib.util.find_spec("anyllm_ray") is not None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ray", choices=("auto", "yes", "no"), default="auto", help="also time the Ray path")
    parser.add_argument("--ray-rows", type=int, help="rows for the Ray path (default: --rows)")
    parser.add_argument("--output", help="also write the table (markdown) to this file")
    args = parser.parse_args()
    with_ray = args.ray == "yes" or (args.ray == "auto" and _has_ray())
    load = [os.getloadavg()[0]]
    server = subprocess.Popen([sys.executable, "-m", "any_llm.testing.echo_server"], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split()[-1] + "/v1"  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            small, big = Path(tmp, "small.jsonl"), Path(tmp, "big.jsonl")
            write_rows(small, max(args.rows // 10, 1))
            write_rows(big, args.rows)
            results: dict[str, list[dict[str, float]]] = {"bare asyncio+httpx": [], "any_llm.bulk": []}
            for _ in range(args.rounds):
                results["bare asyncio+httpx"].append(run_one(BARE, big, Path(tmp, "o1.jsonl"), url, args.concurrency))
                load.append(os.getloadavg()[0])
                results["any_llm.bulk"].append(run_one(OURS, big, Path(tmp, "o2.jsonl"), url, args.concurrency))
                load.append(os.getloadavg()[0])
            small_rss = {
                "bare asyncio+httpx": run_one(BARE, small, Path(tmp, "o1.jsonl"), url, args.concurrency)["rss_kb"],
                "any_llm.bulk": run_one(OURS, small, Path(tmp, "o2.jsonl"), url, args.concurrency)["rss_kb"],
            }
            ray_rows = min(args.ray_rows or args.rows, args.rows)
            ray_src = big
            if ray_rows != args.rows:
                ray_src = Path(tmp, "ray.jsonl")
                write_rows(ray_src, ray_rows)
            ray_run = run_one(RAY, ray_src, Path(tmp, "o3"), url, args.concurrency) if with_ray else None
            load.append(os.getloadavg()[0])
    finally:
        server.terminate()
        server.wait()
    base = statistics.median(args.rows / r["elapsed"] for r in results["bare asyncio+httpx"])
    lines = [
        f"{args.rows:,} rows, concurrency {args.concurrency}, {args.rounds} rounds (interleaved, fresh process each), "
        f"{os.cpu_count()} CPUs, load average {min(load):.1f}..{max(load):.1f} during the run",
        "",
        "| contender | rows/s (median) | vs bare | CPU per row | peak RSS | RSS growth 10% → 100% of rows |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in results.items():
        rate = statistics.median(args.rows / r["elapsed"] for r in runs)
        rss = max(r["rss_kb"] for r in runs) / 1024
        growth = rss - small_rss[name] / 1024
        cpu = statistics.median(r["cpu"] for r in runs) / args.rows * 1000
        lines.append(f"| {name} | {rate:,.0f} | {rate / base:.2f}x | {cpu:.2f} ms | {rss:.1f} MB | {growth:+.1f} MB |")
    if ray_run is not None:
        rate = ray_rows / ray_run["elapsed"]
        lines.append(
            f"| anyllm-ray (ray.init(num_cpus=2), 2 actors × {max(args.concurrency // 2, 1)}, {ray_rows:,} rows, "
            f"1 run) | {rate:,.0f} | "
            f"{rate / base:.2f}x | (in the actors) | {ray_run['rss_kb'] / 1024:.1f} MB (driver) | n/a |"
        )
    text = "\n".join(lines)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")


if __name__ == "__main__":
    main()
