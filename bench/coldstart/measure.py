"""Whole-process cold start, interleaved rounds, each process pinned to CPU 1: wall, CPU and peak RSS (wait4).

``python measure.py URL ROUNDS chat|stream NAME=PYTHON:anyllm|raw|pydantic ...`` (the first contender is the
baseline). Ratios are medians of the per-round ratios (paired: each round's processes ran back to back), which
a shared machine's load drifts disturb less than a ratio of medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CALLS = str(Path(__file__).with_name("calls.py"))


def main() -> None:
    url, rounds, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    contenders = [(name, *spec.split(":")) for name, spec in (a.split("=", 1) for a in sys.argv[4:])]
    wall: dict[str, list[float]] = {c[0]: [] for c in contenders}
    cpu: dict[str, list[float]] = {c[0]: [] for c in contenders}
    rss: dict[str, list[float]] = {c[0]: [] for c in contenders}
    for _ in range(rounds):
        for name, python, who in contenders:
            start = time.perf_counter()
            proc = subprocess.Popen(["taskset", "-c", "1", python, CALLS, who, mode, url], stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            assert status == 0, f"{name} failed"
            wall[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((usage.ru_utime + usage.ru_stime) * 1000)
            rss[name].append(usage.ru_maxrss / 1024)
    base = contenders[0][0]
    med = statistics.median

    def paired(values: dict[str, list[float]], name: str, ref: str) -> float:
        return med([a / b for a, b in zip(values[name], values[ref])])

    for name, *_ in contenders:
        print(
            f"{name:10s} wall {med(wall[name]):7.1f} ms {paired(wall, name, base):5.2f}x | "
            f"cpu {med(cpu[name]):6.1f} ms [{min(cpu[name]):6.1f}..{max(cpu[name]):6.1f}] "
            f"{paired(cpu, name, base):5.2f}x | "
            f"RSS {med(rss[name]):5.1f} MiB {paired(rss, name, base):4.2f}x"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
