"""OpenAI-shaped model-list types, plus the limits and capabilities providers report.

The optional fields (``context_window``, ``max_output_tokens``, modalities, ``supports_tools``, prices) are
read from whatever field names the provider's models endpoint uses, by one table here
(:data:`CONTEXT_FIELDS` and friends), so no plugin repeats the rule; the vendor fields stay on the model
too. A field the endpoint does not report is None.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["CONTEXT_FIELDS", "OUTPUT_FIELDS", "Model"]

CONTEXT_FIELDS = (
    "context_window",
    "context_length",  # OpenRouter, LM Studio
    "max_context_length",  # Mistral
    "max_model_len",  # vLLM
    "max_input_tokens",  # Anthropic
    "inputTokenLimit",  # Gemini
    "top_provider.context_length",  # OpenRouter, per provider
    "meta.n_ctx_train",  # llama.cpp's llama-server: the context the model was trained with
)
"""Where a models endpoint puts the context window (dotted: nested), first found wins."""

OUTPUT_FIELDS = (
    "max_output_tokens",
    "outputTokenLimit",  # Gemini
    "max_tokens",  # Anthropic
    "max_completion_tokens",
    "top_provider.max_completion_tokens",  # OpenRouter
)
"""Where a models endpoint puts the largest output, first found wins."""


class Model(BaseModel):
    # defer_build: the schema is built at first validation, not at import, so a chat call never
    # pays for the types it does not use (chunks, embeddings, models); see bench/results/coldstart-notes.md.
    model_config = ConfigDict(extra="allow", protected_namespaces=(), defer_build=True)

    id: str
    created: int = 0
    object: Literal["model"] = "model"
    owned_by: str = ""
    context_window: int | None = None
    """Input tokens the model accepts (its context length), when the endpoint says."""
    max_output_tokens: int | None = None
    input_modalities: list[str] | None = None
    """``["text", "image", ...]`` when the endpoint says."""
    output_modalities: list[str] | None = None
    supports_tools: bool | None = None
    supports_reasoning: bool | None = None
    input_price_per_mtok: Decimal | None = None
    """USD per million input tokens, when the endpoint publishes prices (OpenRouter)."""
    output_price_per_mtok: Decimal | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_vendor_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        if out.get("context_window") is None:
            out["context_window"] = _first_int(data, CONTEXT_FIELDS)
        if out.get("max_output_tokens") is None:
            out["max_output_tokens"] = _first_int(data, OUTPUT_FIELDS)
        arch = data.get("architecture")
        if isinstance(arch, dict):  # OpenRouter
            out.setdefault("input_modalities", _strings(arch.get("input_modalities")))
            out.setdefault("output_modalities", _strings(arch.get("output_modalities")))
        caps = data.get("capabilities")
        if isinstance(caps, dict):  # Mistral: {"completion_chat", "function_calling", "vision", "reasoning"...}
            if isinstance(caps.get("function_calling"), bool):
                out.setdefault("supports_tools", caps["function_calling"])
            if isinstance(caps.get("vision"), bool) and out.get("input_modalities") is None:
                out["input_modalities"] = ["text", "image"] if caps["vision"] else ["text"]
            if isinstance(caps.get("reasoning"), bool):
                out.setdefault("supports_reasoning", caps["reasoning"])
        params = data.get("supported_parameters")
        if isinstance(params, list):  # OpenRouter
            out.setdefault("supports_tools", "tools" in params)
            out.setdefault("supports_reasoning", "reasoning" in params)
        if isinstance(data.get("thinking"), bool):  # Gemini
            out.setdefault("supports_reasoning", data["thinking"])
        pricing = data.get("pricing")
        if isinstance(pricing, dict) and "prompt" in pricing:  # OpenRouter: USD per token, as strings
            out.setdefault("input_price_per_mtok", _per_million(pricing.get("prompt")))
            out.setdefault("output_price_per_mtok", _per_million(pricing.get("completion")))
        elif isinstance(pricing, dict):  # Together: USD per million tokens, as numbers (0 when not priced)
            out.setdefault("input_price_per_mtok", _as_price(pricing.get("input")))
            out.setdefault("output_price_per_mtok", _as_price(pricing.get("output")))
        return out


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _first_int(data: dict[str, Any], names: tuple[str, ...]) -> int | None:
    for name in names:
        value = _lookup(data, name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _strings(value: Any) -> list[str] | None:
    return [str(v) for v in value] if isinstance(value, list) else None


def _as_price(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        return None
    return price if price > 0 else None


def _per_million(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        price = Decimal(str(value)) * 1_000_000
    except InvalidOperation:
        return None
    return price if price >= 0 else None
