"""Nebius Token Factory (api.tokenfactory.nebius.com/v1) for anyllm: chat, embeddings and models.

Plain OpenAI protocol (https://docs.tokenfactory.nebius.com/api-reference); reasoning models answer with
``reasoning_content`` or ``<think>`` in the content, which the core lifts.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["NebiusProvider"]


class NebiusProvider(OpenAICompatibleProvider):
    """Nebius Token Factory's OpenAI-compatible endpoint (formerly Nebius AI Studio)."""

    name = "nebius"
    display_name = "Nebius"
    api_key_env = ("NEBIUS_API_KEY",)
    api_base_env = ("NEBIUS_API_BASE",)
    default_api_base = "https://api.tokenfactory.nebius.com/v1"
    docs_url = "https://docs.tokenfactory.nebius.com/"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(NebiusProvider)
