"""The bedrock plugin passes the conformance kit with Converse / ConverseStream wire answers.

Bodies are shaped like the Converse API reference (``output.message.content`` blocks, ``stopReason``,
``usage``); streams are binary event-stream frames, cut into 37-byte pieces so frames straddle reads.
Errors carry AWS's ``x-amzn-ErrorType`` header and ``{"message": ...}`` body. The kit authenticates
with ``api_key`` (a Bedrock API key, sent as a bearer token); SigV4 is tested in test_bedrock_sigv4.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from anyllm_bedrock import BedrockProvider

from any_llm.testing import Reply
from any_llm.testing.aws import converse_frames, eventstream_reply
from any_llm.testing.conformance import (
    CITY,
    EMBEDDINGS,
    MODEL_IDS,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
)

SPEC = Path(__file__).parent / "specs" / "bedrock-runtime.json"
TOOL_ID = "tooluse_kQ3mBRA1SUmWYH3b9TEbtw"
REQUEST_ID = {"x-amzn-requestid": "4a9c1f3e-5d7b-4c1a-9e2f-0b8d6a3c7e11"}


def usage() -> dict[str, int]:
    return {"inputTokens": USAGE[0], "outputTokens": USAGE[1], "totalTokens": sum(USAGE)}


def converse(content: list[dict[str, Any]], stop: str) -> Reply:
    return Reply.json(
        {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": usage(),
            "metrics": {"latencyMs": 412},
        },
        headers=REQUEST_ID,
    )


def stream(blocks: list[tuple[str, Any]], stop: str) -> Reply:
    events = [
        ("messageStart", {"role": "assistant"}),
        *blocks,
        ("messageStop", {"stopReason": stop}),
        ("metadata", {"usage": usage(), "metrics": {"latencyMs": 390}}),
    ]
    return eventstream_reply(converse_frames(events), split=37, headers=REQUEST_ID)


def aws_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json(
        {"message": message},
        status,
        headers={
            "x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
            **REQUEST_ID,
            **(headers or {}),
        },
    )


def exchanges() -> dict[str, Reply | list[Reply]]:
    words = ["The", " capital", " of", " France", " is", " Paris", "."]
    text_blocks = [("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": w}}) for w in words]
    text_blocks.append(("contentBlockStop", {"contentBlockIndex": 0}))
    args = json.dumps(TOOL_ARGS)
    tool_blocks: list[tuple[str, Any]] = [
        (
            "contentBlockStart",
            {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": TOOL_ID, "name": TOOL_NAME}}},
        ),
        *[
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": args[i : i + 6]}}})
            for i in range(0, len(args), 6)
        ],
        ("contentBlockStop", {"contentBlockIndex": 0}),
    ]
    return {
        "plain": converse([{"text": TEXT}], "end_turn"),
        "stream": stream(text_blocks, "end_turn"),
        "stream_usage": stream(text_blocks, "end_turn"),
        "tool_call": converse([{"toolUse": {"toolUseId": TOOL_ID, "name": TOOL_NAME, "input": TOOL_ARGS}}], "tool_use"),
        "stream_tool_call": stream(tool_blocks, "tool_use"),
        "tool_round_trip": converse([{"text": TEXT}], "end_turn"),
        "structured": converse([{"text": json.dumps(CITY)}], "end_turn"),
        "error_401": aws_error(
            403, "UnrecognizedClientException", "The security token included in the request is invalid."
        ),
        "error_429": aws_error(
            429, "ThrottlingException", "Too many requests, please wait before trying again.", {"retry-after": "7"}
        ),
        "error_context_length": aws_error(400, "ValidationException", "Input is too long for requested model."),
        "error_5xx": aws_error(500, "InternalServerException", "The server encountered an internal error."),
        "embedding": Reply.json(
            {"id": "emb-1", "embeddings": EMBEDDINGS, "texts": ["a", "b"], "response_type": "embeddings_floats"}
        ),
        "list_models": Reply.json(
            {
                "modelSummaries": [
                    {"modelId": m, "providerName": "Kit", "modelName": m, "inputModalities": ["TEXT"]}
                    for m in MODEL_IDS
                ]
            }
        ),
    }


class TestBedrockConformance(ProviderConformance):
    provider_class = BedrockProvider
    model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    request_schema: ClassVar[tuple[str | Path, str] | None] = (SPEC, "ConverseRequest")

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return exchanges()[scenario]
