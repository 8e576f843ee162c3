"""Hugging Face Inference Providers (router.huggingface.co/v1) for anyllm: one HF token, many backends.

Quirks (https://huggingface.co/docs/inference-providers, any-llm's huggingface provider): a backend is
chosen with a suffix on the model (``"deepseek-ai/DeepSeek-R1:novita"``) or by the router; some backends
answer a tool call's ``arguments`` as ``null`` or as a JSON object instead of a string, which is
normalized (``"{}"`` / serialized); reasoning comes as ``reasoning_content`` or ``<think>`` (lifted by the core).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.provider import CompletionParams, StreamEvent, StreamParser, loads
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

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

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        try:
            return super().parse_completion(body, params)
        except errors.ResponseValidationError:
            data = loads(body, self.name)
            if not _fix_arguments(data, "message"):
                raise
            return super().parse_completion(json.dumps(data).encode(), params)

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return _HuggingfaceStreamParser(self)


class _HuggingfaceStreamParser(OpenAIStreamParser):
    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        try:
            return super().feed(event)
        except errors.ResponseValidationError:
            data = loads(event.data, self.provider.name)
            if not _fix_arguments(data, "delta"):
                raise
            return super().feed(StreamEvent(json.dumps(data).encode(), event.event))


def _fix_arguments(data: Any, key: str) -> bool:
    """Tool-call arguments that are null or an object become a JSON string; True if anything changed."""
    changed = False
    for choice in (data.get("choices") or ()) if isinstance(data, dict) else ():
        message = choice.get(key) if isinstance(choice, dict) else None
        for call in (message or {}).get("tool_calls") or ():
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict) or isinstance(fn.get("arguments"), str):
                continue
            if fn.get("arguments") is None and key == "delta":
                continue  # a delta may omit arguments
            fn["arguments"] = "{}" if fn.get("arguments") is None else json.dumps(fn["arguments"])
            changed = True
    return changed


@hookimpl
def anyllm_register_providers(registry: Any) -> None:
    registry.register(HuggingfaceProvider)
