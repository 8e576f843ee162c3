"""LM Studio's local OpenAI-compatible server (``lms server start``) for anyllm.

Differences from OpenAI handled here:

- ``response_format`` ``{"type": "json_object"}`` is refused by LM Studio with HTTP 400
  ("'response_format.type' must be 'json_schema' or 'text'"), so it is sent as a json_schema that
  allows any JSON object: the answer is still grammar-forced JSON.
- in streamed tool calls, chunks after the first carry ``"name": ""`` (and may carry ``"id": ""``)
  instead of leaving them out; they are normalized to OpenAI's "first chunk only" so that
  concatenating fragments works and a consumer that keeps the last non-None name keeps the real one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, StreamEvent
from any_llm.types.completion import ChatCompletionChunk

__all__ = ["LmstudioProvider"]

ANY_JSON_OBJECT: dict[str, Any] = {"name": "json_object", "schema": {"type": "object"}}
"""What ``{"type": "json_object"}`` becomes: a json_schema accepting any JSON object."""


class LmstudioStreamParser(OpenAIStreamParser):
    """Drops the empty ``id``/``name`` strings LM Studio repeats in tool-call chunks."""

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        chunks = super().feed(event)
        for chunk in chunks:
            for choice in chunk.choices:
                for call in choice.delta.tool_calls or ():
                    if call.id == "":
                        call.id = None
                    if call.function is not None and call.function.name == "":
                        call.function.name = None
        return chunks


class LmstudioProvider(OpenAICompatibleProvider):
    """LM Studio's server; a key is needed only when "Require Authentication" is on."""

    name = "lmstudio"
    stream_parser_class = LmstudioStreamParser
    display_name = "LM Studio"
    api_key_env = ("LM_STUDIO_API_KEY",)
    api_base_env = ("LM_STUDIO_API_BASE",)
    default_api_base = "http://localhost:1234/v1"
    requires_api_key = False
    docs_url = "https://lmstudio.ai/docs/developer/openai-compat"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body = super().build_body(params)
        fmt = body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_object":
            body["response_format"] = {"type": "json_schema", "json_schema": dict(ANY_JSON_OBJECT)}
        return body


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(LmstudioProvider)
