"""Requesty: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

import pytest
from anyllm_requesty import RequestyProvider

from any_llm import errors
from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import KEY, TEXT, check_reasoning, request_body


def test_declarations() -> None:
    assert get_provider_class("requesty") is RequestyProvider
    assert RequestyProvider.api_key_env == ("REQUESTY_API_KEY",)
    assert RequestyProvider.api_base_env == ("REQUESTY_API_BASE",)
    assert RequestyProvider.default_api_base == "https://router.requesty.ai/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in RequestyProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "images",
        "embedding",
        "list_models",
    }


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_reasoning_effort_is_sent_as_requestys_reasoning_object(effort: str) -> None:
    body = request_body(RequestyProvider, reasoning_effort=effort)
    assert body["reasoning"] == {"effort": effort} and "reasoning_effort" not in body


@pytest.mark.parametrize("effort", ["none", "minimal", "xhigh"])
def test_other_efforts_are_refused(effort: str) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        request_body(RequestyProvider, reasoning_effort=effort)
    assert info.value.parameter_name == "reasoning_effort"


def test_a_reasoning_keyword_is_sent_as_given_and_wins() -> None:
    own = {"effort": "high", "max_tokens": 2000, "exclude": True}
    assert request_body(RequestyProvider, reasoning=own)["reasoning"] == own
    assert request_body(RequestyProvider, reasoning_effort="low", reasoning=own)["reasoning"] == own
    assert "reasoning" not in request_body(RequestyProvider)


def test_reasoning_comes_back_in_message_reasoning() -> None:
    check_reasoning(
        RequestyProvider,
        {"content": TEXT, "reasoning": "Think."},
        ({"reasoning": "Thi"}, {"reasoning": "nk."}, {"content": TEXT}),
        "Think.",
        base_path="/v1",
    )


def test_model_list_without_object_and_owner() -> None:
    payload = b'{"data": [{"id": "openai/gpt-4o-mini", "name": "GPT-4o mini", "pricing": {"input": 0.15}}]}'
    models = RequestyProvider(KEY).parse_list_models(payload)
    assert [(m.id, m.object, m.created) for m in models] == [("openai/gpt-4o-mini", "model", 0)]
    assert models[0].pricing == {"input": 0.15}
