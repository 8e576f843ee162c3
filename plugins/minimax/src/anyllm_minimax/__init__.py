"""MiniMax (api.minimax.io/v1) for anyllm: MiniMax-M models over OpenAI's protocol.

Quirks (https://platform.minimax.io/docs/api-reference/text-openai-api, any-llm's minimax provider):
- M-series models always think and put ``<think>…</think>`` at the start of the content (lifted by the
  core); with ``reasoning_split=True`` (a keyword) the thinking comes as ``reasoning_details`` instead,
  which is lifted here;
- MiniMax asks for the thinking to be sent back unchanged in later turns: assistant messages carrying
  ``reasoning`` are sent with it re-wrapped as ``<think>…</think>`` in the content (unless they carry
  ``reasoning_details``, which is sent as is);
- there is no effort setting, so ``reasoning_effort`` is refused; ``response_format`` is not supported;
- a stream may end with a usage chunk whose choice has no ``delta``; it is read as an empty delta.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.provider import CompletionParams, StreamEvent, StreamParser, loads
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk, Reasoning

__all__ = ["MinimaxProvider"]


class MinimaxProvider(OpenAICompatibleProvider):
    """MiniMax's OpenAI-compatible endpoint (international platform)."""

    name = "minimax"
    display_name = "MiniMax"
    api_key_env = ("MINIMAX_API_KEY",)
    api_base_env = ("MINIMAX_API_BASE",)
    default_api_base = "https://api.minimax.io/v1"
    docs_url = "https://platform.minimax.io/docs/api-reference/text-openai-api"
    supports_structured_output = False
    supports_reasoning = True

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        raise errors.UnsupportedParameterError(
            "reasoning_effort", self.name, "MiniMax models always think and take no effort setting")

    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = super().convert_messages(messages)
        for i, original in enumerate(messages):
            reasoning = original.get("reasoning")
            if isinstance(reasoning, dict) and reasoning.get("content") and "reasoning_details" not in original:
                content = out[i].get("content") or ""
                out[i] = {**out[i], "content": f"<think>{reasoning['content']}</think>\n\n{content}"}
        return out

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        completion = super().parse_completion(body, params)
        for choice in completion.choices:
            if choice.message.reasoning is None:
                text = _details_text((choice.message.model_extra or {}).get("reasoning_details"))
                if text:
                    choice.message.reasoning = Reasoning(content=text)
        return completion

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return _MinimaxStreamParser(self)


class _MinimaxStreamParser(OpenAIStreamParser):
    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        try:
            chunks = super().feed(event)
        except errors.ResponseValidationError:
            data = loads(event.data, self.provider.name)
            choices = data.get("choices") if isinstance(data, dict) else None
            if not isinstance(choices, list) or all("delta" in c for c in choices if isinstance(c, dict)):
                raise
            for choice in choices:
                if isinstance(choice, dict):
                    choice.setdefault("delta", {})
            chunks = super().feed(StreamEvent(json.dumps(data).encode(), event.event))
        for chunk in chunks:
            for choice in chunk.choices:
                delta = choice.delta
                if delta.reasoning is None:
                    text = _details_text((delta.model_extra or {}).get("reasoning_details"))
                    if text:
                        delta.reasoning = Reasoning(content=text)
        return chunks


def _details_text(details: Any) -> str:
    """The text of MiniMax's ``reasoning_details`` list (``[{"type": "reasoning.text", "text": ...}]``)."""
    if not isinstance(details, list):
        return ""
    return "".join(d["text"] for d in details if isinstance(d, dict) and isinstance(d.get("text"), str))


@hookimpl
def anyllm_register_providers(registry: Any) -> None:
    registry.register(MinimaxProvider)
