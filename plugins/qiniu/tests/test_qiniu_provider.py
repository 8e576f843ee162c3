"""Qiniu: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_qiniu import QiniuProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("qiniu") is QiniuProvider
    assert QiniuProvider.api_key_env == ("QINIU_API_KEY",)
    assert QiniuProvider.api_base_env == ("QINIU_API_BASE",)
    assert QiniuProvider.default_api_base == "https://api.qnaigc.com/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in QiniuProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "reasoning",
        "images",
        "embedding",
        "list_models",
    }
