"""responses()/messages() and their async twins have any-llm's parameters, in its order
(mozilla-ai/any-llm src/any_llm/api.py @ f9499232), and AnyLLM carries the methods."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import any_llm
from any_llm import AnyLLM, amessages, aresponses, messages, responses

RESPONSES = [
    "model",
    "input_data",
    "provider",
    "tools",
    "tool_choice",
    "max_output_tokens",
    "temperature",
    "top_p",
    "stream",
    "api_key",
    "api_base",
    "instructions",
    "max_tool_calls",
    "parallel_tool_calls",
    "reasoning",
    "text",
    "response_format",
    "presence_penalty",
    "frequency_penalty",
    "truncation",
    "context_management",
    "store",
    "service_tier",
    "user",
    "metadata",
    "previous_response_id",
    "include",
    "background",
    "safety_identifier",
    "prompt_cache_key",
    "prompt_cache_retention",
    "conversation",
    "timeout",
    "extra_body",
    "client_args",
    "kwargs",
]
MESSAGES = [
    "model",
    "messages",
    "max_tokens",
    "provider",
    "system",
    "temperature",
    "top_p",
    "top_k",
    "stream",
    "stop_sequences",
    "tools",
    "tool_choice",
    "metadata",
    "thinking",
    "cache_control",
    "prompt_cache_key",
    "service_tier",
    "context_management",
    "betas",
    "output_format",
    "timeout",
    "api_key",
    "api_base",
    "client_args",
    "kwargs",
]


@pytest.mark.parametrize(
    ("func", "expected", "positional"),
    [(responses, RESPONSES, 2), (aresponses, RESPONSES, 2), (messages, MESSAGES, 3), (amessages, MESSAGES, 3)],
)
def test_signature_matches_any_llm(func: Any, expected: list[str], positional: int) -> None:
    params = list(inspect.signature(func).parameters.values())
    assert [p.name for p in params] == expected
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params[:positional])
    assert all(p.default is inspect.Parameter.empty for p in params[:positional])
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None for p in params[positional:-1])
    assert params[-1].kind is inspect.Parameter.VAR_KEYWORD


def test_twins_share_signature_and_docstring() -> None:
    assert inspect.signature(responses).parameters == inspect.signature(aresponses).parameters
    assert inspect.signature(messages).parameters == inspect.signature(amessages).parameters
    assert responses.__doc__ == aresponses.__doc__ and messages.__doc__ == amessages.__doc__
    assert inspect.iscoroutinefunction(aresponses) and inspect.iscoroutinefunction(amessages)


def test_exported_and_on_the_client() -> None:
    for name in ("responses", "aresponses", "messages", "amessages"):
        assert name in any_llm.__all__
        assert callable(getattr(AnyLLM, name))
