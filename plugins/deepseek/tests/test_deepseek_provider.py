"""DeepSeek: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_deepseek import DeepseekProvider
from pydantic import BaseModel

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, check_reasoning, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "deepseek-v4-flash"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}


class CityInfo(BaseModel):
    name: str
    country: str
    population: int


def test_declarations() -> None:
    assert get_provider_class("deepseek") is DeepseekProvider
    assert DeepseekProvider.api_key_env == ("DEEPSEEK_API_KEY",)
    assert DeepseekProvider.api_base_env == ("DEEPSEEK_API_BASE",)
    assert DeepseekProvider.default_api_base == "https://api.deepseek.com"
    assert DeepseekProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": False,
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
        ({"reasoning_effort": "high"}, {"thinking": {"type": "enabled"}, "reasoning_effort": "high"}, None),
        ({}, {}, "thinking"),
        ({"max_completion_tokens": 256}, {"max_tokens": 256}, "max_completion_tokens"),
        (
            {"logprobs": True, "top_logprobs": 2, "reasoning_effort": "none"},
            {"logprobs": True, "top_logprobs": 2},
            None,
        ),
    ],
)
def test_request_body(args: dict[str, Any], sent: dict[str, Any], absent: str | None) -> None:
    body = build_request(DeepseekProvider(KEY), build_params(MODEL, MESSAGES, args, {})).json
    assert {k: body.get(k) for k in sent} == sent and absent not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


@pytest.mark.parametrize(
    ("param", "args"),
    [
        ("reasoning_effort", {"reasoning_effort": "minimal"}),
        ("n", {"n": 2}),
        ("logit_bias", {"logit_bias": {"1": 1.0}}),
        ("logprobs", {"logprobs": True}),
        ("top_logprobs", {"logprobs": False, "top_logprobs": 2}),
    ],
)
def test_refused_params(param: str, args: dict[str, Any]) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(DeepseekProvider(KEY), build_params(MODEL, MESSAGES, args, {}))
    assert info.value.parameter_name == param


def test_structured_output_uses_json_mode() -> None:
    params = build_params(MODEL, MESSAGES, {"response_format": CityInfo}, {})
    body = build_request(DeepseekProvider(KEY), params).json
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]
    assert system["role"] == "system" and "JSON schema" in system["content"]
    assert json.loads(system["content"].split("\n", 1)[1])["required"] == ["name", "country", "population"]
    assert body["messages"][1:] == MESSAGES


def test_schema_joins_an_existing_system_prompt() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    question = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "json please"}]
    params = build_params(MODEL, question, {"response_format": fmt}, {})
    messages = build_request(DeepseekProvider(KEY), params).json["messages"]
    assert len(messages) == 2
    assert messages[0]["content"].startswith("Be brief.\n\nReply with a single JSON object")


def test_reasoning_content() -> None:
    check_reasoning(
        DeepseekProvider,
        {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
    )


def test_reasoning_content_is_sent_back_on_tool_call_turns() -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
    }
    answer = {
        **COMPLETION,
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "reasoning_content": "Need the weather.",
                    "tool_calls": [call],
                },
            }
        ],
    }
    first = run_scenario(DeepseekProvider, "tool_call", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert first.reasoning.content == "Need the weather."
    question = [{"role": "user", "content": "Weather in Paris?"}]
    history = [
        *question,
        first,
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        {"role": "assistant", "content": "Sunny.", "reasoning": {"content": "dropped"}},
        {"role": "user", "content": "Thanks"},
    ]
    body = build_request(DeepseekProvider(KEY), build_params(MODEL, history, {"tools": [TOOL]}, {})).json
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []
    sent = body["messages"]
    assert sent[1]["reasoning_content"] == "Need the weather." and "reasoning" not in sent[1]
    assert sent[3] == {"role": "assistant", "content": "Sunny."}


def test_cache_hits_become_cached_tokens() -> None:
    usage = {
        "prompt_tokens": 100,
        "completion_tokens": 5,
        "total_tokens": 105,
        "prompt_cache_hit_tokens": 64,
        "prompt_cache_miss_tokens": 36,
    }
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": usage,
    }
    completion = run_scenario(DeepseekProvider, "plain", [Reply.json(answer)], use_async=False).result
    assert completion.usage.prompt_tokens_details.cached_tokens == 64
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "ok"}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {**CHUNK, "choices": [], "usage": usage},
    ]
    chunks = run_scenario(DeepseekProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    assert chunks[-1].usage.prompt_tokens_details.cached_tokens == 64
    assert all(c.choices for c in chunks), "the usage chunk we asked for must have a choice for chunk.choices[0]"


def test_model_list_entries() -> None:
    payload = b'{"object": "list", "data": [{"id": "deepseek-v4-flash", "object": "model", "owned_by": "deepseek"}]}'
    models = DeepseekProvider(KEY).parse_list_models(payload)
    assert [(m.id, m.owned_by) for m in models] == [("deepseek-v4-flash", "deepseek")]
