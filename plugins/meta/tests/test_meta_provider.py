"""Meta: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_meta import MetaProvider

from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import request_body


def test_declarations() -> None:
    assert get_provider_class("meta") is MetaProvider
    assert MetaProvider.api_key_env == ("MODEL_API_KEY",)
    assert MetaProvider.api_base_env == ("META_API_BASE",)
    assert MetaProvider.default_api_base == "https://api.meta.ai/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in MetaProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "images",
        "list_models",
    }


def test_reasoning_effort_is_sent_as_given() -> None:
    body = request_body(MetaProvider, reasoning_effort="xhigh")
    assert body["reasoning_effort"] == "xhigh"
