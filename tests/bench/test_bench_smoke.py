"""The benchmark's smoke run must keep working: ``bench/run.py --smoke`` (ours + raw httpx, tiny counts).

The full benchmark is ``nox -s bench``; this only proves the harness still runs end to end (venvs, server,
contender scripts, statistics, report) and that its numbers are sane. It needs ``uv`` on PATH.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke_runs_and_reports_sane_numbers(tmp_path: Path) -> None:
    assert shutil.which("uv"), "the benchmark creates its venvs with uv: install it (pip install uv)"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert "| contender |" in (tmp_path / "results.md").read_text()

    assert results["contenders"] == ["raw_httpx", "anyllm"]
    assert not [s for s in results["samples"] if "error" in s]
    summary = results["summary"]
    n = results["meta"]["counts"]["n"]
    for contender in ("raw_httpx", "anyllm"):
        assert summary["stream"][contender]["chunks_per_s"]["median"] > 0
        assert summary["sequential"][contender]["per_call_s"]["median"] > 0
        assert summary["concurrent"][contender]["wall_s"]["median"] > 0
        assert summary["import"][contender]["import_s"]["median"] > 0
    for sample in results["samples"]:
        if sample["workload"] == "stream":
            assert sample["content_chunks"] == n  # every chunk arrived, none merged or lost
        if sample["workload"] == "sequential":
            assert sample["requests"] == results["meta"]["counts"]["calls"]
    ours_seq = summary["sequential"]["anyllm"]
    assert ours_seq["new_connections"]["max"] == 0  # connection reuse across sequential completion() calls
    assert ours_seq["tls_contexts"]["max"] == 0
    assert ours_seq["per_call_s"]["baseline"] == "raw_httpx"
    assert ours_seq["per_call_s"]["ratio"]["median"] > 0
    assert results["meta"]["server_ceiling"]["seq_requests_per_s"] > 0
