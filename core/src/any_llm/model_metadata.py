"""``model_info(model, provider=None)``: a model's limits, modalities, capabilities and prices.

Two sources, merged field by field: what the provider's models endpoint reports (read through
:class:`~any_llm.types.model.Model`'s vendor-field table: Anthropic ``max_input_tokens``, Gemini
``inputTokenLimit``/``outputTokenLimit``, OpenRouter ``context_length``, Mistral ``max_context_length``,
vLLM ``max_model_len``...; a provider that describes one model at its own endpoint, like Ollama's
``/api/show``, declares :meth:`~any_llm.provider.Provider.build_model_info_request`), which wins, and the
``genai-prices`` data (context window, USD per million tokens), used when the ``prices`` extra is
installed. Fields neither knows are None; a model neither knows is None. Asking the provider needs its key
and one request; with no provider, only the price data is asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from any_llm import errors

__all__ = ["ModelInfo", "model_info"]

logger = logging.getLogger("any_llm")


@dataclass(frozen=True)
class ModelInfo:
    """What is known about one model; None where nothing says."""

    id: str
    provider: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None
    supports_tools: bool | None = None
    supports_reasoning: bool | None = None
    input_price_per_mtok: Decimal | None = None
    """USD per million input tokens."""
    output_price_per_mtok: Decimal | None = None
    cache_read_price_per_mtok: Decimal | None = None
    cache_write_price_per_mtok: Decimal | None = None
    sources: tuple[str, ...] = field(default=())
    """Where the values came from: ``"models_endpoint"``, ``"genai-prices"``."""


_MERGED = (
    "context_window",
    "max_output_tokens",
    "input_modalities",
    "output_modalities",
    "supports_tools",
    "supports_reasoning",
    "input_price_per_mtok",
    "output_price_per_mtok",
)


def model_info(
    model: str,
    provider: str | None = None,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
) -> ModelInfo | None:
    """A model's context window, max output tokens, modalities, capability flags and prices, or None.

    ``model`` may carry its provider (``"anthropic:claude-sonnet-4-5"``). With a provider, its models
    endpoint is asked first (a failure there, e.g. no key, falls back to the price data, logged at debug).
    """
    name, model_id = _split(model, provider)
    values: dict[str, Any] = {}
    sources: list[str] = []
    if name is not None:
        listed = _from_endpoint(name, model_id, api_key, api_base, client_args)
        if listed is not None:
            sources.append("models_endpoint")
            values.update({k: getattr(listed, k) for k in _MERGED if getattr(listed, k, None) is not None})
    priced = _from_prices(model_id, name)
    if priced:
        sources.append("genai-prices")
        for key, value in priced.items():
            values.setdefault(key, value)
    if not sources:
        return None
    known = {f.name for f in fields(ModelInfo)}
    return ModelInfo(
        id=model_id, provider=name, sources=tuple(sources), **{k: v for k, v in values.items() if k in known}
    )


def _split(model: str, provider: str | None) -> tuple[str | None, str]:
    if provider is not None:
        return str(getattr(provider, "value", provider)).strip().lower(), model
    if ":" in model:
        prefix, _, rest = model.partition(":")
        from any_llm.plugins import get_provider_class_or_none

        if prefix and rest and get_provider_class_or_none(prefix.lower()) is not None:
            return prefix.lower(), rest
    return None, model


def _from_endpoint(
    name: str, model_id: str, api_key: str | None, api_base: str | None, client_args: dict[str, Any] | None
) -> Any:
    from any_llm.api import get_client
    from any_llm.wire import call_plugin

    try:
        client = get_client(name, api_key, api_base, client_args)
        request = client.provider.build_model_info_request(model_id)
        if request is not None:  # the provider describes one model (Ollama's /api/show)
            response = client.transport.send(client.provider, request)
            body = response.content
            parse = client.provider.parse_model_info
            return call_plugin(name, "a model description", body, response.status_code, parse, body, model_id)
        models = client.list_models()
    except errors.AnyLLMError as exc:
        logger.debug("model_info: %s models endpoint failed (%s); using the price data only", name, type(exc).__name__)
        return None
    wanted = {model_id, model_id.removeprefix("models/"), f"models/{model_id}"}
    for item in models:
        if item.id in wanted:
            return item
    return None


def _from_prices(model_id: str, provider: str | None) -> dict[str, Any]:
    from any_llm.pricing import LOCAL_PROVIDERS, PRICE_PROVIDERS

    if provider is not None and (provider in LOCAL_PROVIDERS or provider not in PRICE_PROVIDERS):
        return {}
    try:
        from genai_prices import data_snapshot
    except ImportError:
        return {}
    try:
        _, info = data_snapshot.get_snapshot().find_provider_model(
            model_id, None, PRICE_PROVIDERS.get(provider) if provider else None, None
        )
    except LookupError:
        return {}
    except Exception:  # the price data is a report: never let it break the caller
        logger.debug("model_info: price data lookup failed for %s", model_id, exc_info=True)
        return {}
    out: dict[str, Any] = {}
    if info.context_window:
        out["context_window"] = info.context_window
    prices: Any = info.prices
    if isinstance(prices, list):  # conditional prices: the first (current) set
        prices = prices[0].prices if prices else None
    for ours, theirs in (
        ("input_price_per_mtok", "input_mtok"),
        ("output_price_per_mtok", "output_mtok"),
        ("cache_read_price_per_mtok", "cache_read_mtok"),
        ("cache_write_price_per_mtok", "cache_write_mtok"),
    ):
        value = getattr(prices, theirs, None) if prices is not None else None
        base = getattr(value, "base", value)  # tiered prices: the base tier
        if isinstance(base, Decimal):
            out[ours] = base
    return out
