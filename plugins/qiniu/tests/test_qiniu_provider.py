"""Qiniu: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_qiniu import QiniuProvider

from any_llm.plugins import get_provider_class


def test_declarations() -> None:
    assert get_provider_class("qiniu") is QiniuProvider
    assert QiniuProvider.api_key_env == ("QINIU_API_KEY",)
    assert QiniuProvider.api_base_env == ("QINIU_API_BASE",)
    assert QiniuProvider.default_api_base == "https://api.qnaigc.com/v1"
    assert QiniuProvider.capabilities() == {
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
