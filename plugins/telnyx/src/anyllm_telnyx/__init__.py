"""Telnyx Inference (api.telnyx.com/v2/ai) for anyllm: chat completions and models.

Telnyx hosts open-weight models behind OpenAI's chat completions protocol
(https://developers.telnyx.com/docs/inference/getting-started). Reasoning models stream their
thinking as ``reasoning_content`` before the answer; the core lifts it into ``reasoning``.
The default base is any-llm's (``/v2/ai``); Telnyx's quickstart also documents ``/v2/ai/openai``
for the OpenAI SDKs, which ``TELNYX_API_BASE`` can select.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["TelnyxProvider"]


class TelnyxProvider(OpenAICompatibleProvider):
    """Telnyx's OpenAI-compatible inference endpoint."""

    name = "telnyx"
    display_name = "Telnyx"
    api_key_env = ("TELNYX_API_KEY",)
    api_base_env = ("TELNYX_API_BASE",)
    default_api_base = "https://api.telnyx.com/v2/ai"
    docs_url = "https://developers.telnyx.com/docs/inference/getting-started"
    supports_reasoning = True
    supports_images = True
    supports_list_models = True


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(TelnyxProvider)
