"""Alibaba Cloud DashScope: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_dashscope import DashscopeProvider

from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, check_reasoning
from any_llm.testing.schema import schema_errors

MODEL = "qwen-plus"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("dashscope") is DashscopeProvider
    assert DashscopeProvider.api_key_env == ("DASHSCOPE_API_KEY",)
    assert DashscopeProvider.api_base_env == ("DASHSCOPE_API_BASE",)
    assert DashscopeProvider.default_api_base == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    assert DashscopeProvider.capabilities() == {
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
    ("args", "extra", "sent", "absent"),
    [
        (
            {"stream": True, "reasoning_effort": "low"},
            {"thinking_budget": 512},
            {"enable_thinking": True, "thinking_budget": 512},
            "reasoning_effort",
        ),
        ({"reasoning_effort": "none"}, {}, {"enable_thinking": False}, "reasoning_effort"),
        ({}, {}, {}, "enable_thinking"),
    ],
)
def test_enable_thinking(args: dict[str, Any], extra: dict[str, Any], sent: dict[str, Any], absent: str) -> None:
    body = build_request(DashscopeProvider(KEY), build_params(MODEL, MESSAGES, args, extra)).json
    assert {k: body.get(k) for k in sent} == sent and absent not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_reasoning_content() -> None:
    check_reasoning(
        DashscopeProvider,
        {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
    )


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "qwen-plus", "object": "model", "created": 0, "owned_by": "system"}]}'
    )
    assert [m.id for m in DashscopeProvider(KEY).parse_list_models(payload)] == ["qwen-plus"]
