"""Together AI (api.together.xyz/v1) for anyllm: chat, embeddings and models, OpenAI's protocol.

Quirks (https://docs.together.ai/docs/openai-api-compatibility, /reference/models-1):
- ``GET /models`` answers with a bare JSON array, not ``{"data": [...]}`` (the core accepts both);
- reasoning models answer with ``message.reasoning`` or ``<think>`` in the content; the core lifts both;
- ``POST /v1/rerank`` (https://docs.together.ai/reference/rerank) takes Cohere's fields (no
  ``max_tokens_per_doc``) and answers ``results`` of index + relevance_score.
"""

from __future__ import annotations

from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider

__all__ = ["TogetherProvider"]


class TogetherProvider(OpenAICompatibleProvider):
    """Together AI's OpenAI-compatible endpoint."""

    name = "together"
    display_name = "Together AI"
    api_key_env = ("TOGETHER_API_KEY",)
    api_base_env = ("TOGETHER_API_BASE",)
    default_api_base = "https://api.together.xyz/v1"
    docs_url = "https://docs.together.ai/docs/openai-api-compatibility"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True
    supports_rerank = True


@hookimpl
def anyllm_register_providers(registry: Any) -> None:
    registry.register(TogetherProvider)
