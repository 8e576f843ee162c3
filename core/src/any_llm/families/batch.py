"""Batch jobs: ``create_batch``, ``retrieve_batch``, ``cancel_batch``, ``list_batches``,
``retrieve_batch_results`` and their async twins, any-llm's signatures.

The input is always the OpenAI batch JSONL format (one ``{"custom_id", "method", "url", "body"}`` per
line); a provider with another format translates the file on the fly while uploading it, and
translates the results back, so the caller reads one shape everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from any_llm.families.twins import async_twin, client_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from any_llm.api import LLMProvider
    from any_llm.types.batch import Batch, BatchResult

__all__ = [
    "acancel_batch",
    "acreate_batch",
    "alist_batches",
    "aretrieve_batch",
    "aretrieve_batch_results",
    "cancel_batch",
    "create_batch",
    "list_batches",
    "retrieve_batch",
    "retrieve_batch_results",
]


def create_batch(
    provider: str | LLMProvider,
    input_file_path: str,
    endpoint: str,
    *,
    completion_window: str = "24h",
    metadata: dict[str, str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Batch:
    """Create a batch job from a JSONL file of requests.

    Args:
        provider: Provider name or ``LLMProvider`` (e.g. 'openai', 'anthropic', 'mistral').
        input_file_path: Path of a file in OpenAI's batch JSONL format; it is streamed, never read whole.
        endpoint: The endpoint every line targets (e.g. '/v1/chat/completions').
        completion_window: The time frame for the batch (default '24h').
        metadata: Custom metadata for the batch.
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        client_args: Client settings (timeout, max_retries, default_headers, httpx options).
        **kwargs: Provider-specific fields.

    Returns:
        The created ``Batch`` (OpenAI's shape for every provider).
    """
    client = client_for(provider, api_key, api_base, client_args)
    return client.create_batch(
        input_file_path, endpoint, completion_window=completion_window, metadata=metadata, **kwargs
    )


def retrieve_batch(
    provider: str | LLMProvider,
    batch_id: str,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Batch:
    """The batch job ``batch_id``, with its status and request counts."""
    return client_for(provider, api_key, api_base, client_args).retrieve_batch(batch_id, **kwargs)


def cancel_batch(
    provider: str | LLMProvider,
    batch_id: str,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Batch:
    """Ask the provider to cancel ``batch_id``; returns the batch (usually ``cancelling``)."""
    return client_for(provider, api_key, api_base, client_args).cancel_batch(batch_id, **kwargs)


def list_batches(
    provider: str | LLMProvider,
    *,
    after: str | None = None,
    limit: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Sequence[Batch]:
    """Batch jobs, following the provider's pages to the end; ``after`` starts after that batch id,
    ``limit`` caps how many are returned."""
    return client_for(provider, api_key, api_base, client_args).list_batches(after=after, limit=limit, **kwargs)


def retrieve_batch_results(
    provider: str | LLMProvider,
    batch_id: str,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> BatchResult:
    """The per-request results of a finished batch, in OpenAI's shape whatever the provider.

    Raises:
        BatchNotCompleteError: the batch has no results (yet); ``.status`` says where it is.
    """
    return client_for(provider, api_key, api_base, client_args).retrieve_batch_results(batch_id, **kwargs)


acreate_batch = async_twin(create_batch)
aretrieve_batch = async_twin(retrieve_batch)
acancel_batch = async_twin(cancel_batch)
alist_batches = async_twin(list_batches)
aretrieve_batch_results = async_twin(retrieve_batch_results)
