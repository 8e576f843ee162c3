"""Portkey: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_portkey import PortkeyProvider

from any_llm import plugins
from any_llm.client import AnyLLM
from any_llm.plugins import get_provider_class
from any_llm.testing import MockServer
from any_llm.testing.conformance import KEY, MESSAGES, TEXT, check_reasoning, openai_exchanges


def test_declarations() -> None:
    assert get_provider_class("portkey") is PortkeyProvider
    assert PortkeyProvider.api_key_env == ("PORTKEY_API_KEY",)
    assert PortkeyProvider.api_base_env == ("PORTKEY_API_BASE",)
    assert PortkeyProvider.default_api_base == "https://api.portkey.ai/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in PortkeyProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "images",
        "list_models",
    }


def test_the_key_goes_in_x_portkey_api_key_and_routing_headers_pass_through() -> None:
    assert PortkeyProvider(KEY).auth_headers() == {"x-portkey-api-key": KEY}
    with plugins.registered(PortkeyProvider), MockServer() as server:
        server.queue(openai_exchanges()["plain"])
        headers = {"x-portkey-config": "cf-abc", "x-portkey-provider": "@openai-prod"}
        with AnyLLM.create("portkey", api_key=KEY, api_base=server.url + "/v1", default_headers=headers) as client:
            client.completion("@openai-prod/gpt-4.1-mini", MESSAGES)
    sent = server.requests[0].headers
    assert sent["x-portkey-api-key"] == KEY and "authorization" not in sent
    assert (sent["x-portkey-config"], sent["x-portkey-provider"]) == ("cf-abc", "@openai-prod")
    assert server.requests[0].json["model"] == "@openai-prod/gpt-4.1-mini"


def test_think_tags_and_reasoning_content() -> None:
    check_reasoning(
        PortkeyProvider,
        {"content": f"<think>Think.</think>{TEXT}"},
        ({"content": "<thi"}, {"content": "nk>Think.</think>"}, {"content": TEXT}),
        "Think.",
        base_path="/v1",
    )
    check_reasoning(
        PortkeyProvider,
        {"content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Think."}, {"content": TEXT}),
        "Think.",
        base_path="/v1",
    )
