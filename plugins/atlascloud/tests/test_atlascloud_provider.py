"""Atlascloud: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_atlascloud import AtlascloudProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("atlascloud") is AtlascloudProvider
    assert AtlascloudProvider.api_key_env == ("ATLASCLOUD_API_KEY",)
    assert AtlascloudProvider.api_base_env == ("ATLASCLOUD_API_BASE",)
    assert AtlascloudProvider.default_api_base == "https://api.atlascloud.ai/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in AtlascloudProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "list_models",
    }
