"""Neosantara (api.neosantara.xyz/v1) for anyllm: chat, embeddings and models.

An Indonesian LLM gateway speaking OpenAI's protocol (https://docs.neosantara.xyz), with function
calling, images and embeddings. Some models answer 403 ``insufficient_tier`` on a free account; that
is an AuthenticationError here like any other 403.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["NeosantaraProvider"]


class NeosantaraProvider(OpenAICompatibleProvider):
    """Neosantara's OpenAI-compatible endpoint."""

    name = "neosantara"
    display_name = "Neosantara"
    api_key_env = ("NEOSANTARA_API_KEY",)
    api_base_env = ("NEOSANTARA_API_BASE",)
    default_api_base = "https://api.neosantara.xyz/v1"
    docs_url = "https://docs.neosantara.xyz"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(NeosantaraProvider)
