"""Experiment: SSEDecoder.feed fast path for one complete ``data: ...\\n\\n`` event with nothing buffered.

Run from the repo root: bench/.venvs/ours/bin/python bench/experiments/sse_single_event_fast_path.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server import openai_events

from any_llm.provider import StreamEvent
from any_llm.streaming import SSEDecoder

EVENTS = openai_events(20000)[:-1]
ORIGINAL = SSEDecoder.feed


def fast_feed(self: SSEDecoder, chunk: bytes) -> list[StreamEvent]:
    """The common case of a chunked SSE body: exactly one event per read, no CR, nothing pending."""
    if (
        not self._buf
        and not self._data
        and chunk[:6] == b"data: "
        and chunk[-2:] == b"\n\n"
        and chunk.find(b"\n", 6) == len(chunk) - 2
        and b"\r" not in chunk
    ):
        return [StreamEvent(chunk[6:-2])]
    return ORIGINAL(self, chunk)


def us_per_event(feed) -> float:  # type: ignore[no-untyped-def]
    decoder, count = SSEDecoder("openai"), 0
    start = time.perf_counter()
    for event in EVENTS:
        count += len(feed(decoder, event))
    return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    for name, feed in (("current", ORIGINAL), ("fast path", fast_feed)):
        print(f"{name:10s} {min(us_per_event(feed) for _ in range(7)):.2f} µs/event")
    same = [e.data for x in EVENTS for e in ORIGINAL(SSEDecoder(), x)] == [
        e.data for x in EVENTS for e in fast_feed(SSEDecoder(), x)
    ]
    print("same output:", same)


if __name__ == "__main__":
    main()
