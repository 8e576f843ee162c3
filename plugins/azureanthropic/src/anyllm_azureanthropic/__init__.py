"""Claude in Microsoft Foundry for anyllm, reusing ``anyllm-anthropic``'s translation.

Foundry serves Anthropic's own Messages API (``POST {endpoint}/v1/messages`` with
``anthropic-version``, the deployment name as ``model``) at
``https://RESOURCE.services.ai.azure.com/anthropic``. What differs from api.anthropic.com:

- the endpoint: ``api_base`` (``AZURE_ANTHROPIC_API_BASE``, or the Anthropic SDK's
  ``ANTHROPIC_FOUNDRY_BASE_URL``), else built from ``resource=`` / ``AZURE_ANTHROPIC_RESOURCE`` /
  ``ANTHROPIC_FOUNDRY_RESOURCE``;
- the key goes in Azure's ``api-key`` header; without a key, Microsoft Entra ID as for the other Azure
  providers (:mod:`anyllm_azureopenai.entra`) with the scope ``https://ai.azure.com/.default``;
- no model listing.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar
from urllib.parse import quote

from anyllm_anthropic import AnthropicProvider
from anyllm_anthropic.reuse import OwnErrors
from anyllm_azureopenai.entra import ENTRA_OPTIONS, EntraSettings

from any_llm import errors, hookimpl
from any_llm.auth import TokenAuth
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest

__all__ = ["FOUNDRY_SCOPE", "AzureanthropicProvider"]

FOUNDRY_SCOPE = "https://ai.azure.com/.default"
ENDPOINT_TEMPLATE = "https://{resource}.services.ai.azure.com/anthropic"
RESOURCE_ENV = ("AZURE_ANTHROPIC_RESOURCE", "ANTHROPIC_FOUNDRY_RESOURCE")


class AzureanthropicProvider(OwnErrors, AnthropicProvider):
    """Claude deployments in a Microsoft Foundry resource."""

    name = "azureanthropic"
    display_name = "Claude in Microsoft Foundry"
    api_key_env: ClassVar[tuple[str, ...]] = ("AZURE_ANTHROPIC_API_KEY", "ANTHROPIC_FOUNDRY_API_KEY")
    api_base_env: ClassVar[tuple[str, ...]] = ("AZURE_ANTHROPIC_API_BASE", "ANTHROPIC_FOUNDRY_BASE_URL")
    default_api_base = ENDPOINT_TEMPLATE
    requires_api_key = False  # an API key, or Microsoft Entra ID (checked in configure)
    docs_url = "https://learn.microsoft.com/en-us/azure/ai-foundry/foundry-models/how-to/use-foundry-models-claude"
    supports_list_models = False
    supports_batch = False  # Anthropic's batch and count_tokens routes are not this platform's
    supports_count_tokens = False
    client_options: ClassVar[frozenset[str]] = ENTRA_OPTIONS | {"resource"}

    def __init__(self, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
        super().__init__(api_key, api_base)
        self.resource = next((v for v in map(os.environ.get, RESOURCE_ENV) if v), None)
        self.entra = EntraSettings(self.name, self.display_name, self.api_key_env[0], scope=FOUNDRY_SCOPE)
        self._configure(dict(options))

    def _configure(self, options: dict[str, Any]) -> None:
        """The ``client_options`` given to ``AnyLLM.create()`` / in ``client_args``."""
        resource = options.pop("resource", None)
        if resource is not None:
            if not isinstance(resource, str) or not resource.strip():
                raise errors.ConfigurationError("resource must be a non-empty string", provider=self.name)
            self.resource = resource.strip()
        self.entra.configure(options, has_key=self.api_key is not None)

    def auth_headers(self) -> dict[str, str]:
        return {"api-key": self.api_key.get()} if self.api_key else {}

    def token_auth(self) -> TokenAuth | None:
        return self.entra.token_auth(has_key=self.api_key is not None)

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        return self._on_resource(super().build_completion_request(params))

    def build_messages_request(self, body: dict[str, Any]) -> HTTPRequest:
        """``messages()`` sent natively: Foundry serves the Messages API as it is."""
        return self._on_resource(super().build_messages_request(body))

    def _on_resource(self, request: HTTPRequest) -> HTTPRequest:
        """The request made absolute on the resource's endpoint when no ``api_base`` was given."""
        if self.api_base == ENDPOINT_TEMPLATE:
            if not self.resource:
                raise errors.ConfigurationError(
                    "azureanthropic needs the Foundry endpoint: pass api_base=https://RESOURCE.services.ai.azure.com/"
                    "anthropic, or resource=... (client_args), or set AZURE_ANTHROPIC_RESOURCE",
                    provider=self.name,
                )
            base = ENDPOINT_TEMPLATE.format(resource=quote(self.resource, safe=""))
            request.url = f"{base}/{request.url.lstrip('/')}"
        return request


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(AzureanthropicProvider)
