"""Ovhcloud: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

import pytest
from anyllm_ovhcloud import OvhcloudProvider

from any_llm import plugins
from any_llm.client import AnyLLM
from any_llm.plugins import get_provider_class
from any_llm.testing import MockServer
from any_llm.testing.conformance import MESSAGES, TEXT, openai_exchanges


def test_declarations() -> None:
    assert get_provider_class("ovhcloud") is OvhcloudProvider
    assert OvhcloudProvider.api_key_env == ("OVHCLOUD_API_KEY",)
    assert OvhcloudProvider.api_base_env == ("OVHCLOUD_API_BASE",)
    assert OvhcloudProvider.default_api_base == "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in OvhcloudProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "list_models",
    }


def test_no_key_sends_no_authorization(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in OvhcloudProvider.api_key_env:
        monkeypatch.delenv(var, raising=False)
    with plugins.registered(OvhcloudProvider), MockServer() as server:
        server.queue(openai_exchanges()["plain"])
        with AnyLLM.create("ovhcloud", api_base=server.url + "/v1") as client:
            assert client.completion("test-model", MESSAGES).choices[0].message.content == TEXT
    assert "authorization" not in server.requests[0].headers
