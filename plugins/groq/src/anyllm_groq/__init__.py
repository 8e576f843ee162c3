"""Groq (api.groq.com/openai/v1) for anyllm: OpenAI's protocol plus Groq's documented limits.

Quirks (https://console.groq.com/docs/openai, /docs/reasoning, groq-python's completion_create_params):
- ``logprobs``, ``top_logprobs``, ``logit_bias`` and ``n`` other than 1 answer 400, so they are refused;
- ``messages[].name`` answers 400, so it is left out of the messages sent;
- ``max_tokens`` is deprecated in favour of ``max_completion_tokens``, so it is sent under that name;
- ``reasoning_effort`` takes none/low/medium/high (model dependent), other levels are refused;
- reasoning comes as ``message.reasoning`` (``reasoning_format="parsed"``) or ``<think>`` in the content
  (``"raw"``); the core lifts both;
- older streams carry usage only in ``x_groq.usage`` of the last chunk; it is moved to ``usage``;
- Whisper transcription (``/audio/transcriptions``, https://console.groq.com/docs/speech-to-text) and batches
  (``/files`` with purpose ``batch``, then ``/batches``, https://console.groq.com/docs/batch) follow OpenAI's
  protocol; a batch's ``completion_window`` may be 24h to 7d.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.plugins import ProviderRegistry
from any_llm.provider import StreamEvent
from any_llm.types.completion import ChatCompletionChunk, CompletionUsage

__all__ = ["GroqProvider"]

_EFFORTS = ("none", "low", "medium", "high")


class _GroqStreamParser(OpenAIStreamParser):
    """Moves ``x_groq.usage`` to ``usage`` when the chunk has no usage of its own."""

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        chunks = super().feed(event)
        for chunk in chunks:
            x_groq = (chunk.model_extra or {}).get("x_groq")
            if chunk.usage is None and isinstance(x_groq, dict) and isinstance(x_groq.get("usage"), dict):
                chunk.usage = CompletionUsage.model_validate(x_groq["usage"])
        return chunks


class GroqProvider(OpenAICompatibleProvider):
    """Groq's OpenAI-compatible endpoint."""

    name = "groq"
    max_choices = 1
    stream_parser_class = _GroqStreamParser
    display_name = "Groq"
    api_key_env = ("GROQ_API_KEY",)
    api_base_env = ("GROQ_BASE_URL",)
    default_api_base = "https://api.groq.com/openai/v1"
    docs_url = "https://console.groq.com/docs/openai"
    supports_reasoning = True
    supports_images = True
    supports_list_models = True
    supports_transcription = True
    supports_batch = True
    batch_endpoints: ClassVar[frozenset[str]] = frozenset({"/v1/chat/completions", "/v1/audio/transcriptions"})
    supports_responses_native = True
    """Groq serves ``POST /openai/v1/responses`` (https://console.groq.com/docs/responses-api, beta)."""
    responses_keeps_state = False
    """"The Responses API on Groq doesn't support stateful conversations yet" (same page)."""
    unsupported_params = frozenset({"logprobs", "top_logprobs", "logit_bias"})
    param_renames: ClassVar[dict[str, str]] = {"max_tokens": "max_completion_tokens"}

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort not in _EFFORTS:
            raise errors.UnsupportedParameterError(
                "reasoning_effort", self.name, f"{effort!r} is not accepted; use one of {', '.join(_EFFORTS)}"
            )
        return {"reasoning_effort": effort}

    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = super().convert_messages(messages)
        return [{k: v for k, v in m.items() if k != "name"} if "name" in m else m for m in out]


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(GroqProvider)
