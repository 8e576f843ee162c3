"""Moonshot AI / Kimi (api.moonshot.ai/v1) for anyllm: OpenAI's protocol plus Kimi's thinking mode.

Quirks (https://platform.moonshot.ai/docs/guide/use-kimi-k2-thinking-model):
- thinking models (kimi-k2-thinking, kimi-k2.5 and later) send their chain of thought as
  ``reasoning_content`` (lifted by the core), and it must be sent back on assistant turns that made tool
  calls (Kimi answers 400 otherwise), so it is, as ``reasoning_content``;
- thinking is a switch, ``thinking: {"type": "enabled" | "disabled"}``: ``reasoning_effort="none"``
  disables it and any other level enables it (Kimi has no effort levels).
"""

from __future__ import annotations

from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["MoonshotProvider"]


class MoonshotProvider(OpenAICompatibleProvider):
    """Moonshot AI's OpenAI-compatible endpoint (international platform)."""

    name = "moonshot"
    display_name = "Moonshot AI"
    api_key_env = ("MOONSHOT_API_KEY",)
    api_base_env = ("MOONSHOT_API_BASE",)
    default_api_base = "https://api.moonshot.ai/v1"
    docs_url = "https://platform.moonshot.ai/docs"
    supports_reasoning = True
    supports_images = True
    supports_list_models = True

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        return {"thinking": {"type": "disabled" if effort == "none" else "enabled"}}

    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = super().convert_messages(messages)
        for sent, original in zip(out, messages):
            reasoning = original.get("reasoning")
            if sent.get("tool_calls") and isinstance(reasoning, dict) and reasoning.get("content"):
                sent["reasoning_content"] = reasoning["content"]
        return out


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(MoonshotProvider)
