"""Azure AI Foundry Models for anyllm: the Azure AI Model Inference API (any-llm's ``azure`` provider).

Wire facts (https://learn.microsoft.com/en-us/rest/api/aifoundry/model-inference/, API version
``2024-05-01-preview``, the one azure-ai-inference speaks):

- ``POST {endpoint}/chat/completions?api-version=...`` and ``/embeddings``, OpenAI-shaped bodies and
  answers with ``model`` naming the deployment; the endpoint is the resource's
  ``https://RESOURCE.services.ai.azure.com/models`` or a serverless
  ``https://NAME.REGION.models.ai.azure.com``;
- parameters beyond the API's own are refused (422) unless the ``extra-parameters: pass-through``
  header hands them to the model: it is sent whenever a request carries any, so nothing the caller
  set is dropped or refused by surprise;
- the key travels as ``Authorization: Bearer`` and ``api-key`` (as azure-ai-inference sends it, so both
  endpoint kinds accept it); without a key, Microsoft Entra ID exactly as for ``azureopenai``
  (:mod:`anyllm_azureopenai.entra`).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from anyllm_azureopenai.entra import ENTRA_OPTIONS, EntraSettings

from any_llm import hookimpl
from any_llm.auth import TokenAuth
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest

__all__ = ["DEFAULT_API_VERSION", "AzureProvider"]

DEFAULT_API_VERSION = "2024-05-01-preview"
_OWN_FIELDS = frozenset(
    {
        "model",
        "messages",
        "frequency_penalty",
        "presence_penalty",
        "temperature",
        "top_p",
        "max_tokens",
        "response_format",
        "stop",
        "stream",
        "tools",
        "tool_choice",
        "seed",
    }
)
"""``ChatCompletionsOptions`` as the API documents it; anything else needs ``extra-parameters``."""


class AzureProvider(OpenAICompatibleProvider):
    """Models deployed in Azure AI Foundry, through the model inference API."""

    name = "azure"
    display_name = "Azure AI Foundry"
    api_key_env = ("AZURE_API_KEY",)
    api_base_env = ("AZURE_API_BASE", "AZURE_INFERENCE_ENDPOINT")
    default_api_base = ""
    requires_api_key = False  # an API key, or Microsoft Entra ID (checked in configure)
    docs_url = "https://learn.microsoft.com/en-us/rest/api/aifoundry/model-inference/"
    supports_images = True
    supports_embedding = True
    supports_stream_usage = False  # no stream_options in this API; usage comes in the last chunk
    unsupported_params = frozenset({"service_tier", "prompt_cache_key"})
    client_options: ClassVar[frozenset[str]] = ENTRA_OPTIONS | {"api_version"}

    def __init__(self, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
        super().__init__(api_key, api_base)
        self.api_version = os.environ.get("AZURE_API_VERSION") or DEFAULT_API_VERSION
        self.entra = EntraSettings(self.name, self.display_name, self.api_key_env[0])
        self._configure(dict(options))

    def _configure(self, options: dict[str, Any]) -> None:
        """The ``client_options`` given to ``AnyLLM.create()`` / in ``client_args``."""
        if options.get("api_version"):
            self.api_version = str(options.pop("api_version"))
        self.entra.configure(options, has_key=self.api_key is not None)

    def auth_headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        key = self.api_key.get()
        return {"Authorization": f"Bearer {key}", "api-key": key}

    def token_auth(self) -> TokenAuth | None:
        return self.entra.token_auth(has_key=self.api_key is not None)

    def _finish(self, request: HTTPRequest) -> HTTPRequest:
        body = request.json
        version = str(body.pop("api_version", None) or self.api_version)
        request.params = {**(request.params or {}), "api-version": version}
        if set(body) - _OWN_FIELDS:
            request.headers["extra-parameters"] = "pass-through"
        return request

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        return self._finish(super().build_completion_request(params))

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        request = super().build_embedding_request(model, inputs, extra)
        body = request.json
        version = str(body.pop("api_version", None) or self.api_version)
        request.params = {"api-version": version}
        if set(body) - {"model", "input", "dimensions", "encoding_format", "input_type"}:
            request.headers["extra-parameters"] = "pass-through"
        return request


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(AzureProvider)
