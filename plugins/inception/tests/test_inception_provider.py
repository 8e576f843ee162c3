"""Inception: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import pytest
from anyllm_inception import InceptionProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC
from any_llm.testing.schema import schema_errors

MODEL = "mercury-2"


def test_declarations() -> None:
    assert get_provider_class("inception") is InceptionProvider
    assert InceptionProvider.api_key_env == ("INCEPTION_API_KEY",)
    assert InceptionProvider.api_base_env == ("INCEPTION_API_BASE",)
    assert InceptionProvider.default_api_base == "https://api.inceptionlabs.ai/v1"
    assert InceptionProvider.capabilities() == {
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


@pytest.mark.parametrize(("effort", "sent"), [("minimal", "instant"), ("high", "high")])
def test_reasoning_effort_mapping(effort: str, sent: str) -> None:
    body = (
        InceptionProvider(KEY)
        .build_completion_request(build_params(MODEL, MESSAGES, {"reasoning_effort": effort}, {}))
        .json
    )
    assert body.pop("reasoning_effort") == sent  # "instant" is Inception's own level, outside OpenAI's enum
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


@pytest.mark.parametrize("effort", ["none", "xhigh"])
def test_other_reasoning_efforts_are_refused(effort: str) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(InceptionProvider(KEY), build_params(MODEL, MESSAGES, {"reasoning_effort": effort}, {}))
    assert info.value.parameter_name == "reasoning_effort"


def test_model_list_entries() -> None:
    payload = b'{"object": "list", "data": [{"id": "mercury-2", "object": "model", "owned_by": "inception"}]}'
    assert [m.id for m in InceptionProvider(KEY).parse_list_models(payload)] == ["mercury-2"]
