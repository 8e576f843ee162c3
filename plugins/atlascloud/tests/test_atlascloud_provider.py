"""Atlascloud: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_atlascloud import AtlascloudProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("atlascloud") is AtlascloudProvider
    assert AtlascloudProvider.api_key_env == ("ATLASCLOUD_API_KEY",)
    assert AtlascloudProvider.api_base_env == ("ATLASCLOUD_API_BASE",)
    assert AtlascloudProvider.default_api_base == "https://api.atlascloud.ai/v1"
    assert AtlascloudProvider.capabilities() == {
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
    }
