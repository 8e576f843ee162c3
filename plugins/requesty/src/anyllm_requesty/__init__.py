"""Requesty (router.requesty.ai/v1) for anyllm: an OpenAI-compatible router; chat, embeddings, models.

Requesty takes its reasoning control as a ``reasoning`` object (``{"effort": "low"|"medium"|"high",
"max_tokens", "exclude", "enabled"}``, https://docs.requesty.ai), not OpenAI's ``reasoning_effort``.
``reasoning_effort`` low/medium/high is sent as ``reasoning: {"effort": ...}`` (as any-llm does);
other levels have no Requesty equivalent and are refused rather than dropped. Pass
``reasoning={...}`` as a keyword for full control; it is sent as given and wins over
``reasoning_effort``. Reasoning comes back as ``reasoning``/``reasoning_content`` or ``<think>``.
"""

from __future__ import annotations

from typing import Any

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["RequestyProvider"]

_EFFORTS = ("low", "medium", "high")


class RequestyProvider(OpenAICompatibleProvider):
    """Requesty's OpenAI-compatible router."""

    name = "requesty"
    display_name = "Requesty"
    api_key_env = ("REQUESTY_API_KEY",)
    api_base_env = ("REQUESTY_API_BASE",)
    default_api_base = "https://router.requesty.ai/v1"
    docs_url = "https://docs.requesty.ai"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort not in _EFFORTS:
            raise errors.UnsupportedParameterError(
                "reasoning_effort",
                self.name,
                f"{effort!r} has no Requesty equivalent; use one of {', '.join(_EFFORTS)}, or pass "
                "reasoning={...} (Requesty's own object) as a keyword",
            )
        return {"reasoning": {"effort": effort}}


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(RequestyProvider)
