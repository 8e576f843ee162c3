"""xAI (api.x.ai/v1) for anyllm: Grok chat completions and models over OpenAI's protocol.

Quirks (https://docs.x.ai/docs/guides/reasoning): reasoning models that expose their thinking
(grok-3-mini) send it as ``reasoning_content``, which the core lifts. Which parameters a Grok model takes
(``reasoning_effort``, ``stop``, penalties) depends on the model, so nothing is refused up front and xAI's
400 surfaces as InvalidRequestError.

Images (https://docs.x.ai/docs/guides/image-generations): ``POST /v1/images/generations`` with ``n`` and
``response_format`` (url or b64_json); xAI takes no ``size``, ``quality`` or ``style``, so those are refused.
"""

from __future__ import annotations

from typing import ClassVar

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["XaiProvider"]


class XaiProvider(OpenAICompatibleProvider):
    """xAI's OpenAI-compatible endpoint."""

    name = "xai"
    display_name = "xAI"
    api_key_env = ("XAI_API_KEY",)
    api_base_env = ("XAI_API_BASE",)
    default_api_base = "https://api.x.ai/v1"
    docs_url = "https://docs.x.ai/docs/api-reference"
    supports_reasoning = True
    supports_images = True
    supports_list_models = True
    supports_image_generation = True
    image_unsupported_params: ClassVar[frozenset[str]] = frozenset({"size", "quality", "style"})
    supports_responses_native = True
    """xAI serves ``POST /v1/responses`` (https://docs.x.ai/docs/guides/chat: "the preferred way")."""


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(XaiProvider)
