"""What call hooks cost per call and per chunk: none registered, one no-op hook plugin, the OTel plugin.

By default the replies come from an in-memory ``httpx.MockTransport`` holding bench/server.py's canned bytes,
so the numbers are the client's CPU alone (stable on a loaded machine); ``--server`` sends over 127.0.0.1
to bench/server.py instead. Modes are interleaved over rounds in one process; prints the best per-call
CPU microseconds of sequential completions and per-chunk CPU microseconds of one stream
(``--server`` switches to wall time, since the server's work is in another process).

    python bench/micro_callhooks.py [--calls 2000] [--chunks 20000] [--rounds 5] [--modes off,noop,otel] [--server]

To compare "off" with the code before call hooks existed, run it with another checkout's core first on the
path: ``PYTHONPATH=/path/to/other/core/src python bench/micro_callhooks.py --modes off``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLOCK = time.process_time
"""CPU seconds of this process: on a shared, loaded machine wall time mostly measures the other tenants.
With the in-memory transport everything runs in this process, so CPU time is the client's whole cost."""
MESSAGES = [{"role": "user", "content": "Hello"}]


class NoOp:
    """A hook plugin implementing every call hook, doing nothing: the dispatch cost alone."""

    def __init__(self) -> None:
        from any_llm import hookimpl

        for name in (
            "anyllm_call_start",
            "anyllm_call_response",
            "anyllm_stream_end",
            "anyllm_call_error",
        ):
            setattr(self, name, hookimpl(specname=name)(lambda call: None))
        self.anyllm_call_attempt = hookimpl(lambda call, attempt: None)
        self.anyllm_stream_chunk = hookimpl(lambda call, chunk: None)


def start_server() -> tuple[subprocess.Popen[str] | None, str]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", "0", "--cpus", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"bench server did not start: {line!r}")
    return proc, line.split()[1]


def set_mode(mode: str, state: dict[str, Any]) -> None:
    from any_llm import plugins

    for obj in state.pop("registered", []):
        plugins.unregister_plugin(obj)
    if mode == "noop":
        obj = NoOp()
        plugins.register_plugin(obj, name="bench-noop")
        state["registered"] = [obj]
    elif mode == "otel":
        import anyllm_otel

        if "tp" not in state:  # an SDK provider without an exporter: the spans are built, then dropped
            from opentelemetry import metrics, trace
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.trace import TracerProvider

            trace.set_tracer_provider(TracerProvider())
            metrics.set_meter_provider(MeterProvider())
            state["tp"] = True
        plugins.register_plugin(anyllm_otel, name="bench-otel")
        state["registered"] = [anyllm_otel]


def mock_client_args(chunks: int) -> dict[str, Any]:
    """client_args serving canned replies from memory: the same bytes bench/server.py sends."""
    import httpx

    sys.path.insert(0, str(HERE))
    from server import openai_completion, openai_events

    body = json.dumps(openai_completion()).encode()
    stream = b"".join(openai_events(chunks))

    def handler(request: httpx.Request) -> httpx.Response:
        if b'"stream":true' in request.content:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=stream)
        return httpx.Response(200, headers={"content-type": "application/json"}, content=body)

    return {"http_client": httpx.Client(transport=httpx.MockTransport(handler))}


def measure(base: str, calls: int, chunks: int, client_args: dict[str, Any] | None) -> tuple[float, float]:
    from any_llm import completion

    def call(**kw: Any) -> Any:
        return completion(
            model="bench-model",
            provider="openai",
            messages=MESSAGES,
            api_base=base,
            api_key="sk-bench",
            client_args=client_args,
            **kw,
        )

    for _ in range(20):
        call()
    start = CLOCK()
    for _ in range(calls):
        call()
    per_call = (CLOCK() - start) / calls * 1e6
    stream_base = base.replace("/v1", f"/n/{chunks}/v1")
    start = CLOCK()
    count = sum(
        1
        for _ in completion(
            model="bench-model",
            provider="openai",
            messages=MESSAGES,
            api_base=stream_base,
            api_key="sk-bench",
            client_args=client_args,
            stream=True,
        )
    )
    per_chunk = (CLOCK() - start) / max(count, 1) * 1e6
    return per_call, per_chunk


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--chunks", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--modes", default="off,noop")
    ap.add_argument("--server", action="store_true", help="over 127.0.0.1 to bench/server.py")
    args = ap.parse_args()
    global CLOCK
    if args.server:
        CLOCK = time.perf_counter
    modes = args.modes.split(",")
    proc, url = start_server() if args.server else (None, "http://127.0.0.1:9")
    client_args = None if args.server else mock_client_args(args.chunks)
    try:
        base = url + "/v1"
        state: dict[str, Any] = {}
        best: dict[str, list[float]] = {m: [float("inf"), float("inf")] for m in modes}
        for _ in range(args.rounds):
            for mode in modes:
                set_mode(mode, state)
                per_call, per_chunk = measure(base, args.calls, args.chunks, client_args)
                best[mode][0] = min(best[mode][0], per_call)
                best[mode][1] = min(best[mode][1], per_chunk)
        set_mode("off", state)
        import any_llm

        out = {
            "core": str(Path(any_llm.__file__).parent),
            "transport": "127.0.0.1 bench/server.py" if args.server else "httpx.MockTransport",
            "clock": "wall" if args.server else "process CPU",
            "calls": args.calls,
            "chunks": args.chunks,
            "rounds": args.rounds,
            "us_per_call": {m: round(v[0], 1) for m, v in best.items()},
            "us_per_chunk": {m: round(v[1], 3) for m, v in best.items()},
        }
        print(json.dumps(out, indent=1))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
