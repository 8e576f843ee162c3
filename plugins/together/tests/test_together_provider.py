"""Together AI: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_together import TogetherProvider

from any_llm.plugins import get_provider_class
from any_llm.testing import Reply
from any_llm.testing.conformance import KEY, TEXT, run_scenario

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("together") is TogetherProvider
    assert TogetherProvider.api_key_env == ("TOGETHER_API_KEY",)
    assert TogetherProvider.api_base_env == ("TOGETHER_API_BASE",)
    assert TogetherProvider.default_api_base == "https://api.together.xyz/v1"
    assert TogetherProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": False,
        "documents": False,
        "embedding": True,
        "list_models": True,
        "count_tokens": False,
        "rerank": True,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": True,
    }


@pytest.mark.parametrize(
    ("message", "pieces"),
    [
        ({"content": TEXT, "reasoning": "Think."}, ({"reasoning": "Think."}, {"content": TEXT})),
        ({"content": f"<think>Think.</think>{TEXT}"}, ({"content": "<think>Think."}, {"content": f"</think>{TEXT}"})),
    ],
)
def test_reasoning_field_and_think_tags(message: dict[str, Any], pieces: tuple[dict[str, Any], ...]) -> None:
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
    }
    got = run_scenario(TogetherProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (got.reasoning.content, got.content) == ("Think.", TEXT)
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(TogetherProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_model_list_is_a_bare_array() -> None:
    payload = [
        {
            "id": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "object": "model",
            "created": 1733443200,
            "type": "chat",
            "display_name": "Llama 3.3 70B",
            "organization": "Meta",
            "context_length": 131072,
        },
        {"id": "BAAI/bge-large-en-v1.5", "object": "model", "created": 0, "type": "embedding"},
    ]
    models = TogetherProvider(KEY).parse_list_models(json.dumps(payload).encode())
    assert [m.id for m in models] == ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "BAAI/bge-large-en-v1.5"]
    assert models[0].type == "chat"
