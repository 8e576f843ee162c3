"""Acme adopts the conformance kit: it supplies its own wire answers for each scenario."""

from __future__ import annotations

import json
from typing import Any

from anyllm_acme import AcmeProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import CITY, TEXT, TOOL_ARGS, TOOL_NAME, USAGE, ProviderConformance

METER = {"in": USAGE[0], "out": USAGE[1]}


def answer(text: str | None = None, calls: list[dict[str, Any]] | None = None, stop: str = "done") -> Reply:
    return Reply.json({"trace": "tr-1", "reply": {"text": text, "calls": calls or []}, "stop": stop, "meter": METER})


def fault(status: int, kind: str, detail: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"fault": {"kind": kind, "detail": detail}}, status, headers=headers)


WORDS = ["The capital", " of France", " is Paris."]
ARGS = json.dumps(TOOL_ARGS)
EXCHANGES: dict[str, Reply] = {
    "plain": answer(TEXT),
    "stream": Reply.ndjson(
        [*({"type": "text", "text": w} for w in WORDS), {"type": "end", "stop": "done", "meter": METER}]
    ),
    "tool_call": answer(calls=[{"call_id": "c1", "tool": TOOL_NAME, "input": TOOL_ARGS}], stop="call"),
    "stream_tool_call": Reply.ndjson(
        [
            {"type": "call", "call_id": "c1", "tool": TOOL_NAME, "input_fragment": ARGS[:6]},
            {"type": "call", "call_id": "c1", "tool": TOOL_NAME, "input_fragment": ARGS[6:]},
            {"type": "end", "stop": "call", "meter": METER},
        ]
    ),
    "tool_round_trip": answer(TEXT),
    "structured": answer(json.dumps(CITY)),
    "error_401": fault(401, "auth", "unknown key"),
    "error_429": fault(429, "quota", "too many requests", {"retry-after": "7"}),
    "error_context_length": fault(400, "too_long", "conversation exceeds 8k tokens"),
    "error_5xx": fault(503, "internal", "try later"),
}
EXCHANGES["stream_usage"] = EXCHANGES["stream"]


class TestAcmeConformance(ProviderConformance):
    provider_class = AcmeProvider

    def exchange(self, scenario: str) -> Reply:
        return EXCHANGES[scenario]
