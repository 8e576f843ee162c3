"""Cerebras (api.cerebras.ai/v1) for anyllm: OpenAI's protocol with Cerebras' reasoning controls.

Quirks (https://inference-docs.cerebras.ai/resources/openai, cerebras-cloud-sdk-python's
completion_create_params, Jan 2026):
- ``max_tokens`` is deprecated in favour of ``max_completion_tokens``, so it is sent under that name;
- ``reasoning_effort`` takes low/medium/high; ``"none"`` becomes ``disable_reasoning: true``; other levels
  are refused;
- reasoning arrives as ``message.reasoning`` (``reasoning_format="parsed"``, the default) or in the content
  with ``"raw"``; the core lifts it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["CerebrasProvider"]

_EFFORTS = ("low", "medium", "high")


class CerebrasProvider(OpenAICompatibleProvider):
    """Cerebras Inference's OpenAI-compatible endpoint."""

    name = "cerebras"
    display_name = "Cerebras"
    api_key_env = ("CEREBRAS_API_KEY",)
    api_base_env = ("CEREBRAS_API_BASE",)
    default_api_base = "https://api.cerebras.ai/v1"
    docs_url = "https://inference-docs.cerebras.ai/resources/openai"
    supports_reasoning = True
    supports_list_models = True
    param_renames: ClassVar[dict[str, str]] = {"max_tokens": "max_completion_tokens"}

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort == "none":
            return {"disable_reasoning": True}
        if effort not in _EFFORTS:
            raise errors.UnsupportedParameterError(
                "reasoning_effort", self.name, f"{effort!r} is not accepted; use none, low, medium or high"
            )
        return {"reasoning_effort": effort}


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(CerebrasProvider)
