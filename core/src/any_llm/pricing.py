"""``cost(result)``: what a call cost in USD, from pydantic's maintained ``genai-prices`` data.

The price data is an optional extra (``pip install "anyllm-core[prices]"``) and is imported on the first
``cost()`` call, never at ``import any_llm`` (it is 1.5 MB of Python). Unknown model, unknown provider, no
usage, or the extra not installed: ``None``, never an exception: a cost figure is a report, and a report
must not break the call that it describes.

Token semantics match ours: ``prompt_tokens`` is the whole input, cache reads (``cached_tokens``) and
Anthropic's cache writes (``cache_creation_tokens``) included; the ``cache`` part of the result is what those
cached tokens cost, and ``input`` the rest of the input.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["PRICE_PROVIDERS", "Cost", "cost"]

logger = logging.getLogger("any_llm")

PRICE_PROVIDERS = {
    "anthropic": "anthropic",
    "azureopenai": "azure",
    "cerebras": "cerebras",
    "cohere": "cohere",
    "databricks": "databricks",
    "deepseek": "deepseek",
    "fireworks": "fireworks",
    "gemini": "google",
    "groq": "groq",
    "minimax": "minimax",
    "mistral": "mistral",
    "moonshot": "moonshotai",
    "openai": "openai",
    "openrouter": "openrouter",
    "perplexity": "perplexity",
    "together": "together",
    "xai": "x-ai",
    "zai": "zai",
}
"""Our provider name → the price data's provider id. Providers not here (local servers, unknown hosts): None."""

LOCAL_PROVIDERS = frozenset({"llamacpp", "llamafile", "lmstudio", "ollama", "vllm", "fake"})


@dataclass(frozen=True)
class Cost:
    """The USD cost of one call, split as the price data splits it."""

    input: Decimal
    """Input tokens that were not cache reads or writes."""
    output: Decimal
    cache: Decimal
    """Cache reads and writes."""
    total: Decimal
    model: str
    """The price data's model id that matched (``gpt-4o`` for ``gpt-4o-2024-08-06``)."""
    provider: str
    """The price data's provider id."""


_missing_reported = False


def cost(result: Any, provider: str | None = None, *, model: str | None = None) -> Cost | None:
    """The cost of ``result``, or None when it cannot be priced. Never raises.

    Args:
        result: a ``ChatCompletion``, an embedding response, a usage object (then pass ``model``), or the
            :class:`~any_llm.callhooks.CallInfo` a call hook receives (its provider and model are used).
        provider: our provider name (``"openai"``, ``"anthropic"``...). Without it the price data guesses
            from the model name, which works for the big vendors' own model names.
        model: the model, when ``result`` does not carry one (a usage object).
    """
    try:
        return _cost(result, provider, model)
    except Exception:  # a price lookup must never break the caller; say why in the debug log
        logger.debug("cost(): could not price %s", type(result).__name__, exc_info=True)
        return None


def _cost(result: Any, provider: str | None, model: str | None) -> Cost | None:
    from any_llm.callhooks import CallInfo

    if isinstance(result, CallInfo):
        provider = provider or result.provider
        model = model or result.response_model or result.model
        usage = result.usage
    else:
        usage = getattr(result, "usage", None) if hasattr(result, "usage") else result
        model = model or getattr(result, "model", None)
    if usage is None or not model or not hasattr(usage, "prompt_tokens"):
        return None
    if provider is not None:
        provider = provider.lower()
        if provider in LOCAL_PROVIDERS:
            return None
        provider_id = PRICE_PROVIDERS.get(provider)
        if provider_id is None:
            return None
    else:
        provider_id = None
    prices = _prices()
    if prices is None:
        return None
    calc_price, usage_cls = prices
    details = getattr(usage, "prompt_tokens_details", None)
    read = int(getattr(details, "cached_tokens", None) or 0)
    write = int(getattr(details, "cache_creation_tokens", None) or 0)
    counts: dict[str, int] = {"input_tokens": int(usage.prompt_tokens or 0)}
    output = getattr(usage, "completion_tokens", None)
    if output:
        counts["output_tokens"] = int(output)
    if read:
        counts["cache_read_tokens"] = read
    if write:
        counts["cache_write_tokens"] = write
    try:
        calc = calc_price(usage_cls(**counts), model, provider_id=provider_id)
    except LookupError:
        return None
    cache = Decimal(0)
    if read or write:
        cached_only = {"input_tokens": read + write}
        if read:
            cached_only["cache_read_tokens"] = read
        if write:
            cached_only["cache_write_tokens"] = write
        cache = calc_price(usage_cls(**cached_only), model, provider_id=provider_id).input_price
    return Cost(
        input=calc.input_price - cache,
        output=calc.output_price,
        cache=cache,
        total=calc.total_price,
        model=calc.model.id,
        provider=calc.provider.id,
    )


def _prices() -> tuple[Any, Any] | None:
    global _missing_reported
    try:
        from genai_prices import Usage, calc_price
    except ImportError:
        if not _missing_reported:
            _missing_reported = True
            logger.warning('cost() needs the price data: pip install "anyllm-core[prices]" (genai-prices)')
        return None
    return calc_price, Usage
