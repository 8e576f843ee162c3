"""mozilla.ai's any-llm platform (platform-api.any-llm.ai/api/v1) for anyllm: chat, embeddings, models.

The platform is an OpenAI-compatible gateway (https://any-llm.ai) keyed by ``ANY_LLM_KEY``; its URL
can be moved with ``ANY_LLM_PLATFORM_URL`` (any-llm's names for both).
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["MzaiProvider"]


class MzaiProvider(OpenAICompatibleProvider):
    """The any-llm platform's OpenAI-compatible endpoint."""

    name = "mzai"
    display_name = "mozilla.ai any-llm platform"
    api_key_env = ("ANY_LLM_KEY",)
    api_base_env = ("ANY_LLM_PLATFORM_URL",)
    default_api_base = "https://platform-api.any-llm.ai/api/v1"
    docs_url = "https://any-llm.ai"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(MzaiProvider)
