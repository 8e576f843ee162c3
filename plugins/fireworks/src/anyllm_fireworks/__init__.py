"""Fireworks AI (api.fireworks.ai/inference/v1) for anyllm: chat, embeddings and models.

Quirks (https://docs.fireworks.ai/tools-sdks/openai-compatibility):
- streams always carry usage in the last chunk (the one with ``finish_reason``), so
  ``stream_options`` is not added;
- reasoning models answer with ``reasoning_content`` or ``<think>`` in the content; the core lifts both;
- a prompt plus ``max_tokens`` over the context window is truncated rather than refused, unless you pass
  ``context_length_exceeded_behavior="error"`` as a keyword.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["FireworksProvider"]


class FireworksProvider(OpenAICompatibleProvider):
    """Fireworks AI's OpenAI-compatible endpoint."""

    name = "fireworks"
    display_name = "Fireworks AI"
    api_key_env = ("FIREWORKS_API_KEY",)
    api_base_env = ("FIREWORKS_API_BASE",)
    default_api_base = "https://api.fireworks.ai/inference/v1"
    docs_url = "https://docs.fireworks.ai/tools-sdks/openai-compatibility"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True
    supports_stream_usage = False


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(FireworksProvider)
