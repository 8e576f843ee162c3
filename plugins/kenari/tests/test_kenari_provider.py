"""Kenari: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_kenari import KenariProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("kenari") is KenariProvider
    assert KenariProvider.api_key_env == ("KENARI_API_KEY",)
    assert KenariProvider.api_base_env == ("KENARI_API_BASE",)
    assert KenariProvider.default_api_base == "https://kenari.id/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in KenariProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "list_models",
    }
