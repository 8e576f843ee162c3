"""GMI Cloud (api.gmi-serving.com/v1) for anyllm: chat completions and models.

GMI's inference engine speaks OpenAI's protocol (https://docs.gmicloud.ai, "LLM API reference"),
with one token limit, ``max_tokens``: ``max_completion_tokens`` is sent under that name (as any-llm
does), and giving both is refused rather than one being dropped.
"""

from __future__ import annotations

from typing import ClassVar

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["GmiProvider"]


class GmiProvider(OpenAICompatibleProvider):
    """GMI Cloud's OpenAI-compatible endpoint."""

    name = "gmi"
    display_name = "GMI Cloud"
    api_key_env = ("GMI_API_KEY",)
    api_base_env = ("GMI_API_BASE",)
    default_api_base = "https://api.gmi-serving.com/v1"
    docs_url = "https://docs.gmicloud.ai/inference-engine/api-reference/llm-api-reference"
    supports_reasoning = True
    supports_list_models = True
    single_token_limit = True
    param_renames: ClassVar[dict[str, str]] = {"max_completion_tokens": "max_tokens"}


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(GmiProvider)
