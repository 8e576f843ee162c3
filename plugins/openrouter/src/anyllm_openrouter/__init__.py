"""OpenRouter (openrouter.ai/api/v1) for anyllm: one key for many models, over OpenAI's protocol.

Quirks (https://openrouter.ai/docs/api-reference/overview, /docs/use-cases/reasoning-tokens,
/docs/features/app-attribution):
- ``reasoning_effort`` is sent as OpenRouter's unified ``reasoning: {"effort": ...}`` (pass ``reasoning=``
  as a keyword for ``max_tokens``/``exclude``); the thinking comes back as ``reasoning`` (a string, lifted by
  the core) next to ``reasoning_details``, which is kept so it can be sent back;
- optional app attribution headers: ``HTTP-Referer`` and ``X-OpenRouter-Title`` (plus the older ``X-Title``),
  from ``OPENROUTER_SITE_URL`` / ``OPENROUTER_APP_NAME`` or per call from the ``http_referer=`` /
  ``x_title=`` keywords (which win); nothing is sent when neither is set;
- streams carry ``: OPENROUTER PROCESSING`` comments (skipped by the SSE decoder) and report a failure
  after the first byte as a chunk with ``error`` (raised as the matching error);
- model list entries have no ``object``/``owned_by`` (filled with defaults).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest

__all__ = ["OpenrouterProvider"]

SITE_URL_ENV = "OPENROUTER_SITE_URL"
APP_NAME_ENV = "OPENROUTER_APP_NAME"


def _attribution(referer: str | None, title: str | None) -> dict[str, str]:
    headers = {"HTTP-Referer": referer} if referer else {}
    if title:
        headers.update({"X-OpenRouter-Title": title, "X-Title": title})
    return headers


class OpenrouterProvider(OpenAICompatibleProvider):
    """OpenRouter's OpenAI-compatible endpoint."""

    name = "openrouter"
    display_name = "OpenRouter"
    api_key_env = ("OPENROUTER_API_KEY",)
    api_base_env = ("OPENROUTER_API_BASE",)
    default_api_base = "https://openrouter.ai/api/v1"
    docs_url = "https://openrouter.ai/docs/api-reference/overview"
    supports_reasoning = True
    supports_images = True
    supports_audio = True
    supports_documents = True
    supports_embedding = True
    supports_list_models = True
    supports_responses_native = True
    """OpenRouter serves ``POST /api/v1/responses``, beta
    (https://openrouter.ai/docs/api/reference/responses/overview)."""
    responses_keeps_state = False
    """The same page: "This API is stateless"."""

    def __init__(self, api_key: str | None = None, api_base: str | None = None) -> None:
        super().__init__(api_key, api_base)
        self.attribution = _attribution(os.environ.get(SITE_URL_ENV), os.environ.get(APP_NAME_ENV))

    def auth_headers(self) -> dict[str, str]:
        """The key, plus the attribution headers configured through the environment (every request)."""
        return {**super().auth_headers(), **self.attribution}

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        return {"reasoning": {"effort": effort}}

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        extra = dict(params.extra)
        per_call = _attribution(extra.pop("http_referer", None), extra.pop("x_title", None))
        request = super().build_completion_request(dataclasses.replace(params, extra=extra))
        request.headers.update(per_call)
        return request


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(OpenrouterProvider)
