"""Cascadia: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

import pytest
from anyllm_cascadia import CascadiaProvider

from any_llm import plugins
from any_llm.client import AnyLLM
from any_llm.plugins import get_provider_class
from any_llm.testing import MockServer
from any_llm.testing.conformance import MESSAGES, TEXT, openai_exchanges


def test_declarations() -> None:
    assert get_provider_class("cascadia") is CascadiaProvider
    assert CascadiaProvider.api_key_env == ("CASCADIA_API_KEY",)
    assert CascadiaProvider.api_base_env == ("CASCADIA_API_BASE",)
    assert CascadiaProvider.default_api_base == "http://localhost:9090/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in CascadiaProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "list_models",
    }


def test_no_key_sends_no_authorization(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in CascadiaProvider.api_key_env:
        monkeypatch.delenv(var, raising=False)
    with plugins.registered(CascadiaProvider), MockServer() as server:
        server.queue(openai_exchanges()["plain"])
        with AnyLLM.create("cascadia", api_base=server.url + "/v1") as client:
            assert client.completion("test-model", MESSAGES).choices[0].message.content == TEXT
    assert "authorization" not in server.requests[0].headers
