"""``rerank`` / ``arerank``: order documents by relevance to a query (Cohere, Together, vLLM, llama.cpp...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from any_llm.api import get_client, split_model
from any_llm.families.twins import async_twin

if TYPE_CHECKING:
    from any_llm.api import LLMProvider
    from any_llm.types.rerank import RerankResponse

__all__ = ["arerank", "rerank"]


def rerank(
    model: str,
    query: str,
    documents: list[str],
    *,
    top_n: int | None = None,
    max_tokens_per_doc: int | None = None,
    provider: str | LLMProvider | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> RerankResponse:
    """Rerank ``documents`` by relevance to ``query``.

    Args:
        model: The rerank model, with ``provider=`` or as 'provider:model' (e.g. 'cohere:rerank-v3.5').
        query: The search query.
        documents: The texts to order.
        top_n: Return only the best ``top_n`` results (default: all).
        max_tokens_per_doc: Truncate each document to this many tokens (where the provider supports it).
        provider: Provider name or ``LLMProvider``; the model is then used verbatim.
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        client_args: Client settings (timeout, max_retries, default_headers, httpx options).
        **kwargs: Provider-specific fields, sent in the request body as given.

    Returns:
        A ``RerankResponse`` whose results (index into ``documents``, relevance_score) are sorted best first.

    Raises:
        UnsupportedCapabilityError: the provider has no rerank endpoint (nothing is sent).
    """
    name, model_id = split_model(model, provider)
    client = get_client(name, api_key, api_base, client_args)
    return client.rerank(model_id, query, documents, top_n=top_n, max_tokens_per_doc=max_tokens_per_doc, **kwargs)


arerank = async_twin(rerank)
