"""The benchmark: anyllm against raw httpx (the floor), the openai SDK, any-llm-sdk and litellm.

Each contender lives in its own virtual environment (bench/.venvs/, made here with uv), runs in a fresh
process per measurement, and the contenders run interleaved (A B C D E, repeated) against one local server
(bench/server.py, pinned to its own CPU). Medians with min..max, and ratios paired by round to the floor.

    python bench/run.py                 # full run: bench/results/{results.json,results.md,ratios.png}
    python bench/run.py --rounds 9
    python bench/run.py --smoke         # tiny counts, ours + floor only, < 60 s; non-zero exit if broken

Only the standard library is needed here; matplotlib is installed into a tools venv for the plot.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from readme_table import absolute  # bench/ is this script's sys.path[0]

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENVS = BENCH / ".venvs"
SCRIPTS = BENCH / "contenders"

PINS = {"openai": "3.57.0", "any-llm-sdk": "1.40.2", "litellm": "1.110.2"}
"""Peers at the versions measured (the newest on PyPI then, from ``pip index versions``); --latest re-reads them."""
MATPLOTLIB = "matplotlib==3.11.2"
NATIVE = ("anthropic", "gemini", "ollama", "mistral")
FLOOR = "raw_httpx"
OURS = "anyllm"

# contender -> (venv, script)
CONTENDERS = {
    FLOOR: ("floor", "raw_httpx.py"),
    "openai_sdk": ("openai", "openai_sdk.py"),
    "any_llm_sdk": ("any_llm_sdk", "any_llm_sdk.py"),
    "litellm": ("litellm", "litellm_sdk.py"),
    OURS: ("ours", "anyllm_ours.py"),
}
EVERY = "anyllm_all_plugins"
"""Ours with every first-party plugin installed (plugins/*), against ours with core + the OpenAI plugin."""
EVERY_WORKLOADS = ("import", "cold", "cold_stream", "first_call", "sequential")
EVERY_TOLERANCE = 1.05
COLD_REPEATS = 3
"""Cold-start processes per contender and round (they are short, and noisier than the rest)."""
WORKLOADS = ("import", "cold", "cold_stream", "first_call", "sequential", "stream", "concurrent")
PROVIDER_WORKLOADS = ("first_call", "sequential", "stream", "concurrent")

# workload -> [(metric, better)]: the numbers summarized and turned into ratios
METRICS: dict[str, list[tuple[str, str]]] = {
    "import": [("import_s", "lower"), ("peak_rss_kb", "lower")],
    # a whole fresh process doing one call: its CPU time (interpreter start to exit, read by the process
    # itself with getrusage), its wall time (measured by the runner around the process) and its peak RSS
    "cold": [("cpu_s", "lower"), ("process_s", "lower"), ("peak_rss_kb", "lower")],
    "cold_stream": [("cpu_s", "lower"), ("process_s", "lower"), ("peak_rss_kb", "lower")],
    "first_call": [("first_call_s", "lower"), ("import_plus_first_s", "lower")],
    "sequential": [("per_call_s", "lower")],
    "stream": [("chunks_per_s", "higher")],
    "concurrent": [("wall_s", "lower"), ("peak_rss_kb", "lower")],
}
# (workload, metric, op, threshold, label): the targets for ours against the floor
TARGETS = [
    ("import", "import_s", "<=", 1.0, "`from any_llm import completion` time vs `import httpx`"),
    ("cold", "cpu_s", "<=", 1.4, "cold start: a fresh process doing one call (CPU time)"),
    ("cold_stream", "cpu_s", "<=", 1.4, "cold start: a fresh process doing one streamed call (CPU time)"),
    ("cold", "peak_rss_kb", "<=", 1.3, "cold start: peak RSS of that process"),
    ("first_call", "first_call_s", "<=", 1.5, "first call (discovery + client) vs raw httpx's first call"),
    ("sequential", "per_call_s", "<=", 1.25, "sequential non-streaming call"),
    ("stream", "chunks_per_s", ">=", 0.3, "stream: ChatCompletionChunk objects per second"),
    ("concurrent", "wall_s", "<=", 1.2, "500 concurrent acompletion(): wall time"),
    ("concurrent", "peak_rss_kb", "<=", 1.3, "500 concurrent acompletion(): peak RSS"),
]
PROVIDER_TOLERANCE = 1.2


# -- environments ------------------------------------------------------------------------------------


def _run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def _dist_name(path: Path) -> str:
    m = re.search(r'^name\s*=\s*"([^"]+)"', (path / "pyproject.toml").read_text(), re.M)
    if not m:
        raise SystemExit(f"no project name in {path}/pyproject.toml")
    return m.group(1)


def ensure_venv(
    name: str, python: str, reqs: list[str], local: list[Path] | None = None, constraints: list[str] | None = None
) -> tuple[Path, list[str]]:
    """Create/refresh bench/.venvs/NAME; local paths are reinstalled every run (they change)."""
    local, constraints = local or [], constraints or []
    root = VENVS / name
    py = root / "bin" / "python"
    spec = json.dumps({"python": python, "reqs": reqs, "constraints": constraints}, sort_keys=True)
    marker = root / ".bench-spec"
    notes: list[str] = []
    if not py.exists():
        _run(["uv", "venv", "-q", "--python", python, str(root)])
    if local or not marker.exists() or marker.read_text() != spec:
        base = ["uv", "pip", "install", "-q", "--python", str(py), "--compile-bytecode", "--no-sources"]
        for path in local:
            base += ["--reinstall-package", _dist_name(path)]
        pkgs = reqs + [str(p) for p in local]
        cfile = root / "constraints.txt"
        if constraints:
            cfile.write_text("\n".join(constraints) + "\n")
            try:
                _run([*base, "-c", str(cfile), *pkgs])
            except subprocess.CalledProcessError as exc:
                notes.append(
                    f"{name}: constraints {constraints} not satisfiable, installed unconstrained "
                    f"({exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else exc})"
                )
                _run([*base, *pkgs])
        else:
            _run([*base, *pkgs])
        marker.write_text(spec)
    return py, notes


def dists(py: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    return json.loads(_run([str(py), "-c", code]).stdout)


def latest(name: str) -> str:
    out = _run([sys.executable, "-m", "pip", "index", "versions", name]).stdout
    m = re.search(rf"^{re.escape(name)} \(([^)]+)\)", out, re.M)
    if not m:
        raise SystemExit(f"cannot read the newest version of {name}: {out[:200]}")
    return m.group(1)


def provider_paths(py: Path, providers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Path part of each plugin's default base URL, read once in the venv that has them all."""
    code = (
        "import json, sys\nfrom urllib.parse import urlsplit\nfrom any_llm.plugins import get_provider_class\n"
        "out = {}\nfor name in sys.argv[1:]:\n"
        "    try:\n        out[name] = urlsplit(get_provider_class(name).default_api_base).path.rstrip('/')\n"
        "    except Exception as exc:\n        out[name] = 'ERROR ' + type(exc).__name__ + ': ' + str(exc)\n"
        "print(json.dumps(out))"
    )
    found = json.loads(_run([str(py), "-c", code, *providers]).stdout)
    notes = [f"plugin {k} skipped: {v}" for k, v in found.items() if v.startswith("ERROR")]
    return {k: v for k, v in found.items() if not v.startswith("ERROR")}, notes


# -- processes ------------------------------------------------------------------------------------------


class Server:
    """bench/server.py as a child process; counts connections per measurement through /stats."""

    def __init__(self, cpus: set[int] | None, workers: int) -> None:
        cmd = [sys.executable, str(BENCH / "server.py"), "--workers", str(workers)]
        if cpus:
            cmd += ["--cpus", ",".join(map(str, sorted(cpus)))]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise SystemExit(f"bench server did not start: {line!r}")
        self.url = line.split()[1]

    def stats(self) -> dict[str, int]:
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/stats", timeout=10) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def child_env() -> dict[str, str]:
    """A small, predictable environment: no proxies, no API keys, litellm kept offline."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "PYTHONHASHSEED": "0",
    }


def run_one(
    py: Path, script: str, args: list[str], cpus: set[int] | None, server: Server, timeout: float
) -> dict[str, Any]:
    """One fresh process, one JSON line back; the server's connection count is taken around it."""
    before = server.stats()
    started = time.perf_counter()
    proc = subprocess.run(
        [str(py), "-s", str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        check=False,
    )
    after = server.stats()
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {proc.returncode}: {' | '.join(tail)[-400:]}"}
    out: dict[str, Any] = json.loads(lines[-1])
    out["server_connections"] = after["connections"] - before["connections"]
    out["process_s"] = time.perf_counter() - started
    if "first_call_s" in out:
        out["import_plus_first_s"] = out["import_s"] + out["first_call_s"]
    return out


# -- statistics -------------------------------------------------------------------------------------------


def _stat(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def summarize(samples: list[dict[str, Any]], section: str, baseline_of: dict[str, str]) -> dict[str, Any]:
    """summary[workload][contender][metric] = stats + paired ratio to its baseline (same round)."""
    table: dict[tuple[str, str, int], dict[str, Any]] = {}
    for s in samples:
        if s["section"] == section and "error" not in s:
            table[(s["workload"], s["contender"], s["round"])] = s
    out: dict[str, Any] = {}
    for (workload, contender, _), _s in sorted(table.items()):
        if contender in out.get(workload, {}):
            continue
        rounds = sorted(r for (w, c, r) in table if w == workload and c == contender)
        entry: dict[str, Any] = {}
        for metric, better in METRICS[workload]:
            values = [table[(workload, contender, r)].get(metric) for r in rounds]
            values = [v for v in values if v is not None]
            if not values:
                continue
            stat = _stat(values)
            stat["better"] = better
            base = baseline_of.get(contender)
            ratios = [
                table[(workload, contender, r)][metric] / table[(workload, base, r)][metric]
                for r in rounds
                if base and (workload, base, r) in table and table[(workload, base, r)].get(metric)
            ]
            if ratios:
                stat["ratio"] = _stat(ratios)
                stat["baseline"] = base
            entry[metric] = stat
        for key in ("new_connections", "tls_contexts", "server_connections"):
            vals = [table[(workload, contender, r)].get(key) for r in rounds]
            vals = [v for v in vals if v is not None]
            if vals:
                entry[key] = {"median": statistics.median(vals), "max": max(vals)}
        out.setdefault(workload, {})[contender] = entry
    return out


def check_targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for workload, metric, op, limit, label in TARGETS:
        stat = summary.get(workload, {}).get(OURS, {}).get(metric, {}).get("ratio")
        if stat is None:
            rows.append({"target": label, "limit": f"{op} {limit}x", "met": None, "ratio": None})
            continue
        med = stat["median"]
        met = med <= limit if op == "<=" else med >= limit
        rows.append({"target": label, "limit": f"{op} {limit}x", "met": met, "ratio": stat})
    seq = summary.get("sequential", {}).get(OURS, {})
    for key, label in (
        ("new_connections", "new connections across the sequential calls"),
        ("tls_contexts", "TLS contexts built during the sequential calls"),
    ):
        if key in seq:
            rows.append({"target": label, "limit": "== 0", "met": seq[key]["max"] == 0, "value": seq[key]["max"]})
    return rows


def check_providers(psummary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for workload, by_contender in psummary.items():
        for contender, entry in by_contender.items():
            if not contender.startswith(f"{OURS}:") or contender == f"{OURS}:openai":
                continue
            for metric, stat in entry.items():
                ratio = stat.get("ratio") if isinstance(stat, dict) else None
                if ratio is None or stat.get("baseline") != f"{OURS}:openai":
                    continue
                med = ratio["median"]
                met = med <= PROVIDER_TOLERANCE if stat["better"] == "lower" else med >= 1 / PROVIDER_TOLERANCE
                rows.append(
                    {
                        "plugin": contender.split(":", 1)[1],
                        "workload": workload,
                        "metric": metric,
                        "ratio": ratio,
                        "met": met,
                    }
                )
    return rows


def check_every(every_summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Ours with every first-party plugin installed against ours with one: paired ratios, within 5%."""
    rows = []
    for workload, metric in (("cold", "cpu_s"), ("cold_stream", "cpu_s"), ("sequential", "per_call_s")):
        stat = every_summary.get(workload, {}).get(EVERY, {}).get(metric, {}).get("ratio")
        met = None if stat is None else stat["median"] <= EVERY_TOLERANCE
        rows.append(
            {"workload": workload, "metric": metric, "limit": f"<= {EVERY_TOLERANCE}x", "ratio": stat, "met": met}
        )
    return rows


# -- report -----------------------------------------------------------------------------------------------


def _cell(stat: dict[str, Any] | None, metric: str) -> str:
    if not stat:
        return "—"
    text = absolute(metric, stat["median"])
    ratio = stat.get("ratio")
    if ratio and stat.get("baseline"):
        text += f" ({ratio['median']:.2f}x [{ratio['min']:.2f}..{ratio['max']:.2f}])"
    return text


COLUMNS = [
    ("import", "import_s", "import"),
    ("import", "peak_rss_kb", "RSS after import"),
    ("cold", "cpu_s", "cold start (1 call, CPU)"),
    ("cold", "process_s", "cold start (1 call, wall)"),
    ("cold_stream", "cpu_s", "cold start (stream, CPU)"),
    ("cold", "peak_rss_kb", "cold-start peak RSS"),
    ("first_call", "first_call_s", "first call"),
    ("sequential", "per_call_s", "per call (seq.)"),
    ("stream", "chunks_per_s", "stream chunks/s"),
    ("concurrent", "wall_s", "500 concurrent"),
    ("concurrent", "peak_rss_kb", "concurrent peak RSS"),
]


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [
        "# anyllm benchmark",
        "",
        f"{meta['date']} · {meta['machine']} · Python {meta['python']} · {meta['rounds']} rounds, fresh process "
        f"per measurement, interleaved · server on CPU {meta['server_cpus']}, clients on CPU {meta['client_cpus']}"
        f" · load average during the run {meta['loadavg_1min']['median']:.1f} "
        f"[{meta['loadavg_1min']['min']:.1f}..{meta['loadavg_1min']['max']:.1f}]",
        "",
        "Cells: median (paired ratio to the baseline: median [min..max]). Baseline: raw httpx for the main "
        "table; the OpenAI plugin for the per-plugin table. Lower is better except chunks/s.",
        "",
        "## OpenAI-compatible protocol",
        "",
        "| contender | " + " | ".join(c[2] for c in COLUMNS) + " | connections (seq / stream / conc.) |",
        "|---" * (len(COLUMNS) + 2) + "|",
    ]
    summary = results["summary"]
    for contender in results["contenders"]:
        cells = [_cell(summary.get(w, {}).get(contender, {}).get(m), m) for w, m, _ in COLUMNS]
        conns = [
            str(summary.get(w, {}).get(contender, {}).get("server_connections", {}).get("median", "—"))
            for w in ("sequential", "stream", "concurrent")
        ]
        lines.append(f"| {contender} | " + " | ".join(cells) + f" | {' / '.join(conns)} |")
    lines += ["", "## Targets (anyllm vs raw httpx)", "", "| target | limit | measured | met |", "|---|---|---|---|"]
    for row in results["targets"]:
        if row.get("ratio"):
            r = row["ratio"]
            measured = f"{r['median']:.2f}x [{r['min']:.2f}..{r['max']:.2f}]"
        else:
            measured = str(row.get("value", "—"))
        met = {True: "yes", False: "**NO**", None: "n/a"}[row["met"]]
        lines.append(f"| {row['target']} | {row['limit']} | {measured} | {met} |")
    if results.get("every_targets"):
        lines += [
            "",
            f"## Every first-party plugin installed ({EVERY} against anyllm: core + the OpenAI plugin)",
            "",
            "Paired ratios, same rounds; the call goes to the OpenAI plugin in both.",
            "",
            "| workload | metric | limit | measured | met |",
            "|---|---|---|---|---|",
        ]
        for row in results["every_targets"]:
            r = row["ratio"]
            measured = f"{r['median']:.3f}x [{r['min']:.2f}..{r['max']:.2f}]" if r else "—"
            met = {True: "yes", False: "**NO**", None: "n/a"}[row["met"]]
            lines.append(f"| {row['workload']} | {row['metric']} | {row['limit']} | {measured} | {met} |")
    if results.get("provider_summary"):
        lines += [
            "",
            "## Per plugin (each against a server speaking its protocol)",
            "",
            "Ratios to the OpenAI plugin (same venv, same rounds); `raw_httpx:P` is the floor of protocol P.",
            "",
            "| contender | first call | per call (seq.) | stream chunks/s | 500 concurrent | conc. peak RSS |",
            "|---|---|---|---|---|---|",
        ]
        ps = results["provider_summary"]
        for contender in results["provider_contenders"]:
            cols = [
                ("first_call", "first_call_s"),
                ("sequential", "per_call_s"),
                ("stream", "chunks_per_s"),
                ("concurrent", "wall_s"),
                ("concurrent", "peak_rss_kb"),
            ]
            cells = [_cell(ps.get(w, {}).get(contender, {}).get(m), m) for w, m in cols]
            lines.append(f"| {contender} | " + " | ".join(cells) + " |")
        misses = [r for r in results["provider_targets"] if not r["met"]]
        lines += [
            "",
            f"Plugins within {PROVIDER_TOLERANCE}x of the OpenAI plugin: "
            f"{len(results['provider_targets']) - len(misses)}/{len(results['provider_targets'])} metrics.",
        ]
        for r in misses:
            lines.append(f"- miss: {r['plugin']} {r['workload']} {r['metric']}: {r['ratio']['median']:.2f}x")
    c = meta.get("server_ceiling") or {}
    lines += [
        "",
        "## Server ceiling (raw-socket client, no parsing)",
        "",
        f"- sequential: {c.get('seq_requests_per_s', 0):,.0f} req/s on one keep-alive connection; "
        f"stream: {c.get('stream_chunks_per_s', 0):,.0f} chunks/s; {c.get('concurrency')} concurrent "
        f"connections+requests: {c.get('concurrent_wall_s', 0) * 1000:.0f} ms",
        "",
        "## Versions",
        "",
    ]
    for venv, versions in meta["versions"].items():
        lines.append(f"- {venv}: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    for note in meta.get("notes", []):
        lines.append(f"- note: {note}")
    errors = [s for s in results["samples"] if "error" in s]
    if errors:
        lines += ["", "## Failed measurements", ""]
        lines += [f"- {s['contender']} {s['workload']} round {s['round']}: {s['error']}" for s in errors[:20]]
    return "\n".join(lines) + "\n"


# -- main -------------------------------------------------------------------------------------------------

KEY_DISTS = (
    "httpx",
    "httpcore",
    "httpx2",
    "httpcore2",
    "h11",
    "pydantic",
    "pydantic_core",
    "pydantic-core",
    "openai",
    "any-llm-sdk",
    "litellm",
    "anyllm-core",
    "anyllm-openai",
    *(f"anyllm-{p}" for p in NATIVE),
    "matplotlib",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="tiny counts, ours + raw httpx only, no plot")
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5; smoke 1)")
    ap.add_argument("--out", type=Path, default=None, help="results directory (default bench/results[/smoke])")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the venvs")
    ap.add_argument("--latest", action="store_true", help="pin peers to the newest versions on PyPI")
    ap.add_argument("--no-pin-cpus", action="store_true", help="do not pin server and clients to separate CPUs")
    ap.add_argument("--server-workers", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated contenders to run (default: all)")
    ap.add_argument("--no-providers", action="store_true", help="skip the per-plugin section")
    ap.add_argument("--no-every", action="store_true", help="skip ours with every first-party plugin installed")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated subset of workloads")
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=CORE_DIR",
        help="also run a modified copy of core (an experiment), as contender anyllm[NAME]",
    )
    args = ap.parse_args(argv)
    smoke = args.smoke
    rounds = args.rounds or (1 if smoke else 5)
    out_dir = args.out or (BENCH / "results" / "smoke" if smoke else BENCH / "results")
    counts = {"calls": 20, "n": 500, "concurrency": 20} if smoke else {"calls": 500, "n": 20000, "concurrency": 500}
    timeout = 120.0 if smoke else 600.0
    t0 = time.perf_counter()

    contenders = [FLOOR, OURS] if smoke else list(CONTENDERS)
    if not smoke and not args.no_every:
        CONTENDERS[EVERY] = ("ours_every", "anyllm_ours.py")
        contenders.append(EVERY)
    if args.only:
        contenders = [c for c in contenders if c in args.only.split(",") or c == FLOOR]
    pins = {name: latest(name) for name in PINS} if args.latest else dict(PINS)
    notes: list[str] = []
    providers = (
        [] if smoke or args.no_providers else [p for p in NATIVE if (REPO / "plugins" / p / "pyproject.toml").exists()]
    )
    notes += [
        f"plugin {p} not in the repo yet: skipped"
        for p in NATIVE
        if not smoke and not args.no_providers and p not in providers
    ]

    print(f"setting up venvs in {VENVS} ...", flush=True)
    VENVS.mkdir(parents=True, exist_ok=True)
    pys: dict[str, Path] = {}
    pys["ours"], n1 = ensure_venv("ours", args.python, [], [REPO / "core", REPO / "plugins" / "openai"])
    base_versions = dists(pys["ours"])
    constraints = [f"httpx=={base_versions['httpx']}", f"pydantic=={base_versions['pydantic']}"]
    notes += n1
    pys["floor"], n2 = ensure_venv("floor", args.python, ["httpx"], constraints=constraints)
    notes += n2
    peer_reqs = {
        "openai": f"openai=={pins['openai']}",
        "any_llm_sdk": f"any-llm-sdk[openai]=={pins['any-llm-sdk']}",
        "litellm": f"litellm=={pins['litellm']}",
    }
    for contender in contenders:
        venv = CONTENDERS[contender][0]
        if venv in peer_reqs:
            pys[venv], more = ensure_venv(venv, args.python, [peer_reqs[venv]], constraints=constraints)
            notes += more
    variants = dict(v.split("=", 1) for v in args.variant)
    for vname, core_dir in variants.items():
        contender = f"{OURS}[{vname}]"
        CONTENDERS[contender] = (f"variant-{vname}", "anyllm_ours.py")
        contenders.append(contender)
        pys[f"variant-{vname}"], more = ensure_venv(
            f"variant-{vname}", args.python, [], [Path(core_dir).resolve(), REPO / "plugins" / "openai"]
        )
        notes += more
    paths: dict[str, str] = {}
    if providers:
        local = [REPO / "core", REPO / "plugins" / "openai", *(REPO / "plugins" / p for p in providers)]
        pys["ours_all"], more = ensure_venv("ours_all", args.python, [], local)
        notes += more
        paths, more = provider_paths(pys["ours_all"], ["openai", *providers])
        notes += more
        providers = [p for p in providers if p in paths]
    if EVERY in contenders:
        every = [REPO / "core", *sorted(p.parent for p in (REPO / "plugins").glob("*/pyproject.toml"))]
        pys["ours_every"], more = ensure_venv("ours_every", args.python, [], every)
        notes += more
        notes.append(f"{EVERY}: core and all {len(every) - 1} first-party plugins installed (plugins/*)")
    if not smoke:
        pys["tools"], _ = ensure_venv("tools", args.python, [MATPLOTLIB])
    versions = {}
    for venv, py in pys.items():
        all_dists = dists(py)
        versions[venv] = {k: v for k, v in sorted(all_dists.items()) if k.lower() in KEY_DISTS}
    print(f"venvs ready in {time.perf_counter() - t0:.1f} s", flush=True)

    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    pin = len(cpus) >= 2 and not args.no_pin_cpus
    server_cpus = {min(cpus)} if pin else None
    client_cpus = (set(cpus) - {min(cpus)}) if pin else None
    server = Server(server_cpus, args.server_workers)
    samples: list[dict[str, Any]] = []
    try:
        ceiling_cmd = [
            sys.executable,
            str(BENCH / "ceiling.py"),
            server.url,
            "--chunks",
            str(counts["n"]),
            "--concurrency",
            str(counts["concurrency"]),
            "--seq",
            "500" if smoke else "5000",
        ]
        ceiling = json.loads(
            subprocess.run(
                ceiling_cmd,
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
                preexec_fn=(lambda: os.sched_setaffinity(0, client_cpus)) if client_cpus else None,
            ).stdout
        )
        print(f"server ceiling: {ceiling}", flush=True)

        def common(workload: str) -> list[str]:
            return [
                "--mode",
                workload,
                "--url",
                server.url,
                "--n",
                str(counts["n"] if workload == "stream" else 16),
                "--calls",
                str(counts["calls"]),
                "--concurrency",
                str(counts["concurrency"]),
            ]

        # Warm-up, unrecorded: byte-code and page caches, lazy first-import work.
        for contender in contenders:
            venv, script = CONTENDERS[contender]
            run_one(pys[venv], script, common("first_call"), client_cpus, server, timeout)
        jobs: list[tuple[str, str, str, Path, str, list[str], int]] = []
        for workload in [w for w in WORKLOADS if w in args.workloads.split(",")]:
            # cold starts: COLD_REPEATS interleaved passes per round (numbered as rounds of their own)
            reps = COLD_REPEATS if workload.startswith("cold") and not smoke else 1
            for rep in range(reps):
                for contender in contenders:
                    if contender == EVERY and workload not in EVERY_WORKLOADS:
                        continue
                    venv, script = CONTENDERS[contender]
                    jobs.append(("main", workload, contender, pys[venv], script, common(workload), rep))
        for workload in [w for w in PROVIDER_WORKLOADS if providers and w in args.workloads.split(",")]:
            for p in ["openai", *providers]:
                jobs.append(
                    (
                        "providers",
                        workload,
                        f"{FLOOR}:{p}",
                        pys["floor"],
                        "raw_httpx.py",
                        [*common(workload), "--protocol", p],
                        0,
                    )
                )
                jobs.append(
                    (
                        "providers",
                        workload,
                        f"{OURS}:{p}",
                        pys["ours_all"],
                        "anyllm_ours.py",
                        [*common(workload), "--provider", p, "--api-path", paths[p]],
                        0,
                    )
                )
        for r in range(rounds):
            for section, workload, contender, py, script, cargs, rep in jobs:
                sample = run_one(py, script, cargs, client_cpus, server, timeout)
                reps = COLD_REPEATS if workload.startswith("cold") and not smoke else 1
                sample.update(
                    section=section,
                    workload=workload,
                    contender=contender,
                    round=r * reps + rep,
                    loadavg=round(os.getloadavg()[0], 2),
                )
                samples.append(sample)
                if "error" in sample:
                    print(f"  FAILED {contender} {workload}: {sample['error']}", flush=True)
            print(f"round {r + 1}/{rounds} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    finally:
        server.stop()

    baseline = {c: FLOOR for c in contenders if c != FLOOR}
    summary = summarize(samples, "main", baseline)
    every_summary = summarize(samples, "main", {EVERY: OURS}) if EVERY in contenders else {}
    pcontenders = [c for p in ["openai", *providers] for c in (f"{FLOOR}:{p}", f"{OURS}:{p}")] if providers else []
    pbase = {f"{OURS}:{p}": f"{OURS}:openai" for p in providers}
    pbase.update({f"{FLOOR}:{p}": f"{FLOOR}:openai" for p in providers})
    psummary = summarize(samples, "providers", pbase) if providers else {}
    results = {
        "meta": {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {len(cpus) or os.cpu_count()} CPUs, {_cpu_model()}",
            "python": platform.python_version(),
            "rounds": rounds,
            "smoke": smoke,
            "counts": counts,
            "server_cpus": sorted(server_cpus) if server_cpus else "any",
            "client_cpus": sorted(client_cpus) if client_cpus else "any",
            "server_workers": args.server_workers,
            "server_ceiling": ceiling,
            "pins": pins,
            "loadavg_1min": _load_stats(samples),
            "versions": versions,
            "notes": notes,
            "elapsed_s": round(time.perf_counter() - t0, 1),
        },
        "contenders": contenders,
        "provider_contenders": pcontenders,
        "summary": summary,
        "targets": check_targets(summary),
        "provider_summary": psummary,
        "provider_targets": check_providers(psummary) if providers else [],
        "every_targets": check_every(every_summary) if every_summary else [],
        "samples": samples,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    md = markdown(results)
    (out_dir / "results.md").write_text(md)
    if not smoke:
        subprocess.run(
            [str(pys["tools"]), str(BENCH / "plot.py"), str(out_dir / "results.json"), str(out_dir / "ratios.png")],
            check=True,
            env={**child_env(), "MPLBACKEND": "Agg"},
        )
    print(md)
    print(f"wrote {out_dir} in {time.perf_counter() - t0:.1f} s")
    return sanity(results, smoke)


def sanity(results: dict[str, Any], smoke: bool) -> int:
    """Non-zero when the run is broken (not when a target is missed): failed runs of ours/floor, zeros."""
    problems = [
        f"{s['contender']} {s['workload']}: {s['error']}"
        for s in results["samples"]
        if "error" in s and s["contender"].split(":")[0] in (FLOOR, OURS)
    ]
    summary = results["summary"]
    for contender in (FLOOR, OURS):
        rate = summary.get("stream", {}).get(contender, {}).get("chunks_per_s", {}).get("median", 0)
        per_call = summary.get("sequential", {}).get(contender, {}).get("per_call_s", {}).get("median", 0)
        if not rate > 0 or not per_call > 0:
            problems.append(f"{contender}: no throughput measured")
    if summary.get("sequential", {}).get(OURS, {}).get("new_connections", {}).get("max", 1) != 0:
        problems.append("anyllm opened new connections during sequential calls")
    for p in problems:
        print(f"BROKEN: {p}", file=sys.stderr)
    return 1 if problems else 0


def _load_stats(samples: list[dict[str, Any]]) -> dict[str, float]:
    """The machine's 1-minute load average seen during the run (2 CPUs: above ~2 means other work competed)."""
    loads = [s["loadavg"] for s in samples if "loadavg" in s] or [os.getloadavg()[0]]
    return {"median": statistics.median(loads), "min": min(loads), "max": max(loads)}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
