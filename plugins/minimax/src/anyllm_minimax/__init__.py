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

from typing import Any

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["MinimaxProvider"]

_REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")


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
            "reasoning_effort", self.name, "MiniMax models always think and take no effort setting"
        )

    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = super().convert_messages(messages)
        for i, original in enumerate(messages):
            reasoning = original.get("reasoning")
            if isinstance(reasoning, dict) and reasoning.get("content") and "reasoning_details" not in original:
                content = out[i].get("content") or ""
                out[i] = {**out[i], "content": f"<think>{reasoning['content']}</think>\n\n{content}"}
        return out

    def normalize_response(self, data: dict[str, Any]) -> dict[str, Any]:
        for choice in data.get("choices") or ():
            if isinstance(choice, dict) and isinstance(choice.get("message"), dict):
                _lift_details(choice["message"])
        return data

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        for choice in payload.get("choices") or ():
            if isinstance(choice, dict):
                delta = choice.setdefault("delta", {})  # the closing usage chunk may have none
                if isinstance(delta, dict):
                    _lift_details(delta)
        return payload

    def chunk_needs_normalize(self, data: bytes) -> bool:
        """``reasoning_details`` validates as it is (an extra field), so its chunks must be picked here; a
        choice without ``delta`` does not validate, and the core normalizes that chunk anyway."""
        return b'"reasoning_details"' in data


def _lift_details(message: dict[str, Any]) -> None:
    """With no other reasoning, the text of MiniMax's ``reasoning_details`` list
    (``[{"type": "reasoning.text", "text": ...}]``) becomes ``reasoning_content``, which the core lifts."""
    details = message.get("reasoning_details")
    if not isinstance(details, list) or any(message.get(k) for k in _REASONING_KEYS):
        return
    text = "".join(d["text"] for d in details if isinstance(d, dict) and isinstance(d.get("text"), str))
    if text:
        message["reasoning_content"] = text


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(MinimaxProvider)
