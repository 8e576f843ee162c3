"""Perplexity Sonar (api.perplexity.ai) for anyllm: search-grounded chat over OpenAI's protocol.

Quirks (https://docs.perplexity.ai/guides/chat-completions-guide, API reference, FAQ):
- no function calling: ``tools`` is refused (capability), and so are ``tool_choice`` and
  ``parallel_tool_calls``; ``logprobs``, ``top_logprobs``, ``logit_bias``, ``seed`` and ``n`` > 1 are not part
  of Perplexity's API and are refused;
- the path has no ``/v1`` (``https://api.perplexity.ai/chat/completions``) and only ``max_tokens`` exists;
- ``sonar-reasoning*`` models put ``<think>…</think>`` before the answer, also before a JSON answer under
  ``response_format``; the core lifts it, so structured output parses;
- citations and ``search_results`` come as extra fields on the completion and are kept.
"""

from __future__ import annotations

from typing import ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams

__all__ = ["PerplexityProvider"]


class PerplexityProvider(OpenAICompatibleProvider):
    """Perplexity's Sonar chat completions endpoint."""

    name = "perplexity"
    display_name = "Perplexity"
    api_key_env = ("PERPLEXITY_API_KEY",)
    api_base_env = ("PERPLEXITY_BASE_URL",)
    default_api_base = "https://api.perplexity.ai"
    docs_url = "https://docs.perplexity.ai/api-reference/chat-completions-post"
    supports_tools = False
    supports_reasoning = True
    supports_images = True
    unsupported_params = frozenset(
        {
            "tool_choice",
            "parallel_tool_calls",
            "logprobs",
            "top_logprobs",
            "logit_bias",
            "seed",
        }
    )
    param_renames: ClassVar[dict[str, str]] = {"max_completion_tokens": "max_tokens"}

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        if params.n not in (None, 1):
            raise errors.UnsupportedParameterError("n", self.name, "Perplexity returns one choice")


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(PerplexityProvider)
