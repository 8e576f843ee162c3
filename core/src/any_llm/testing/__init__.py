"""Test support shipped with anyllm-core: a scriptable local HTTP server, spec validation helpers,
and (see submodules) the fake provider and conformance kit. Importing this package needs no pytest."""

from __future__ import annotations

from any_llm.testing.fake import FakeAnswer, FakeLLM
from any_llm.testing.server import MockServer, RecordedRequest, Reply, ndjson_lines, sse_events
from any_llm.testing.translation import build_request, feed_event, make_params, parse_completion, run_stream

__all__ = [
    "FakeAnswer",
    "FakeLLM",
    "MockServer",
    "RecordedRequest",
    "Reply",
    "build_request",
    "feed_event",
    "make_params",
    "ndjson_lines",
    "parse_completion",
    "run_stream",
    "sse_events",
]
