"""Perplexity: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_perplexity import PerplexityProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import CITY, KEY, MESSAGES, OPENAI_SPEC, TEXT, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "sonar"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("perplexity") is PerplexityProvider
    assert PerplexityProvider.api_key_env == ("PERPLEXITY_API_KEY",)
    assert PerplexityProvider.api_base_env == ("PERPLEXITY_BASE_URL",)
    assert PerplexityProvider.default_api_base == "https://api.perplexity.ai"
    assert PerplexityProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": False,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": False,
        "documents": False,
        "embedding": False,
        "list_models": False,
        "count_tokens": False,
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


@pytest.mark.parametrize(
    ("param", "args"),
    [
        ("tool_choice", {"tool_choice": "auto"}),
        ("parallel_tool_calls", {"parallel_tool_calls": False}),
        ("logprobs", {"logprobs": True}),
        ("top_logprobs", {"top_logprobs": 3}),
        ("logit_bias", {"logit_bias": {"1": 1.0}}),
        ("seed", {"seed": 7}),
        ("n", {"n": 3}),
    ],
)
def test_refused_params(param: str, args: dict[str, Any]) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(PerplexityProvider(KEY), build_params(MODEL, MESSAGES, args, {}))
    assert info.value.parameter_name == param


def test_max_completion_tokens_is_sent_as_max_tokens() -> None:
    params = build_params(MODEL, MESSAGES, {"max_completion_tokens": 100}, {"search_mode": "academic"})
    body = build_request(PerplexityProvider(KEY), params).json
    assert (body["max_tokens"], body["search_mode"]) == (100, "academic")
    assert "max_completion_tokens" not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_citations_are_kept() -> None:
    results = [{"title": "Paris", "url": "https://en.wikipedia.org/wiki/Paris", "date": None}]
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris [1]."}, "finish_reason": "stop"}],
        "citations": ["https://en.wikipedia.org/wiki/Paris"],
        "search_results": results,
    }
    completion = run_scenario(PerplexityProvider, "plain", [Reply.json(answer)], use_async=False).result
    assert completion.citations == ["https://en.wikipedia.org/wiki/Paris"]
    assert completion.search_results == results


def test_reasoning_think_tags() -> None:
    answer = {
        **COMPLETION,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": f"<think>Think.</think>\n{TEXT}"},
                "finish_reason": "stop",
            }
        ],
    }
    message = run_scenario(PerplexityProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (message.reasoning.content, message.content) == ("Think.", TEXT)
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": d}]}
        for d in ({"content": "<think>Th"}, {"content": "ink."}, {"content": f"</think>\n{TEXT}"})
    ]
    chunks = run_scenario(PerplexityProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_structured_output_after_think_block() -> None:
    content = f"<think>Look it up.</think>\n{json.dumps(CITY)}"
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
    }
    outcome = run_scenario(
        PerplexityProvider, "structured", [Reply.json(answer)], use_async=False, model="sonar-reasoning-pro"
    )
    message = outcome.result.choices[0].message
    assert message.parsed.model_dump() == CITY
    assert message.reasoning.content == "Look it up."
