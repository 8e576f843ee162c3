"""Z.ai / GLM (api.z.ai/api/paas/v4) for anyllm: OpenAI's protocol with Z.ai's differences.

Quirks (https://docs.z.ai/api-reference/llm/chat-completion, any-llm's zai provider):
- thinking is ``thinking: {"type": "enabled" | "disabled"}``: ``reasoning_effort="none"`` disables it,
  other levels enable it and are sent as ``reasoning_effort`` (GLM-5.2 and later read it);
- the chain of thought comes as ``reasoning_content``, lifted by the core;
- ``response_format`` is ``text`` or ``json_object`` only, so a JSON schema is refused; only ``max_tokens``;
- ``finish_reason`` may be ``sensitive`` (becomes ``content_filter``), ``model_context_window_exceeded``
  (becomes ``length``) or ``network_error`` (raised as APIConnectionError); tool-call ``arguments`` may
  come as a JSON object rather than a string (serialized back to a string).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.provider import CompletionParams, StreamEvent, StreamParser, loads
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

__all__ = ["ZaiProvider"]

FINISH_REASONS = {"sensitive": "content_filter", "model_context_window_exceeded": "length"}


class ZaiProvider(OpenAICompatibleProvider):
    """Z.ai's OpenAI-compatible endpoint (international platform)."""

    name = "zai"
    display_name = "Z.ai"
    api_key_env = ("ZAI_API_KEY",)
    api_base_env = ("ZAI_BASE_URL",)
    default_api_base = "https://api.z.ai/api/paas/v4"
    docs_url = "https://docs.z.ai/api-reference/llm/chat-completion"
    supports_reasoning = True
    supports_list_models = True
    param_renames: ClassVar[dict[str, str]] = {"max_completion_tokens": "max_tokens"}

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        if params.response_format and params.response_format.get("type") == "json_schema":
            raise errors.UnsupportedParameterError(
                "response_format", self.name, "Z.ai has JSON mode only; use {'type': 'json_object'}")

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort == "none":
            return {"thinking": {"type": "disabled"}}
        return {"thinking": {"type": "enabled"}, "reasoning_effort": effort}

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        try:
            return super().parse_completion(body, params)
        except errors.ResponseValidationError:
            data = loads(body, self.name)
            if not _normalize(data, self.name):
                raise
            return super().parse_completion(json.dumps(data).encode(), params)

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return _ZaiStreamParser(self)


class _ZaiStreamParser(OpenAIStreamParser):
    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        try:
            return super().feed(event)
        except errors.ResponseValidationError:
            data = loads(event.data, self.provider.name)
            if not _normalize(data, self.provider.name):
                raise
            return super().feed(StreamEvent(json.dumps(data).encode(), event.event))


def _normalize(data: Any, provider: str) -> bool:
    """Rewrite Z.ai's own finish reasons and object-valued tool arguments; True if anything changed."""
    changed = False
    for choice in (data.get("choices") or ()) if isinstance(data, dict) else ():
        reason = choice.get("finish_reason")
        if reason == "network_error":
            raise errors.APIConnectionError(f"{provider} reported a network error during generation",
                                            provider=provider)
        if reason in FINISH_REASONS:
            choice["finish_reason"] = FINISH_REASONS[reason]
            changed = True
        message = choice.get("message") or choice.get("delta") or {}
        for call in message.get("tool_calls") or ():
            fn = call.get("function") if isinstance(call, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("arguments"), dict):
                fn["arguments"] = json.dumps(fn["arguments"])
                changed = True
    return changed


@hookimpl
def anyllm_register_providers(registry: Any) -> None:
    registry.register(ZaiProvider)
