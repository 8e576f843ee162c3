"""Neosantara: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_neosantara import NeosantaraProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("neosantara") is NeosantaraProvider
    assert NeosantaraProvider.api_key_env == ("NEOSANTARA_API_KEY",)
    assert NeosantaraProvider.api_base_env == ("NEOSANTARA_API_BASE",)
    assert NeosantaraProvider.default_api_base == "https://api.neosantara.xyz/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in NeosantaraProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "images",
        "embedding",
        "list_models",
    }
