"""``moderation`` / ``amoderation``: classify content for harm (OpenAI, Mistral), in OpenAI's result shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from any_llm.api import get_client, split_model
from any_llm.families.twins import async_twin

if TYPE_CHECKING:
    from any_llm.api import LLMProvider
    from any_llm.types.moderation import ModerationResponse

__all__ = ["amoderation", "moderation"]


def moderation(
    model: str,
    input: str | list[str] | list[dict[str, Any]],
    *,
    provider: str | LLMProvider | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ModerationResponse:
    """Run a content-moderation check.

    Args:
        model: The moderation model, with ``provider=`` or as 'provider:model'
            (e.g. 'openai:omni-moderation-latest', 'mistral:mistral-moderation-latest').
        input: A string, a list of strings, or a list of OpenAI content-part dicts (multimodal models).
        provider: Provider name or ``LLMProvider``; the model is then used verbatim.
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        client_args: Client settings (timeout, max_retries, default_headers, httpx options).
        **kwargs: Provider-specific fields, sent in the request body as given; ``include_raw=True``
            keeps each provider result in ``ModerationResult.provider_raw``.

    Returns:
        A ``ModerationResponse`` with one ``ModerationResult`` per input item.

    Raises:
        UnsupportedCapabilityError: the provider has no moderation endpoint (nothing is sent).
    """
    name, model_id = split_model(model, provider)
    return get_client(name, api_key, api_base, client_args).moderation(model_id, input, **kwargs)


amoderation = async_twin(moderation)
