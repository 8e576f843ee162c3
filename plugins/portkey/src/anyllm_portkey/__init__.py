"""Portkey's AI gateway (api.portkey.ai/v1) for anyllm: chat completions and models.

Portkey routes OpenAI-shaped requests to 250+ models (https://portkey.ai/docs). Its REST API
authenticates with the ``x-portkey-api-key`` header (Portkey's "Authentication" reference), which
is what is sent. The upstream is chosen by the model id (``@provider-slug/model`` from Portkey's
Model Catalog) or by Portkey's routing headers (``x-portkey-provider``, ``x-portkey-config``),
passed through ``client_args={"default_headers": {...}}``. Reasoning models answer with
``reasoning_content`` or ``<think>`` in the content; the core lifts both.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["PortkeyProvider"]


class PortkeyProvider(OpenAICompatibleProvider):
    """Portkey's OpenAI-compatible gateway."""

    name = "portkey"
    display_name = "Portkey"
    api_key_env = ("PORTKEY_API_KEY",)
    api_base_env = ("PORTKEY_API_BASE",)
    default_api_base = "https://api.portkey.ai/v1"
    docs_url = "https://portkey.ai/docs"
    supports_reasoning = True
    supports_images = True
    supports_list_models = True

    def auth_headers(self) -> dict[str, str]:
        return {"x-portkey-api-key": self.api_key.get()} if self.api_key else {}


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(PortkeyProvider)
