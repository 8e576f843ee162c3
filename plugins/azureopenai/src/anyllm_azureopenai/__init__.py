"""Azure OpenAI (``<resource>.openai.azure.com``) for anyllm: OpenAI's protocol on Azure deployments.

Quirks (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference, data-plane inference):
- the model is the deployment name, in the path: ``{endpoint}/openai/deployments/{deployment}/chat/completions``
  (and ``/embeddings``); the model list is ``{endpoint}/openai/models``;
- every request carries ``api-version`` in the query: the ``api_version=`` keyword of a call, else
  ``AZURE_OPENAI_API_VERSION``, else ``OPENAI_API_VERSION`` (the openai SDK's name), else ``2024-10-21``
  (the latest GA data-plane version);
- the key goes in an ``api-key`` header, not ``Authorization``; without a key, Microsoft Entra ID
  (``azure_ad_token``, ``azure_ad_token_provider``, ``credential`` in ``client_args``, or
  ``DefaultAzureCredential`` with the ``[identity]`` extra: :mod:`anyllm_azureopenai.entra`) sends
  ``Authorization: Bearer`` with a token core caches and refreshes;
- ``max_tokens`` is sent as ``max_completion_tokens``, as for OpenAI (reasoning deployments require it);
- a stream opens with a ``prompt_filter_results`` chunk whose ``object`` is ``""``; it is read as a chunk;
- ``responses()`` goes to the v1 Responses route ``{endpoint}/openai/v1/responses``, deployment in the body;
- the endpoint comes from ``AZURE_OPENAI_ENDPOINT`` (a trailing ``/openai`` is tolerated);
- images, speech and transcription go to the deployment too (``.../deployments/{d}/images/generations``,
  ``/audio/speech``, ``/audio/transcriptions``); files and batches are resource-wide (``{endpoint}/openai/files``,
  ``/openai/batches``), and a batch's endpoint is written ``/chat/completions`` (``/v1/...`` is accepted and
  rewritten). Azure has no moderation or rerank endpoint.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from any_llm import hookimpl
from any_llm.auth import TokenAuth
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest
from anyllm_azureopenai.entra import ENTRA_OPTIONS, EntraSettings

if TYPE_CHECKING:
    from any_llm.families.params import BatchParams
    from any_llm.types.files import FileObject

__all__ = ["AzureopenaiProvider"]

DEFAULT_API_VERSION = "2024-10-21"
API_VERSION_ENV = ("AZURE_OPENAI_API_VERSION", "OPENAI_API_VERSION")


class AzureopenaiProvider(OpenAICompatibleProvider):
    """Azure OpenAI's deployment-based data-plane API."""

    name = "azureopenai"
    display_name = "Azure OpenAI"
    api_key_env = ("AZURE_OPENAI_API_KEY",)
    api_base_env = ("AZURE_OPENAI_ENDPOINT",)
    default_api_base = ""
    docs_url = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference"
    supports_reasoning = True
    supports_images = True
    supports_audio = True
    supports_documents = True
    supports_embedding = True
    supports_list_models = True
    supports_image_generation = True
    supports_speech = True
    supports_transcription = True
    supports_batch = True
    batch_endpoints: ClassVar[frozenset[str]] = frozenset(
        {"/chat/completions", "/embeddings", "/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/responses"}
    )
    param_renames: ClassVar[dict[str, str]] = {"max_tokens": "max_completion_tokens"}
    requires_api_key = False  # an API key, or Microsoft Entra ID (checked in configure)
    client_options: ClassVar[frozenset[str]] = ENTRA_OPTIONS
    supports_responses_native = True
    responses_path = "openai/v1/responses"
    """The v1 data-plane route: the model (deployment name) goes in the body, no ``api-version`` needed."""

    def __init__(self, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
        super().__init__(api_key, api_base)
        self.api_base = self.api_base.removesuffix("/openai")
        self.api_version = next((v for v in map(os.environ.get, API_VERSION_ENV) if v), DEFAULT_API_VERSION)
        self.entra = EntraSettings(self.name, self.display_name, self.api_key_env[0])
        self.entra.configure(options, has_key=self.api_key is not None)  # Entra ID from client_args

    def auth_headers(self) -> dict[str, str]:
        return {"api-key": self.api_key.get()} if self.api_key else {}

    def token_auth(self) -> TokenAuth | None:
        return self.entra.token_auth(has_key=self.api_key is not None)

    def _deployment(self, model: str, operation: str, extra: dict[str, Any]) -> tuple[str, dict[str, str]]:
        version = str(extra.pop("api_version", None) or self.api_version)
        return f"openai/deployments/{quote(model, safe='')}/{operation}", {"api-version": version}

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        extra = dict(params.extra)
        path, query = self._deployment(params.model, "chat/completions", extra)
        request = super().build_completion_request(dataclasses.replace(params, extra=extra))
        request.url, request.params = path, query
        return request

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        extra = dict(extra)
        path, query = self._deployment(model, "embeddings", extra)
        request = super().build_embedding_request(model, inputs, extra)
        request.url, request.params = path, query
        return request

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        extra = dict(extra)
        version = str(extra.pop("api_version", None) or self.api_version)
        request = super().build_list_models_request(extra)
        request.url, request.params = "openai/models", {**(request.params or {}), "api-version": version}
        return request

    def family_route(self, path: str, model: str | None, extra: dict[str, Any]) -> tuple[str, dict[str, str] | None]:
        """Deployment URLs for the per-model families, resource-wide ``openai/...`` for files and batches."""
        version = str(extra.pop("api_version", None) or self.api_version)
        if model is not None:
            return f"openai/deployments/{quote(model, safe='')}/{path}", {"api-version": version}
        return f"openai/{path}", {"api-version": version}

    def build_create_batch_request(self, file: FileObject, params: BatchParams) -> HTTPRequest:
        endpoint = params.endpoint.removeprefix("/v1")
        return super().build_create_batch_request(file, dataclasses.replace(params, endpoint=endpoint))

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        if payload.get("object") == "" and "prompt_filter_results" in payload:
            payload["object"] = "chat.completion.chunk"
        return payload

    def chunk_needs_normalize(self, data: bytes) -> bool:
        """Only the stream's opening ``prompt_filter_results`` chunk is rewritten; the others keep the fast
        path (their per-choice ``content_filter_results`` need nothing)."""
        return b'"prompt_filter_results"' in data


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(AzureopenaiProvider)
