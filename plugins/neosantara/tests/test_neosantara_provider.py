"""Neosantara: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_neosantara import NeosantaraProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("neosantara") is NeosantaraProvider
    assert NeosantaraProvider.api_key_env == ("NEOSANTARA_API_KEY",)
    assert NeosantaraProvider.api_base_env == ("NEOSANTARA_API_BASE",)
    assert NeosantaraProvider.default_api_base == "https://api.neosantara.xyz/v1"
    assert NeosantaraProvider.capabilities() == {
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
