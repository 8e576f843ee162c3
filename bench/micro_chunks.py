"""Per-chunk cost of the streaming hot path, stage by stage, with no network: which option to choose.

Feeds the bench server's own 20,000-chunk OpenAI SSE body to (a) what the raw httpx floor does per line,
(b) our SSE decoder alone, (c) candidate JSON -> ChatCompletionChunk strategies, (d) our whole pipeline
(decoder + OpenAIStreamParser), one event per push as a chunked HTTP body delivers them.
Run it in a venv that has anyllm: bench/.venvs/ours/bin/python bench/micro_chunks.py [N]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import openai_events

from any_llm.openai_compat import OpenAIStreamParser
from any_llm.plugins import get_provider_class
from any_llm.streaming import SSEDecoder, StreamPipeline
from any_llm.types.completion import ChatCompletionChunk


def best_ns_per_chunk(fn: Callable[[], int], repeat: int = 7) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - start)
    return min(times) / count * 1e9, count


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    events = openai_events(n)[:-1]  # without [DONE]
    payloads = [e[len(b"data: ") : -2] for e in events]
    text_lines = b"".join(events).decode().splitlines()
    provider = get_provider_class("openai")(api_key="k", api_base="http://x")

    def floor_lines() -> int:  # what raw httpx + json does after iter_lines()
        c = 0
        for line in text_lines:
            if line.startswith("data:"):
                json.loads(line[5:].lstrip())
                c += 1
        return c

    def decoder_only() -> int:
        dec, c = SSEDecoder("openai"), 0
        for e in events:
            c += len(dec.feed(e))
        return c

    def validate_json() -> int:
        for p in payloads:
            ChatCompletionChunk.model_validate_json(p)
        return len(payloads)

    def loads_validate() -> int:
        for p in payloads:
            ChatCompletionChunk.model_validate(json.loads(p))
        return len(payloads)

    def loads_construct() -> int:  # no validation at all: for comparison only
        for p in payloads:
            ChatCompletionChunk.model_construct(**json.loads(p))
        return len(payloads)

    def loads_only() -> int:
        for p in payloads:
            json.loads(p)
        return len(payloads)

    def pipeline() -> int:
        pipe = StreamPipeline(SSEDecoder("openai"), OpenAIStreamParser(provider), "openai")
        c = 0
        for e in events:
            pipe.push(e)
            c += len(pipe.pending)
            pipe.pending.clear()
        return c

    rows = [
        ("floor: str line + json.loads (after httpx iter_lines)", floor_lines),
        ("SSEDecoder.feed, one event per feed", decoder_only),
        ("ChatCompletionChunk.model_validate_json(bytes)  [ours]", validate_json),
        ("json.loads + ChatCompletionChunk.model_validate", loads_validate),
        ("json.loads + model_construct (unvalidated)", loads_construct),
        ("json.loads only (dicts, no objects)", loads_only),
        ("whole pipeline: decoder + OpenAIStreamParser  [ours]", pipeline),
    ]
    results = {}
    for label, fn in rows:
        ns, count = best_ns_per_chunk(fn)
        results[label] = ns
        print(f"{label:58s} {ns / 1000:6.2f} µs/chunk  ({count} chunks)")
    print(json.dumps({"n": n, "us_per_chunk": {k: round(v / 1000, 3) for k, v in results.items()}}))


if __name__ == "__main__":
    main()
