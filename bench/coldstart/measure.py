"""Whole-process cold start, interleaved rounds, each process pinned to CPU 1: wall, CPU and peak RSS (wait4).

``python measure.py URL ROUNDS chat|stream NAME=PYTHON:anyllm|raw ...`` (the first contender is the baseline).
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
    for name, *_ in contenders:
        print(
            f"{name:10s} wall {med(wall[name]):7.1f} ms {med(wall[name]) / med(wall[base]):5.2f}x | "
            f"cpu {med(cpu[name]):6.1f} ms [{min(cpu[name]):6.1f}..{max(cpu[name]):6.1f}] "
            f"{med(cpu[name]) / med(cpu[base]):5.2f}x | "
            f"RSS {med(rss[name]):5.1f} MiB {med(rss[name]) / med(rss[base]):4.2f}x"
        )


if __name__ == "__main__":
    main()
