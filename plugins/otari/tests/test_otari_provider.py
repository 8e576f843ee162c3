"""Otari: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

import pytest
from anyllm_otari import OtariProvider

from any_llm import errors
from any_llm.client import resolve_api_base, resolve_api_key
from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import request_body


def test_declarations() -> None:
    assert get_provider_class("otari") is OtariProvider
    assert OtariProvider.api_key_env == (
        "OTARI_API_KEY",
        "OTARI_AI_TOKEN",
        "OTARI_PLATFORM_TOKEN",
        "GATEWAY_PLATFORM_TOKEN",
        "GATEWAY_API_KEY",
    )
    assert OtariProvider.api_base_env == ("OTARI_API_BASE", "GATEWAY_API_BASE")
    assert OtariProvider.default_api_base == "https://api.otari.ai/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in OtariProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "images",
        "embedding",
        "list_models",
    }


def test_max_completion_tokens_is_sent_as_max_tokens() -> None:
    body = request_body(OtariProvider, max_completion_tokens=64)
    assert body["max_tokens"] == 64 and "max_completion_tokens" not in body
    with pytest.raises(errors.ConfigurationError):
        request_body(OtariProvider, max_tokens=32, max_completion_tokens=64)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("http://localhost:8000", "http://localhost:8000/v1"),
        ("http://localhost:8000/", "http://localhost:8000/v1"),
        ("http://gateway.internal:8000/v1", "http://gateway.internal:8000/v1"),
        ("https://proxy.example/otari/v1", "https://proxy.example/otari/v1"),
    ],
)
def test_a_bare_gateway_url_gets_v1(given: str, used: str) -> None:
    assert resolve_api_base(OtariProvider, given) == used


def test_keyless_self_hosted_gateway_and_the_gateway_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in OtariProvider.api_key_env:
        monkeypatch.delenv(var, raising=False)
    assert resolve_api_key(OtariProvider, None) is None
    monkeypatch.setenv("GATEWAY_API_KEY", "gw-key")
    assert resolve_api_key(OtariProvider, None) == "gw-key"
    monkeypatch.setenv("OTARI_AI_TOKEN", "platform-token")
    assert resolve_api_key(OtariProvider, None) == "platform-token"
