"""Moonshot AI: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_moonshot import MoonshotProvider

from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, check_reasoning, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "kimi-k2.5"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}


def test_declarations() -> None:
    assert get_provider_class("moonshot") is MoonshotProvider
    assert MoonshotProvider.api_key_env == ("MOONSHOT_API_KEY",)
    assert MoonshotProvider.api_base_env == ("MOONSHOT_API_BASE",)
    assert MoonshotProvider.default_api_base == "https://api.moonshot.ai/v1"
    assert MoonshotProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": False,
        "documents": False,
        "embedding": False,
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
    ("args", "sent", "absent"),
    [
        ({"reasoning_effort": "none"}, {"thinking": {"type": "disabled"}}, "reasoning_effort"),
        ({"reasoning_effort": "high"}, {"thinking": {"type": "enabled"}}, None),
        ({}, {}, "thinking"),
    ],
)
def test_thinking_switch(args: dict[str, Any], sent: dict[str, Any], absent: str | None) -> None:
    body = build_request(MoonshotProvider(KEY), build_params(MODEL, MESSAGES, args, {})).json
    assert {k: body.get(k) for k in sent} == sent and absent not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_reasoning_content() -> None:
    check_reasoning(
        MoonshotProvider,
        {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
    )


def test_reasoning_content_is_sent_back_on_tool_call_turns() -> None:
    call = {
        "index": 0,
        "id": "get_weather:0",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
    }
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "Check the weather."}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]
    chunks = run_scenario(MoonshotProvider, "stream_tool_call", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    reasoning = "".join(d.reasoning.content for d in deltas if d.reasoning)
    assert reasoning == "Check the weather."
    streamed = next(t for d in deltas for t in d.tool_calls or ())
    function = {"name": streamed.function.name, "arguments": streamed.function.arguments}
    assistant = {
        "role": "assistant",
        "content": None,
        "reasoning": {"content": reasoning},
        "tool_calls": [{"id": streamed.id, "type": "function", "function": function}],
    }
    history = [
        {"role": "user", "content": "Weather?"},
        assistant,
        {"role": "tool", "tool_call_id": "get_weather:0", "content": "sunny"},
    ]
    body = build_request(MoonshotProvider(KEY), build_params(MODEL, history, {"tools": [TOOL]}, {})).json
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []
    sent = body["messages"][1]
    assert sent["reasoning_content"] == "Check the weather." and "reasoning" not in sent
    assert sent["content"] == ""


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "kimi-k2.5", "object": "model", "created": 1769000000, '
        b'"owned_by": "moonshot", "context_length": 262144, "supports_image_in": true}]}'
    )
    models = MoonshotProvider(KEY).parse_list_models(payload)
    assert models[0].id == "kimi-k2.5" and models[0].supports_image_in is True
