"""SambaNova Cloud (api.sambanova.ai/v1) for anyllm: chat, embeddings and models.

Quirks (https://docs.sambanova.ai/docs/en/features/openai-compatibility):
- ``presence_penalty``, ``frequency_penalty`` and ``logit_bias`` are accepted but ignored, so they are
  refused rather than silently dropped;
- ``n`` above 1 together with tools answers 400, so that combination is refused;
- reasoning models answer with ``reasoning_content`` or ``<think>`` in the content; the core lifts both.
"""

from __future__ import annotations

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams

__all__ = ["SambanovaProvider"]


class SambanovaProvider(OpenAICompatibleProvider):
    """SambaNova Cloud's OpenAI-compatible endpoint."""

    name = "sambanova"
    display_name = "SambaNova"
    api_key_env = ("SAMBANOVA_API_KEY",)
    api_base_env = ("SAMBANOVA_API_BASE",)
    default_api_base = "https://api.sambanova.ai/v1"
    docs_url = "https://docs.sambanova.ai/docs/en/features/openai-compatibility"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True
    unsupported_params = frozenset({"presence_penalty", "frequency_penalty", "logit_bias"})

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        if params.tools and params.n not in (None, 1):
            raise errors.UnsupportedParameterError("n", self.name, "SambaNova takes n > 1 only without tools")


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(SambanovaProvider)
