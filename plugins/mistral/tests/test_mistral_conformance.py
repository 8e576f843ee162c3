"""The mistral plugin passes the conformance kit with api.mistral.ai wire answers.

The shapes are those of ``mistral_kit`` (Mistral's chat responses with ``tool_calls: null``, 9-character
tool ids, usage on the last stream chunk next to ``finish_reason``, ``{"object": "error", ...}`` bodies),
filled with the kit's canonical values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from anyllm_mistral import MistralProvider
from mistral_kit import chat_json, chunk, mistral_error, request_errors, tool_call, usage

from any_llm.testing import Reply
from any_llm.testing.conformance import (
    CITY,
    EMBEDDINGS,
    MODEL_IDS,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
    run_scenario,
)
from any_llm.testing.families import TRANSCRIPT, openai_batch_exchange

MODEL = "mistral-small-latest"
ARGS = json.dumps(TOOL_ARGS)
TOOL_ID = "D681PevKs"


def answer(content: Any, *, tool_calls: list[dict[str, Any]] | None = None, finish: str = "stop") -> Reply:
    body = chat_json(content, tool_calls=tool_calls, finish=finish, model=MODEL)
    body["usage"] = usage(*USAGE)
    return Reply.json(body)


WORDS = ["The", " capital", " of", " France", " is", " Paris", "."]
TEXT_STREAM = [
    chunk({"role": "assistant", "content": ""}),
    *(chunk({"content": w}) for w in WORDS),
    chunk({"content": ""}, "stop", with_usage=usage(*USAGE)),
]
# Mistral sends continuation pieces of a call with the placeholder id "null" and an empty name.
TOOL_STREAM = [
    chunk({"role": "assistant", "content": ""}),
    chunk({"tool_calls": [tool_call(TOOL_NAME, ARGS[:13], TOOL_ID)]}),
    chunk({"tool_calls": [{"id": "null", "function": {"name": "", "arguments": ARGS[13:]}, "index": 0}]}),
    chunk({"content": ""}, "tool_calls", with_usage=usage(*USAGE)),
]
EXCHANGES: dict[str, Reply] = {
    "plain": answer(TEXT),
    "stream": Reply.sse(TEXT_STREAM),
    "stream_usage": Reply.sse(TEXT_STREAM),
    "tool_call": answer("", tool_calls=[tool_call(TOOL_NAME, ARGS, TOOL_ID)], finish="tool_calls"),
    "stream_tool_call": Reply.sse(TOOL_STREAM),
    "tool_round_trip": answer(TEXT),
    "structured": answer(json.dumps(CITY)),
    "error_401": Reply.json({"message": "Unauthorized", "request_id": "req-401"}, status=401),
    "error_429": Reply.json(
        {
            "object": "error",
            "message": "Requests rate limit exceeded",
            "type": "rate_limited",
            "param": None,
            "code": "1300",
        },
        status=429,
        headers={"retry-after": "7"},
    ),
    "error_context_length": mistral_error(
        400,
        "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length",
        code="3051",
    ),
    "error_5xx": mistral_error(500, "Internal server error", "internal_server_error", "1000"),
    "embedding": Reply.json(
        {
            "id": "emb-1",
            "object": "list",
            "model": "mistral-embed",
            "usage": usage(len(EMBEDDINGS), 0),
            "data": [{"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(EMBEDDINGS)],
        }
    ),
    # GET /v1/models: a ModelList of base model cards
    "list_models": Reply.json(
        {
            "object": "list",
            "data": [
                {
                    "id": m,
                    "object": "model",
                    "created": 1756746619,
                    "owned_by": "mistralai",
                    "type": "base",
                    "aliases": [],
                    "capabilities": {"completion_chat": True, "function_calling": True},
                    "max_context_length": 131072,
                }
                for m in MODEL_IDS
            ],
        }
    ),
}


FAMILY_SPEC = Path(__file__).parent / "spec" / "mistral-families.json"
JOB = {  # BatchJobOut
    "id": "b_kit",
    "object": "batch",
    "input_files": ["f_in"],
    "endpoint": "/v1/chat/completions",
    "model": MODEL,
    "errors": [],
    "status": "QUEUED",
    "created_at": 1700000000,
    "total_requests": 2,
    "completed_requests": 0,
    "succeeded_requests": 0,
    "failed_requests": 0,
}
FAMILY_EXCHANGES: dict[str, Reply | list[Reply]] = {
    # ModerationResponse: no "flagged"; categories are Mistral's own names
    "moderation": Reply.json(
        {
            "id": "4d71ae510af942108ef7344f903e2b88",
            "model": "mistral-moderation-latest",
            "results": [
                {
                    "categories": {"violence_and_threats": True, "sexual": False, "hate_and_discrimination": False},
                    "category_scores": {"violence_and_threats": 0.97, "sexual": 0.0, "hate_and_discrimination": 0.01},
                },
                {
                    "categories": {"violence_and_threats": False, "sexual": False, "hate_and_discrimination": False},
                    "category_scores": {"violence_and_threats": 0.0, "sexual": 0.0, "hate_and_discrimination": 0.0},
                },
            ],
        }
    ),
    "transcription": Reply.json(
        {
            "model": "voxtral-mini-2507",
            "text": TRANSCRIPT,
            "language": "en",
            "segments": [],
            "usage": {"prompt_audio_seconds": 3, "prompt_tokens": 4, "total_tokens": 40, "completion_tokens": 8},
        }
    ),
    "batch": [
        Reply.json(
            {
                "id": "f_in",
                "object": "file",
                "bytes": 300,
                "created_at": 1700000000,
                "filename": "batch.jsonl",
                "purpose": "batch",
                "sample_type": "batch_request",
                "source": "upload",
                "num_lines": 2,
            }
        ),
        Reply.json(JOB),
        Reply.json(
            {
                **JOB,
                "status": "SUCCESS",
                "output_file": "f_out",
                "error_file": "f_err",
                "completed_requests": 2,
                "succeeded_requests": 1,
                "failed_requests": 1,
                "started_at": 1700000010,
                "completed_at": 1700000100,
            }
        ),
        *openai_batch_exchange()[3:],  # the output and error files have OpenAI's line shape
    ],
}


class TestMistralConformance(ProviderConformance):
    provider_class = MistralProvider
    model = MODEL
    base_path = "/v1"
    """The default base URL is https://api.mistral.ai/v1; the provider adds ``chat/completions``."""

    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = {
        "moderation": (FAMILY_SPEC, "ClassificationRequest"),
        "transcription": (FAMILY_SPEC, "AudioTranscriptionRequest"),
        "batch": (FAMILY_SPEC, "BatchJobIn"),
    }

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario in FAMILY_EXCHANGES:
            return FAMILY_EXCHANGES[scenario]
        return EXCHANGES[scenario]

    def test_requests_go_to_chat_completions_and_fit_the_spec(self) -> None:
        outcome = run_scenario(
            self.provider_class,
            "tool_round_trip",
            self.replies("tool_round_trip"),
            use_async=False,
            model=self.model,
            base_path=self.base_path,
        )
        assert outcome.error is None
        requests = outcome.requests or []
        assert [(r.method, r.path) for r in requests] == [("POST", "/v1/chat/completions")] * 2
        for request in requests:
            assert request_errors(request.json) == []
