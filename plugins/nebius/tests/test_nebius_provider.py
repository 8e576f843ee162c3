"""Nebius: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_nebius import NebiusProvider

from any_llm.plugins import get_provider_class
from any_llm.testing import Reply
from any_llm.testing.conformance import KEY, TEXT, run_scenario

MODEL = "meta-llama/Llama-3.3-70B-Instruct"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("nebius") is NebiusProvider
    assert NebiusProvider.api_key_env == ("NEBIUS_API_KEY",)
    assert NebiusProvider.api_base_env == ("NEBIUS_API_BASE",)
    assert NebiusProvider.default_api_base == "https://api.tokenfactory.nebius.com/v1"
    assert NebiusProvider.capabilities() == {
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
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


@pytest.mark.parametrize(
    ("message", "pieces"),
    [
        ({"content": TEXT, "reasoning_content": "Think."}, ({"reasoning_content": "Think."}, {"content": TEXT})),
        (
            {"content": f"<think>Think.</think>\n\n{TEXT}"},
            ({"content": "<think>"}, {"content": "Think."}, {"content": f"</think>\n\n{TEXT}"}),
        ),
    ],
)
def test_reasoning_shapes(message: dict[str, Any], pieces: tuple[dict[str, Any], ...]) -> None:
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
    }
    got = run_scenario(NebiusProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (got.reasoning.content, got.content) == ("Think.", TEXT)
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(NebiusProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "deepseek-ai/DeepSeek-R1-0528", "object": "model", '
        b'"created": 1748390400, "owned_by": "system"}]}'
    )
    assert [m.id for m in NebiusProvider(KEY).parse_list_models(payload)] == ["deepseek-ai/DeepSeek-R1-0528"]
