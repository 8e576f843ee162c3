"""What a Router costs per call: ``router.completion`` against a direct ``completion()``, same local server.

Both go to bench/server.py (started here, on 127.0.0.1) with the same pooled client underneath; the
router has one group of two deployments on that server (weighted), so every call pays for picking,
bookkeeping and tagging the answer. Rounds alternate which goes first; the report gives the median
per-call time of each with min..max over rounds, and the median of the per-round ratios. Then memory:
the process's RSS sampled over ``--memory-calls`` router calls (after a warm-up) must stay flat.

    python bench/router_overhead.py                          # 9 rounds x 2,000 calls, 100,000 for memory
    python bench/router_overhead.py --rounds 3 --calls 300 --memory-calls 5000   # a quick look

Run it with the interpreter that has anyllm-core and anyllm-openai installed (the dev venv).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
KEY = "bench-key-123456"
MESSAGES = [{"role": "user", "content": "Hello"}]


def rss_kb() -> int:
    """Current resident set size (Linux /proc), not the peak."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import resource

    return pages * resource.getpagesize() // 1024


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "server.py"), "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"bench server did not start: {line!r}")
    return proc, line.split()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=2000, help="sequential calls per contender per round")
    parser.add_argument("--memory-calls", type=int, default=100_000)
    args = parser.parse_args()

    proc, url = start_server()
    try:
        from any_llm import Router, completion

        base = f"{url}/v1"
        router = Router(
            [
                {"group": "g", "model": "openai:bench-model", "api_key": KEY, "api_base": base, "name": "one"},
                {"group": "g", "model": "openai:bench-model", "api_key": KEY, "api_base": base, "name": "two"},
            ]
        )

        def direct() -> Any:
            return completion(model="bench-model", provider="openai", api_key=KEY, api_base=base, messages=MESSAGES)

        def routed() -> Any:
            return router.completion(model="g", messages=MESSAGES)

        real_clients = {s.index: s.client for states in router._groups.values() for s in states}
        for fn in (direct, routed):  # warm-up: discovery, pools, first-use imports
            for _ in range(200):
                assert fn().choices[0].message.content

        def timed(fn: Any) -> tuple[float, float]:
            """(wall, CPU of this process) seconds per call."""
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.calls):
                fn()
            return (time.perf_counter() - start) / args.calls, (time.process_time() - cpu) / args.calls

        per: dict[str, list[float]] = {"direct": [], "router": [], "direct_cpu": [], "router_cpu": []}
        ratios, cpu_ratios = [], []
        for i in range(args.rounds):
            pair = [("direct", direct), ("router", routed)]
            if i % 2:
                pair.reverse()
            got = {name: timed(fn) for name, fn in pair}
            for name, (wall, cpu) in got.items():
                per[name].append(wall)
                per[f"{name}_cpu"].append(cpu)
            ratios.append(got["router"][0] / got["direct"][0])
            cpu_ratios.append(got["router"][1] / got["direct"][1])

        # the router's own bookkeeping, without the network: each deployment's client answers at once
        class _Instant:
            def __init__(self, answer: Any) -> None:
                self.answer = answer

            def completion(self, model: str, messages: Any, **kwargs: Any) -> Any:
                return self.answer

        answer = direct()
        for states in router._groups.values():
            for state in states:
                state.client = _Instant(answer)  # type: ignore[assignment]
        n = max(args.calls * 10, 10_000)
        start = time.perf_counter()
        for _ in range(n):
            routed()
        bookkeeping = (time.perf_counter() - start) / n
        for states in router._groups.values():
            for state in states:
                state.client = real_clients[state.index]

        samples = []
        rss_start = rss_kb()
        step = max(args.memory_calls // 10, 1)
        for n in range(1, args.memory_calls + 1):
            routed()
            if n % step == 0:
                samples.append(rss_kb())

        def us(values: list[float]) -> str:
            return f"{statistics.median(values) * 1e6:.0f} µs [{min(values) * 1e6:.0f}..{max(values) * 1e6:.0f}]"

        report = {
            "rounds": args.rounds,
            "calls_per_round": args.calls,
            "direct_per_call_s": statistics.median(per["direct"]),
            "router_per_call_s": statistics.median(per["router"]),
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
            "direct_cpu_per_call_s": statistics.median(per["direct_cpu"]),
            "router_cpu_per_call_s": statistics.median(per["router_cpu"]),
            "cpu_ratio_median": statistics.median(cpu_ratios),
            "router_bookkeeping_per_call_s": bookkeeping,
            "memory_calls": args.memory_calls,
            "rss_kb_after_warmup": rss_start,
            "rss_kb_samples": samples,
            "rss_growth_kb": (samples[-1] - rss_start) if samples else 0,
        }
        print(f"direct completion(): {us(per['direct'])} per call")
        print(f"router.completion(): {us(per['router'])} per call")
        print(f"ratio router/direct: median {report['ratio_median']:.3f} [{min(ratios):.3f}..{max(ratios):.3f}]")
        print(f"CPU per call: direct {us(per['direct_cpu'])}, router {us(per['router_cpu'])}")
        print(
            f"CPU ratio router/direct: median {report['cpu_ratio_median']:.3f} "
            f"[{min(cpu_ratios):.3f}..{max(cpu_ratios):.3f}]"
        )
        print(f"router bookkeeping alone (client answering at once): {bookkeeping * 1e6:.1f} µs per call")
        print(
            f"RSS over {args.memory_calls:,} router calls: {rss_start} KB after warm-up -> "
            f"{samples[-1] if samples else rss_start} KB (samples every {step:,}: {samples})"
        )
        print(json.dumps(report))
    finally:
        proc.terminate()
        proc.wait(5)


if __name__ == "__main__":
    main()
