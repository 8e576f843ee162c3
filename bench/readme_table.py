"""The performance table of docs/performance.md and the README, generated from bench/results/results.json.

``scripts/update_readme.py`` (``nox -s readme``) writes it between ``<!-- bench:start -->`` and
``<!-- bench:end -->``; tests/test_repo_consistency.py checks that the page shows the last run's numbers.
Standard library only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "results.json"

# (workload, metric, header)
COLUMNS = [
    ("import", "import_s", "import"),
    ("cold", "cpu_s", "cold start, 1 call"),
    ("cold_stream", "cpu_s", "cold start, 1 stream"),
    ("cold", "peak_rss_kb", "cold-start peak RSS"),
    ("first_call", "first_call_s", "first call"),
    ("sequential", "per_call_s", "call (sequential)"),
    ("stream", "chunks_per_s", "stream chunks/s"),
    ("concurrent", "wall_s", "500 concurrent async"),
    ("concurrent", "peak_rss_kb", "peak RSS (500 conc.)"),
]


def _label(contender: str, pins: dict[str, str]) -> str:
    return {
        "raw_httpx": "raw httpx (floor)",
        "openai_sdk": f"openai {pins.get('openai', '')}".strip(),
        "any_llm_sdk": f"any-llm-sdk {pins.get('any-llm-sdk', '')}".strip(),
        "litellm": f"litellm {pins.get('litellm', '')}".strip(),
        "anyllm": "**anyllm**",
        "anyllm_all_plugins": "anyllm, all 53 plugins installed",
    }.get(contender, contender)


def absolute(metric: str, value: float) -> str:
    """A measured value in its unit (MB, chunks/s, µs, ms, or s from 10 s on); bench/run.py's report uses it too."""
    if metric.endswith("_kb"):
        return f"{value / 1024:.1f} MB"
    if metric == "chunks_per_s":
        return f"{value / 1000:.1f}k/s"
    if metric == "per_call_s":
        return f"{value * 1e6:.0f} µs"
    return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.1f} s"


def table(results: dict[str, Any]) -> str:
    """Rows: the floor in absolute numbers, every other contender as the median of its paired ratios."""
    summary = results["summary"]
    meta = results["meta"]
    pins = meta.get("pins", {})
    header = "| | " + " | ".join(c[2] for c in COLUMNS) + " |"
    lines = [header, "|---" * (len(COLUMNS) + 1) + "|"]
    for contender in results["contenders"]:
        cells = []
        for workload, metric, _ in COLUMNS:
            stat = summary.get(workload, {}).get(contender, {}).get(metric)
            if not stat:
                cells.append("—")
            elif contender == "raw_httpx":
                cells.append(absolute(metric, stat["median"]))
            else:
                cell = f"{stat['ratio']['median']:.2f}x" if stat.get("ratio") else "—"
                conns = summary.get(workload, {}).get(contender, {}).get("server_connections", {})
                calls = meta.get("counts", {}).get("calls", 0)
                if workload == "sequential" and calls and conns.get("median", 0) > calls / 2:
                    cell += " (new connection per call)"
                cells.append(cell)
        lines.append(f"| {_label(contender, pins)} | " + " | ".join(cells) + " |")
    load = meta.get("loadavg_1min", {})
    lines += [
        "",
        f"{meta['date']}, {meta['rounds']} rounds (cold starts: {_cold_samples(results)} processes per contender), "
        f"load average {load.get('median', 0):.1f} [{load.get('min', 0):.1f}..{load.get('max', 0):.1f}] on "
        f"{meta['machine'].split(',')[1].strip()}. Cold start = CPU time of a whole fresh process doing one call.",
        "",
        "Targets (anyllm against raw httpx, median of paired ratios [min..max]):",
        "",
    ]
    for row in results.get("targets", []):
        mark = {True: "met", False: "**not met**", None: "not measured"}[row["met"]]
        r = row.get("ratio")
        measured = f"{r['median']:.2f}x [{r['min']:.2f}..{r['max']:.2f}]" if r else str(row.get("value", "—"))
        lines.append(f"- {row['target']} {row['limit']}: {measured}, {mark}")
    for row in results.get("every_targets", []):
        mark = {True: "met", False: "**not met**", None: "not measured"}[row["met"]]
        r = row.get("ratio")
        measured = f"{r['median']:.3f}x [{r['min']:.2f}..{r['max']:.2f}]" if r else "—"
        lines.append(
            f"- all plugins installed vs core + openai, {row['workload']} {row['metric']} {row['limit']}: "
            f"{measured}, {mark}"
        )
    return "\n".join(lines)


def _cold_samples(results: dict[str, Any]) -> int:
    rounds = {s["round"] for s in results.get("samples", []) if s.get("workload") == "cold"}
    return len(rounds)


def current() -> str:
    """The table for the results on disk."""
    return table(json.loads(RESULTS.read_text()))


def compact() -> str:
    """The README's copy: the table rows alone (the targets, reasons and ranges are on docs/performance.md)."""
    return current().split("\n\n", 1)[0]


if __name__ == "__main__":
    print(current())
