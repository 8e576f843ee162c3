"""SambaNova: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_sambanova import SambanovaProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "Meta-Llama-3.3-70B-Instruct"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}


def test_declarations() -> None:
    assert get_provider_class("sambanova") is SambanovaProvider
    assert SambanovaProvider.api_key_env == ("SAMBANOVA_API_KEY",)
    assert SambanovaProvider.api_base_env == ("SAMBANOVA_API_BASE",)
    assert SambanovaProvider.default_api_base == "https://api.sambanova.ai/v1"
    assert SambanovaProvider.capabilities() == {
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
    ("param", "args"),
    [
        ("presence_penalty", {"presence_penalty": 0.5}),
        ("frequency_penalty", {"frequency_penalty": 0.5}),
        ("logit_bias", {"logit_bias": {"1": 2.0}}),
        ("n", {"n": 2, "tools": [TOOL]}),
    ],
)
def test_ignored_params_and_n_with_tools_are_refused(param: str, args: dict[str, Any]) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(SambanovaProvider(KEY), build_params(MODEL, MESSAGES, args, {}))
    assert info.value.parameter_name == param


def test_n_without_tools_is_sent() -> None:
    body = build_request(SambanovaProvider(KEY), build_params(MODEL, MESSAGES, {"n": 2}, {})).json
    assert body["n"] == 2
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


@pytest.mark.parametrize(
    ("message", "pieces"),
    [
        ({"content": TEXT, "reasoning_content": "Think."}, ({"reasoning_content": "Think."}, {"content": TEXT})),
        ({"content": f"<think>Think.</think>{TEXT}"}, ({"content": "<think>Think.</think>"}, {"content": TEXT})),
    ],
)
def test_reasoning_shapes(message: dict[str, Any], pieces: tuple[dict[str, Any], ...]) -> None:
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
    }
    got = run_scenario(SambanovaProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (got.reasoning.content, got.content) == ("Think.", TEXT)
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(SambanovaProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "Meta-Llama-3.3-70B-Instruct", "object": "model", '
        b'"owned_by": "SambaNova", "context_length": 131072}]}'
    )
    assert SambanovaProvider(KEY).parse_list_models(payload)[0].context_length == 131072
