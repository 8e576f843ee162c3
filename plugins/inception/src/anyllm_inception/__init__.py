"""Inception (api.inceptionlabs.ai/v1) for anyllm: Mercury diffusion models over OpenAI's protocol.

Quirks (https://docs.inceptionlabs.ai, Mercury 2): ``reasoning_effort`` takes Inception's ``instant`` and
low/medium/high; ``"minimal"`` is sent as ``instant`` (its lowest setting), ``"none"`` and ``"xhigh"``
are refused.
"""

from __future__ import annotations

from typing import Any

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["InceptionProvider"]

_EFFORTS = {"minimal": "instant", "low": "low", "medium": "medium", "high": "high"}


class InceptionProvider(OpenAICompatibleProvider):
    """Inception's OpenAI-compatible endpoint."""

    name = "inception"
    display_name = "Inception"
    api_key_env = ("INCEPTION_API_KEY",)
    api_base_env = ("INCEPTION_API_BASE",)
    default_api_base = "https://api.inceptionlabs.ai/v1"
    docs_url = "https://docs.inceptionlabs.ai/"
    supports_reasoning = True
    supports_list_models = True

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort not in _EFFORTS:
            raise errors.UnsupportedParameterError(
                "reasoning_effort", self.name, f"{effort!r} is not accepted; use minimal, low, medium or high"
            )
        return {"reasoning_effort": _EFFORTS[effort]}


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(InceptionProvider)
