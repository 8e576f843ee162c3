"""Alibaba Cloud Model Studio / DashScope (compatible-mode/v1) for anyllm: Qwen chat and embeddings.

Quirks (https://www.alibabacloud.com/help/en/model-studio/deep-thinking, compatibility docs):
- hybrid thinking models switch with ``enable_thinking``: ``reasoning_effort="none"`` sends
  ``enable_thinking: false``, any other level ``true`` (DashScope has a token budget, not levels; pass
  ``thinking_budget=`` as a keyword);
- the chain of thought comes as ``reasoning_content``, lifted by the core.

The default base URL is the Beijing region (as any-llm's); keys of the international (Singapore) region
need ``DASHSCOPE_API_BASE=https://dashscope-intl.aliyuncs.com/compatible-mode/v1``.
"""

from __future__ import annotations

from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["DashscopeProvider"]


class DashscopeProvider(OpenAICompatibleProvider):
    """DashScope's OpenAI-compatible mode."""

    name = "dashscope"
    display_name = "Alibaba Cloud DashScope"
    api_key_env = ("DASHSCOPE_API_KEY",)
    api_base_env = ("DASHSCOPE_API_BASE",)
    default_api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"
    docs_url = "https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        return {"enable_thinking": effort != "none"}


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(DashscopeProvider)
