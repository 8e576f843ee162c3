"""Experiment: let OpenAIStreamParser keep its model_validate_json fast path for chunks a provider's
``normalize_chunk`` would not change, decided by a byte-level check (here: Mistral's plain text chunks).

Run from the repo root: bench/.venvs/ours_all/bin/python bench/experiments/mistral_chunk_fast_path.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server import STREAM_BUILDERS

from any_llm.openai_compat import OpenAIStreamParser
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.streaming import _Pipeline, make_decoder

PROVIDER = get_provider_class("mistral")(api_key="k", api_base="http://x")
EVENTS = STREAM_BUILDERS["openai"][0](20000)[:-1]
PARAMS = build_params("m", [{"role": "user", "content": "x"}], {"stream": True}, {})


def needs_normalize(data: bytes) -> bool:
    """Only chunks that can carry what Mistral's normalize_chunk rewrites take the dict path."""
    return (
        b'"tool_calls"' in data
        or b'"content":[' in data
        or b'"usage"' in data
        or b'"error"' in data
        or b'"finish_reason":null' not in data
        or b'"created"' not in data
    )


def run(fast: bool) -> tuple[float, list]:  # type: ignore[type-arg]
    parser = PROVIDER.stream_parser(PARAMS)
    if fast:

        def feed(event, parser=parser):  # type: ignore[no-untyped-def]
            parser._normalizes = needs_normalize(event.data)
            return OpenAIStreamParser.feed(parser, event)

        parser.feed = feed
    pipe = _Pipeline(make_decoder(PROVIDER.stream_format, "mistral"), parser, "mistral")
    out = []
    start = time.perf_counter()
    for event in EVENTS:
        pipe.push(event)
        out.extend(pipe.pending)
        pipe.pending.clear()
    pipe.end()
    out.extend(pipe.pending)
    return (time.perf_counter() - start) / len(EVENTS) * 1e6, out


def main() -> None:
    current = min(run(False)[0] for _ in range(5))
    fast = min(run(True)[0] for _ in range(5))
    same = [c.model_dump() for c in run(False)[1]] == [c.model_dump() for c in run(True)[1]]
    print(
        f"mistral stream: current {current:.2f} µs/chunk, byte-level fast path {fast:.2f} µs/chunk, "
        f"identical chunks: {same}"
    )


if __name__ == "__main__":
    main()
