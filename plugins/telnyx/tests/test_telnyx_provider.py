"""Telnyx: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_telnyx import TelnyxProvider

from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import TEXT, check_reasoning


def test_declarations() -> None:
    assert get_provider_class("telnyx") is TelnyxProvider
    assert TelnyxProvider.api_key_env == ("TELNYX_API_KEY",)
    assert TelnyxProvider.api_base_env == ("TELNYX_API_BASE",)
    assert TelnyxProvider.default_api_base == "https://api.telnyx.com/v2/ai"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in TelnyxProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "images",
        "list_models",
    }


def test_streamed_reasoning_content_lands_in_reasoning() -> None:
    check_reasoning(
        TelnyxProvider,
        {"content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
        base_path="/v1",
    )
