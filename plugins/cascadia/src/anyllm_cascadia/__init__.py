"""Cascadia (an on-premises inference coordinator, http://localhost:9090/v1) for anyllm.

A Cascadia coordinator shards open-weight models across a fleet of PCs and serves OpenAI's chat
completions protocol (https://cascadia.to). Coordinators on a trusted LAN may run without a key, so
the key is optional, as for vLLM. Reasoning models answer with ``reasoning_content`` or ``<think>``.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["CascadiaProvider"]


class CascadiaProvider(OpenAICompatibleProvider):
    """A Cascadia coordinator; a key is sent only when one is configured."""

    name = "cascadia"
    display_name = "Cascadia"
    api_key_env = ("CASCADIA_API_KEY",)
    api_base_env = ("CASCADIA_API_BASE",)
    default_api_base = "http://localhost:9090/v1"
    requires_api_key = False
    docs_url = "https://cascadia.to"
    supports_reasoning = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(CascadiaProvider)
