"""Atlas Cloud (api.atlascloud.ai/v1) for anyllm: chat completions and models.

An aggregator whose LLM API is OpenAI's chat completions protocol (https://www.atlascloud.ai/docs,
"LLM / Chat"); model ids are ``provider/model``. It serves no ``/v1/embeddings``, so embeddings are
declared unsupported. Reasoning models answer with ``reasoning_content`` or ``<think>``; the core lifts both.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["AtlascloudProvider"]


class AtlascloudProvider(OpenAICompatibleProvider):
    """Atlas Cloud's OpenAI-compatible LLM endpoint."""

    name = "atlascloud"
    display_name = "Atlas Cloud"
    api_key_env = ("ATLASCLOUD_API_KEY",)
    api_base_env = ("ATLASCLOUD_API_BASE",)
    default_api_base = "https://api.atlascloud.ai/v1"
    docs_url = "https://www.atlascloud.ai/docs"
    supports_reasoning = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(AtlascloudProvider)
