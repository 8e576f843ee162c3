"""OVHcloud AI Endpoints (oai.endpoints.kepler.ai.cloud.ovh.net/v1) for anyllm: chat and models.

The LLM APIs follow OpenAI's specification (OVHcloud's "AI Endpoints - Getting started" guide).
Without a key the service still answers, on a rate-limited free tier, so the key is optional: set
``OVHCLOUD_API_KEY`` for the higher limits.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["OvhcloudProvider"]


class OvhcloudProvider(OpenAICompatibleProvider):
    """OVHcloud AI Endpoints' OpenAI-compatible endpoint (keyless on the free tier)."""

    name = "ovhcloud"
    display_name = "OVHcloud AI Endpoints"
    api_key_env = ("OVHCLOUD_API_KEY",)
    api_base_env = ("OVHCLOUD_API_BASE",)
    default_api_base = "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1"
    requires_api_key = False
    docs_url = "https://docs.ovhcloud.com/en/guides/public-cloud/ai-machine-learning/ai-endpoints-getting-started"
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(OvhcloudProvider)
