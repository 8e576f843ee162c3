"""Z.ai / GLM (api.z.ai/api/paas/v4) for anyllm: OpenAI's protocol with Z.ai's differences.

Quirks (https://docs.z.ai/api-reference/llm/chat-completion, any-llm's zai provider):
- thinking is ``thinking: {"type": "enabled" | "disabled"}``: ``reasoning_effort="none"`` disables it,
  other levels enable it and are sent as ``reasoning_effort`` (GLM-5.2 and later read it);
- the chain of thought comes as ``reasoning_content``, lifted by the core;
- ``response_format`` is ``text`` or ``json_object`` only: JSON mode is sent, a JSON schema (structured
  output into a model) is refused, so ``structured_output`` is declared unsupported; only ``max_tokens``;
- ``finish_reason`` may be ``sensitive`` (becomes ``content_filter``), ``model_context_window_exceeded``
  (becomes ``length``) or ``network_error`` (raised as APIConnectionError); tool-call ``arguments`` may
  come as a JSON object rather than a string (serialized back to a string).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams

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
    supports_structured_output = False
    supports_reasoning = True
    supports_list_models = True
    param_renames: ClassVar[dict[str, str]] = {"max_completion_tokens": "max_tokens"}

    def check_params(self, params: CompletionParams) -> None:
        if params.response_format and params.response_format.get("type") == "json_schema":
            raise errors.UnsupportedParameterError(
                "response_format", self.name, "Z.ai has JSON mode only; use {'type': 'json_object'}"
            )
        super().check_params(dataclasses.replace(params, response_format=None))  # JSON mode is native

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort == "none":
            return {"thinking": {"type": "disabled"}}
        return {"thinking": {"type": "enabled"}, "reasoning_effort": effort}

    def normalize_response(self, data: dict[str, Any]) -> dict[str, Any]:
        """Z.ai's own finish reasons and object-valued tool arguments, in a completion or a chunk alike."""
        for choice in data.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            reason = choice.get("finish_reason")
            if reason == "network_error":
                raise errors.APIConnectionError(
                    f"{self.name} reported a network error during generation", provider=self.name
                )
            if reason in FINISH_REASONS:
                choice["finish_reason"] = FINISH_REASONS[reason]
            message = choice.get("message") or choice.get("delta") or {}
            for call in message.get("tool_calls") or ():
                fn = call.get("function") if isinstance(call, dict) else None
                if isinstance(fn, dict) and isinstance(fn.get("arguments"), dict):
                    fn["arguments"] = json.dumps(fn["arguments"])
        return data

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.normalize_response(payload)

    def chunk_needs_normalize(self, data: bytes) -> bool:
        """Tool calls (object arguments) and a finish reason (Z.ai's own values) are rewritten; plain text
        chunks, whose ``finish_reason`` is null, keep the fast path. Exactness does not hang on this test
        (a spacing it misses, say): a chunk with one of Z.ai's values does not validate as it is, and the
        core then normalizes it."""
        return b'"tool_calls"' in data or b'"finish_reason":"' in data


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(ZaiProvider)
