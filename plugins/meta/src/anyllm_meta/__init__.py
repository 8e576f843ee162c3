"""Meta Model API (api.meta.ai/v1, the Muse models) for anyllm: chat completions and models.

Meta's chat completions endpoint is OpenAI-compatible (https://dev.meta.ai/docs, "Chat
Completions"); the key is ``MODEL_API_KEY``, Meta's own variable. Images are accepted as input.
Reasoning is not declared: Meta documents ``reasoning_content`` as redacted (empty) for external
callers on chat completions, so there is nothing to return; ``reasoning_effort`` is still sent as
given. Meta's Responses and Anthropic-style Messages endpoints are other API families.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["MetaProvider"]


class MetaProvider(OpenAICompatibleProvider):
    """Meta Model API's OpenAI-compatible chat completions."""

    name = "meta"
    display_name = "Meta Model API"
    api_key_env = ("MODEL_API_KEY",)
    api_base_env = ("META_API_BASE",)
    default_api_base = "https://api.meta.ai/v1"
    docs_url = "https://dev.meta.ai/docs"
    supports_images = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(MetaProvider)
