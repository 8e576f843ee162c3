"""vLLM's OpenAI-compatible server (``vllm serve MODEL``) for anyllm: chat, embeddings, models, rerank.

vLLM follows OpenAI's protocol closely (``max_completion_tokens``, ``json_schema``, tool calls,
``stream_options``), so this is declarations only. What differs is handled by the shared
OpenAI-compatible code: reasoning arrives as ``reasoning_content`` (older vLLM) or ``reasoning``
(newer) and lands in ``message.reasoning``; errors come as ``{"object": "error", "message", "code"}``
(older) or ``{"error": {...}}`` (newer), and both map to the typed errors. Reranker models are served
at ``/v1/rerank`` in the Jina/Cohere shape (``results`` of index + relevance_score); vLLM has no per-document
token limit, so ``max_tokens_per_doc`` is refused.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["VllmProvider"]


class VllmProvider(OpenAICompatibleProvider):
    """A vLLM server; a key is needed only when it was started with ``--api-key``."""

    name = "vllm"
    display_name = "vLLM"
    api_key_env = ("VLLM_API_KEY",)
    api_base_env = ("VLLM_API_BASE",)
    default_api_base = "http://localhost:8000/v1"
    requires_api_key = False
    docs_url = "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True
    supports_rerank = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(VllmProvider)
