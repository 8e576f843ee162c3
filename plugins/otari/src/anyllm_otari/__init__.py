"""otari (mozilla.ai's LLM gateway, hosted at api.otari.ai or self-hosted) for anyllm.

The gateway serves OpenAI's ``/v1/chat/completions``, ``/v1/embeddings`` and ``/v1/models``
(mozilla-ai/otari, ``src/gateway/api/routes``) and reads its token from ``Authorization: Bearer``
or ``Otari-Key``. Declarations follow any-llm's otari provider:
- the key is the otari.ai platform token (``OTARI_API_KEY``, then the SDK's aliases
  ``OTARI_AI_TOKEN``, ``OTARI_PLATFORM_TOKEN``, ``GATEWAY_PLATFORM_TOKEN``) or a self-hosted gateway
  key (``GATEWAY_API_KEY``); a self-hosted gateway may run keyless, so no key is required;
- the base URL is ``OTARI_API_BASE`` or ``GATEWAY_API_BASE``; the otari SDKs take the bare gateway
  URL (``http://localhost:8000``), so a base without a path gets ``/v1``;
- the gateway accepts ``max_tokens`` only, so ``max_completion_tokens`` is sent under that name.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["OtariProvider"]


class OtariProvider(OpenAICompatibleProvider):
    """An otari gateway, hosted (otari.ai) or self-hosted."""

    name = "otari"
    display_name = "otari"
    api_key_env = (
        "OTARI_API_KEY",
        "OTARI_AI_TOKEN",
        "OTARI_PLATFORM_TOKEN",
        "GATEWAY_PLATFORM_TOKEN",
        "GATEWAY_API_KEY",
    )
    api_base_env = ("OTARI_API_BASE", "GATEWAY_API_BASE")
    default_api_base = "https://api.otari.ai/v1"
    requires_api_key = False
    docs_url = "https://mozilla-ai.github.io/otari/"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True
    single_token_limit = True
    param_renames: ClassVar[dict[str, str]] = {"max_completion_tokens": "max_tokens"}

    @classmethod
    def normalize_api_base(cls, base: str) -> str:
        """``http://host:8000`` (how the otari SDKs and docs name a gateway) → ``http://host:8000/v1``."""
        if urlsplit(base).path.strip("/") == "":
            return base.rstrip("/") + "/v1"
        return base


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(OtariProvider)
