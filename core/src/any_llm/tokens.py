"""``count_tokens(model, messages, provider=None)``: input tokens counted by the provider's own endpoint.

Only providers with a counting endpoint declare ``supports_count_tokens`` (Anthropic
``/v1/messages/count_tokens``, Gemini ``models/*:countTokens``); elsewhere the call raises
:class:`~any_llm.errors.UnsupportedCapabilityError` before anything is sent. No local tokenizer guesses.
"""

from __future__ import annotations

from typing import Any

__all__ = ["acount_tokens", "count_tokens"]


def count_tokens(
    model: str,
    messages: Any,
    provider: Any = None,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> int:
    """Input tokens of ``messages`` for ``model``; ``tools=``, ``response_format=``... count too."""
    from any_llm.api import get_client, split_model

    name, model_id = split_model(model, provider)
    return get_client(name, api_key, api_base, client_args).count_tokens(model_id, messages, **kwargs)


async def acount_tokens(
    model: str,
    messages: Any,
    provider: Any = None,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> int:
    """Async twin of :func:`count_tokens`."""
    from any_llm.api import get_client, split_model

    name, model_id = split_model(model, provider)
    return await get_client(name, api_key, api_base, client_args).acount_tokens(model_id, messages, **kwargs)
