"""Hugging Face Inference Providers (router.huggingface.co/v1) for anyllm: one HF token, many backends.

Quirks (https://huggingface.co/docs/inference-providers, any-llm's huggingface provider): a backend is
chosen with a suffix on the model (``"deepseek-ai/DeepSeek-R1:novita"``) or by the router; some backends
answer a tool call's ``arguments`` as ``null`` or as a JSON object instead of a string, which is
normalized (``"{}"`` / serialized); reasoning comes as ``reasoning_content`` or ``<think>`` (lifted by the core).
"""

from __future__ import annotations

import json
from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["HuggingfaceProvider"]


class HuggingfaceProvider(OpenAICompatibleProvider):
    """The Hugging Face router's OpenAI-compatible chat completions."""

    name = "huggingface"
    display_name = "Hugging Face"
    api_key_env = ("HF_TOKEN",)
    api_base_env = ("HUGGINGFACE_API_BASE",)
    default_api_base = "https://router.huggingface.co/v1"
    docs_url = "https://huggingface.co/docs/inference-providers/index"
    supports_reasoning = True
    supports_images = True
    supports_list_models = True

    def normalize_response(self, data: dict[str, Any]) -> dict[str, Any]:
        _fix_arguments(data, "message")
        return data

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        _fix_arguments(payload, "delta")
        return payload

    def chunk_needs_normalize(self, data: bytes) -> bool:
        """Only tool-call ``arguments`` are rewritten; chunks without any keep the fast path. Exactness
        does not hang on this test: object arguments do not validate as they are, and the core then
        normalizes the chunk (null arguments in a delta are left as they are)."""
        return b'"arguments"' in data


def _fix_arguments(data: dict[str, Any], key: str) -> None:
    """Tool-call arguments that are null or an object become a JSON string (a delta may omit them)."""
    for choice in data.get("choices") or ():
        message = choice.get(key) if isinstance(choice, dict) else None
        for call in (message or {}).get("tool_calls") or ():
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict) or isinstance(fn.get("arguments"), str):
                continue
            if fn.get("arguments") is None and key == "delta":
                continue
            fn["arguments"] = "{}" if fn.get("arguments") is None else json.dumps(fn["arguments"])


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(HuggingfaceProvider)
