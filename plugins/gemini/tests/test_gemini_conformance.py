"""The gemini plugin passes the core conformance kit, with answers in Gemini's own wire format."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, ClassVar

from anyllm_gemini import GeminiProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import (
    CITY,
    EMBEDDINGS,
    MODEL_IDS,
    RETRY_AFTER,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
)
from any_llm.testing.families import IMAGE_BYTES

SPEC = Path(__file__).parent / "spec" / "gemini-native.json"
MODEL = "gemini-2.5-flash"
USAGE_META = {"promptTokenCount": USAGE[0], "candidatesTokenCount": USAGE[1], "totalTokenCount": sum(USAGE)}


def answer(parts: list[dict[str, Any]], finish: str | None = "STOP", usage: bool = True) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    out: dict[str, Any] = {"candidates": [candidate], "modelVersion": MODEL, "responseId": "kit-1"}
    if usage:
        out["usageMetadata"] = USAGE_META
    return out


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"error": {"code": status, "message": message, "status": code}}, status=status, headers=headers)


CALL = {"functionCall": {"name": TOOL_NAME, "args": TOOL_ARGS}, "thoughtSignature": "a2l0LXNpZw=="}
WORDS = ["The capital", " of France", " is Paris."]
assert "".join(WORDS) == TEXT

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
    "error_401": error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
    "error_429": error(
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota).",
        headers={"retry-after": str(int(RETRY_AFTER))},
    ),
    "error_context_length": error(
        400,
        "INVALID_ARGUMENT",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    ),
    "error_5xx": error(500, "INTERNAL", "An internal error has occurred."),
    "embedding": Reply.json({"embeddings": [{"values": v} for v in EMBEDDINGS]}),
    "list_models": Reply.json({"models": [{"name": f"models/{m}"} for m in MODEL_IDS]}),
}


OPERATION = {  # https://ai.google.dev/api/batch-api: an operation whose metadata is the batch
    "name": "batches/kit123",
    "metadata": {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
        "name": "batches/kit123",
        "displayName": "anyllm-batch",
        "model": "models/test-model",
        "state": "BATCH_STATE_PENDING",
        "createTime": "2025-07-09T17:01:02.123456789Z",
        "batchStats": {"requestCount": "2", "pendingRequestCount": "2"},
    },
}


def gemini_batch_exchange() -> list[Reply]:
    done = {
        "name": "batches/kit123",
        "metadata": {
            **OPERATION["metadata"],
            "state": "BATCH_STATE_SUCCEEDED",
            "endTime": "2025-07-09T17:05:00Z",
            "batchStats": {"requestCount": "2", "successfulRequestCount": "1", "failedRequestCount": "1"},
        },
        "done": True,
        "response": {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
            "inlinedResponses": {
                "inlinedResponses": [
                    {
                        "response": {
                            "candidates": [
                                {"content": {"role": "model", "parts": [{"text": TEXT}]}, "finishReason": "STOP"}
                            ],
                            "usageMetadata": {
                                "promptTokenCount": USAGE[0],
                                "candidatesTokenCount": USAGE[1],
                                "totalTokenCount": sum(USAGE),
                            },
                            "modelVersion": "test-model",
                        },
                        "metadata": {"key": "req-1"},
                    },
                    {
                        "error": {
                            "code": 400,
                            "message": "contents.parts must not be empty",
                            "status": "INVALID_ARGUMENT",
                        },
                        "metadata": {"key": "req-2"},
                    },
                ]
            },
        },
    }
    return [Reply.json(OPERATION), Reply.json(done)]


class TestGeminiConformance(ProviderConformance):
    provider_class = GeminiProvider
    model = MODEL
    base_path = "/v1beta"
    request_schema = (SPEC, "GenerateContentRequest")

    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = {
        "image_generation": (Path(__file__).parent / "spec" / "gemini-native.json", "GenerateContentRequest")
    }

    def exchange(self, scenario: str) -> Reply:
        if scenario == "image_generation":  # a Gemini image model's generateContent answer with an inlineData part
            image = base64.b64encode(IMAGE_BYTES).decode()
            parts = [{"text": "Here is a red circle."}, {"inlineData": {"mimeType": "image/png", "data": image}}]
            return Reply.json(
                {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}]}
            )
        if scenario == "batch":
            return gemini_batch_exchange()
        return EXCHANGES[scenario]
