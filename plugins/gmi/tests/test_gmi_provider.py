"""Gmi: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

import pytest
from anyllm_gmi import GmiProvider

from any_llm import errors
from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import OPENAI_SPEC, request_body


def test_declarations() -> None:
    assert get_provider_class("gmi") is GmiProvider
    assert GmiProvider.api_key_env == ("GMI_API_KEY",)
    assert GmiProvider.api_base_env == ("GMI_API_BASE",)
    assert GmiProvider.default_api_base == "https://api.gmi-serving.com/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in GmiProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "list_models",
    }


def test_max_completion_tokens_is_sent_as_max_tokens() -> None:
    body = request_body(GmiProvider, max_completion_tokens=64, schema=(OPENAI_SPEC, "CreateChatCompletionRequest"))
    assert body["max_tokens"] == 64 and "max_completion_tokens" not in body
    assert request_body(GmiProvider, max_tokens=32)["max_tokens"] == 32
    with pytest.raises(errors.ConfigurationError):
        request_body(GmiProvider, max_tokens=32, max_completion_tokens=64)
