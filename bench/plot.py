"""ratios.png: each contender's paired ratio to the raw httpx floor, one panel per workload metric.

Run by bench/run.py with the tools venv (matplotlib): python bench/plot.py results.json ratios.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt

PANELS = [  # (workload, metric, title, target for anyllm or None)
    ("import", "import_s", "import time", 1.0),
    ("cold", "cpu_s", "cold start: fresh process, 1 call (CPU)", 1.4),
    ("cold_stream", "cpu_s", "cold start: fresh process, 1 stream (CPU)", 1.4),
    ("cold", "peak_rss_kb", "cold start: peak RSS", 1.3),
    ("first_call", "first_call_s", "first call", 1.5),
    ("sequential", "per_call_s", "sequential call", 1.25),
    ("stream", "chunks_per_s", "stream chunks/s (higher is better)", 0.3),
    ("concurrent", "wall_s", "500 concurrent: wall time", 1.2),
    ("concurrent", "peak_rss_kb", "500 concurrent: peak RSS", 1.3),
]
COLORS = {
    "openai_sdk": "#7f7f7f",
    "any_llm_sdk": "#bcbd22",
    "litellm": "#9467bd",
    "anyllm": "#1f77b4",
    "anyllm_all_plugins": "#17becf",
}


def main(src: str, dst: str) -> None:
    results = json.loads(Path(src).read_text())
    summary = results["summary"]
    contenders = [c for c in results["contenders"] if c != "raw_httpx"]
    fig, axes = plt.subplots(3, 3, figsize=(15, 12.5))
    for ax, (workload, metric, title, target) in zip(axes.flat, PANELS):
        names, med, lo, hi = [], [], [], []
        for c in contenders:
            ratio = summary.get(workload, {}).get(c, {}).get(metric, {}).get("ratio")
            if ratio:
                names.append(c)
                med.append(ratio["median"])
                lo.append(ratio["median"] - ratio["min"])
                hi.append(ratio["max"] - ratio["median"])
        bars = ax.bar(names, med, yerr=[lo, hi], capsize=4, color=[COLORS.get(n, "#333") for n in names])
        for bar, value in zip(bars, med):
            ax.annotate(
                f"{value:.2f}x",
                (bar.get_x() + bar.get_width() / 2, value),
                ha="center",
                va="bottom",
                fontsize=9,
                xytext=(0, 3),
                textcoords="offset points",
            )
        ax.axhline(1.0, color="black", linewidth=0.8)
        if target is not None:
            ax.axhline(target, color="red", linestyle="--", linewidth=1, label=f"anyllm target {target}x")
            ax.legend(loc="upper left", fontsize=8)
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_ylabel("ratio to raw httpx")
        ax.tick_params(axis="x", labelsize=8, labelrotation=20)
    meta = results["meta"]
    fig.suptitle(
        f"anyllm benchmark: paired ratios to raw httpx (median, min..max over {meta['rounds']} rounds) · {meta['date']}"
    )
    fig.tight_layout()
    fig.savefig(dst, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
