"""Mzai: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_mzai import MzaiProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("mzai") is MzaiProvider
    assert MzaiProvider.api_key_env == ("ANY_LLM_KEY",)
    assert MzaiProvider.api_base_env == ("ANY_LLM_PLATFORM_URL",)
    assert MzaiProvider.default_api_base == "https://platform-api.any-llm.ai/api/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in MzaiProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "images",
        "embedding",
        "list_models",
    }
