"""DeepInfra (api.deepinfra.com/v1/openai) for anyllm: chat, embeddings and models.

Plain OpenAI protocol (https://deepinfra.com/docs/openai_api); reasoning models answer with
``reasoning_content`` or ``<think>`` in the content, which the core lifts.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["DeepinfraProvider"]


class DeepinfraProvider(OpenAICompatibleProvider):
    """DeepInfra's OpenAI-compatible endpoint."""

    name = "deepinfra"
    display_name = "DeepInfra"
    api_key_env = ("DEEPINFRA_API_KEY",)
    api_base_env = ("DEEPINFRA_API_BASE",)
    default_api_base = "https://api.deepinfra.com/v1/openai"
    docs_url = "https://deepinfra.com/docs/openai_api"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(DeepinfraProvider)
