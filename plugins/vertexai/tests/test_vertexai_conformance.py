"""The vertexai plugin passes the conformance kit (express mode: the kit's key is a Vertex API key),
with Gemini wire answers; request bodies validate against the gemini plugin's GenerateContentRequest."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, ClassVar

from anyllm_vertexai import VertexaiProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import (
    CITY,
    EMBEDDINGS,
    RETRY_AFTER,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
)
from any_llm.testing.families import IMAGE_BYTES

GEMINI_SPEC = Path(__file__).resolve().parents[2] / "gemini" / "tests" / "spec" / "gemini-native.json"
MODEL = "gemini-2.5-flash"
USAGE_META = {"promptTokenCount": USAGE[0], "candidatesTokenCount": USAGE[1], "totalTokenCount": sum(USAGE)}


def answer(parts: list[dict[str, Any]], finish: str | None = "STOP", usage: bool = True) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    out: dict[str, Any] = {
        "candidates": [candidate],
        "modelVersion": MODEL,
        "createTime": "2025-06-01T10:00:00.123456Z",
        "responseId": "vtx-1",
    }
    if usage:
        out["usageMetadata"] = USAGE_META
    return out


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"error": {"code": status, "message": message, "status": code}}, status=status, headers=headers)


CALL = {"functionCall": {"name": TOOL_NAME, "args": TOOL_ARGS}}
WORDS = ["The capital", " of France", " is Paris."]

EXCHANGES: dict[str, Reply] = {
    "plain": Reply.json(answer([{"text": TEXT}])),
    "stream": Reply.sse(
        [answer([{"text": w}], finish=None, usage=False) for w in WORDS[:-1]] + [answer([{"text": WORDS[-1]}])],
        done=False,
    ),
    "stream_usage": Reply.sse([answer([{"text": TEXT}], finish=None, usage=False), answer([{"text": ""}])], done=False),
    "tool_call": Reply.json(answer([CALL])),
    "stream_tool_call": Reply.sse([answer([CALL])], done=False),
    "tool_round_trip": Reply.json(answer([{"text": TEXT}])),
    "structured": Reply.json(answer([{"text": json.dumps(CITY)}])),
    "error_401": error(401, "UNAUTHENTICATED", "API key not valid. Please pass a valid API key."),
    "error_429": error(
        429, "RESOURCE_EXHAUSTED", "Resource exhausted.", headers={"retry-after": str(int(RETRY_AFTER))}
    ),
    "error_context_length": error(
        400,
        "INVALID_ARGUMENT",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    ),
    "error_5xx": error(500, "INTERNAL", "Internal error encountered."),
    # Vertex's predict answer for text embeddings
    "embedding": Reply.json(
        {
            "predictions": [
                {"embeddings": {"values": v, "statistics": {"token_count": 1, "truncated": False}}} for v in EMBEDDINGS
            ],
            "metadata": {"billableCharacterCount": 2},
        }
    ),
}


# the kit asks for an image from its model (a Gemini model): a generateContent answer with an inlineData part
EXCHANGES["image_generation"] = Reply.json(
    answer(
        [
            {"text": "Here is a red circle."},
            {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(IMAGE_BYTES).decode()}},
        ]
    )
)


class TestVertexaiConformance(ProviderConformance):
    provider_class = VertexaiProvider
    model = MODEL
    request_schema = (GEMINI_SPEC, "GenerateContentRequest")
    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = {
        "image_generation": (GEMINI_SPEC, "GenerateContentRequest")
    }

    def exchange(self, scenario: str) -> Reply:
        return EXCHANGES[scenario]
