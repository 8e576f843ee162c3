"""Qiniu AI inference (api.qnaigc.com/v1) for anyllm: chat, embeddings and models.

Qiniu's AI token API speaks OpenAI's protocol (https://developer.qiniu.com/aitokenapi). Reasoning
models answer with ``reasoning_content`` or ``<think>``; the core lifts both.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["QiniuProvider"]


class QiniuProvider(OpenAICompatibleProvider):
    """Qiniu's OpenAI-compatible endpoint."""

    name = "qiniu"
    display_name = "Qiniu"
    api_key_env = ("QINIU_API_KEY",)
    api_base_env = ("QINIU_API_BASE",)
    default_api_base = "https://api.qnaigc.com/v1"
    docs_url = "https://developer.qiniu.com/aitokenapi"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(QiniuProvider)
