"""Kenari (kenari.id/v1) for anyllm: an OpenAI-compatible gateway, chat completions and models.

Declarations only (https://kenari.id/docs). Reasoning models answer with ``reasoning_content`` or
``<think>``; the core lifts both into ``message.reasoning``.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["KenariProvider"]


class KenariProvider(OpenAICompatibleProvider):
    """Kenari's OpenAI-compatible endpoint."""

    name = "kenari"
    display_name = "Kenari"
    api_key_env = ("KENARI_API_KEY",)
    api_base_env = ("KENARI_API_BASE",)
    default_api_base = "https://kenari.id/v1"
    docs_url = "https://kenari.id/docs"
    supports_reasoning = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(KenariProvider)
