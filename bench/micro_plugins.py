"""Each plugin's own CPU cost, no network: build a request, parse the server's canned reply, parse its stream.

Isolates what a plugin adds on top of the shared transport, so a per-plugin gap in the end-to-end benchmark
can be traced to request building, response parsing or per-chunk stream parsing.
Run in the venv that has every plugin: bench/.venvs/ours_all/bin/python bench/micro_plugins.py [N]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import JSON_BODIES, STREAM_BUILDERS

from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.streaming import StreamPipeline, make_decoder

PROTOCOL = {"openai": "openai", "mistral": "openai", "anthropic": "anthropic", "gemini": "gemini", "ollama": "ollama"}


def best_us(fn: Callable[[], int], repeat: int = 7) -> float:
    times = []
    count = 1
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - start)
    return min(times) / count * 1e6


def measure(name: str, n: int) -> dict[str, float]:
    provider = get_provider_class(name)(api_key="test-key-123456", api_base="http://127.0.0.1:1")
    messages = [{"role": "user", "content": "Hello"}]
    protocol = PROTOCOL[name]
    body = json.dumps(JSON_BODIES[protocol]()).encode()
    build, _ = STREAM_BUILDERS[protocol]
    events = build(n)
    if protocol == "openai":
        events = events[:-1]  # the core strips [DONE] before the parser sees it

    def params(stream: bool = False):  # type: ignore[no-untyped-def]
        return build_params("bench-model", messages, {"max_tokens": 16, "stream": stream or None}, {})

    def requests() -> int:
        for _ in range(2000):
            provider.build_completion_request(params())
        return 2000

    p = params()

    def parse() -> int:
        for _ in range(2000):
            provider.parse_completion(body, p)
        return 2000

    sp = params(True)

    def stream() -> int:
        pipe = StreamPipeline(make_decoder(provider.stream_format, name), provider.stream_parser(sp), name)
        count = 0
        for e in events:
            pipe.push(e)
            count += len(pipe.pending)
            pipe.pending.clear()
        pipe.end()
        return count

    return {
        "build_request_us": best_us(requests),
        "parse_completion_us": best_us(parse),
        "stream_us_per_chunk": best_us(stream),
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    out = {}
    for name in PROTOCOL:
        try:
            out[name] = measure(name, n)
        except Exception as exc:  # a plugin that is not installed or broke: say so, keep going
            print(f"{name}: {type(exc).__name__}: {exc}")
            continue
        row = out[name]
        print(
            f"{name:10s} build {row['build_request_us']:6.1f} µs  parse {row['parse_completion_us']:6.1f} µs  "
            f"stream {row['stream_us_per_chunk']:5.2f} µs/chunk"
        )
    print(json.dumps({k: {m: round(v, 2) for m, v in row.items()} for k, row in out.items()}))


if __name__ == "__main__":
    main()
