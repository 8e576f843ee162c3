"""count_tokens and model_info against the real llama.cpp server. Upstream llama-server: the count (its chat
template through /apply-template, then /tokenize) equals the prompt_tokens a completion of the same messages
reports, and model_info reads the training context from /v1/models. llama-cpp-python's server has neither route:
count_tokens says so, typed, after one request."""

from __future__ import annotations

from typing import Any

import pytest

from any_llm import completion, count_tokens, errors, model_info

pytestmark = pytest.mark.real_server

CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [
        {"role": "system", "content": "You answer in one word."},
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another one, with an accent: é, ü, 東京?"},
    ],
]


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture
def kw(base_url: str, server_info: dict[str, Any]) -> dict[str, Any]:
    return {"provider": "llamacpp", "api_base": base_url, "model": server_info["model"]}


@pytest.mark.parametrize(
    ("messages", "extra"),
    [(CONVERSATIONS[0], {}), (CONVERSATIONS[1], {}), (CONVERSATIONS[0], {"tools": [WEATHER_TOOL]})],
    ids=["one-turn", "four-turns", "tools"],
)
def test_the_count_is_what_a_completion_reports(
    kw: dict[str, Any], server_info: dict[str, Any], messages: Any, extra: dict[str, Any]
) -> None:
    if server_info["kind"] == "llama-cpp-python":
        with pytest.raises(errors.ModelNotFoundError, match="llama-cpp-python's server has no /apply-template"):
            count_tokens(messages=messages, **extra, **kw)
        return
    counted = count_tokens(messages=messages, **extra, **kw)
    response = completion(messages=messages, max_tokens=1, temperature=0, **extra, **kw)
    assert response.usage is not None
    assert counted == response.usage.prompt_tokens > 0


def test_model_info_has_the_context_window(kw: dict[str, Any], server_info: dict[str, Any]) -> None:
    info = model_info(kw["model"], "llamacpp", api_base=kw["api_base"])
    assert info is not None and info.sources == ("models_endpoint",)
    # SmolLM2-135M was trained with 8192 tokens; llama-cpp-python's /v1/models does not say
    assert info.context_window == (8192 if server_info["kind"] == "llama-server" else None)
