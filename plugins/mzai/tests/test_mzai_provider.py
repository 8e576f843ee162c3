"""Mzai: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_mzai import MzaiProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("mzai") is MzaiProvider
    assert MzaiProvider.api_key_env == ("ANY_LLM_KEY",)
    assert MzaiProvider.api_base_env == ("ANY_LLM_PLATFORM_URL",)
    assert MzaiProvider.default_api_base == "https://platform-api.any-llm.ai/api/v1"
    assert MzaiProvider.capabilities() == {
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
    }
