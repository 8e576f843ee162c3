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
    assert TelnyxProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": False,
        "documents": False,
        "embedding": False,
        "list_models": True,
    }


def test_streamed_reasoning_content_lands_in_reasoning() -> None:
    check_reasoning(
        TelnyxProvider,
        {"content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
        base_path="/v1",
    )
