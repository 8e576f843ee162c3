"""Microsoft Entra ID for Azure providers: openai-python's ``azure_ad_token`` / ``azure_ad_token_provider``,
a ``credential`` object, or ``DefaultAzureCredential`` with the ``[identity]`` extra.

Shared by ``azureopenai``, ``azure`` (Foundry model inference) and ``azureanthropic`` (Claude on
Foundry): the names and the order are Azure's, not a model family's. In order:

1. ``api_key`` (or the provider's key env var): sent as the key, no Entra ID;
2. ``azure_ad_token=`` (a ready token; env ``AZURE_OPENAI_AD_TOKEN`` as in openai-python);
3. ``azure_ad_token_provider=`` (a function returning a token, sync or async, as
   ``azure.identity.get_bearer_token_provider`` makes);
4. ``credential=`` (any object with ``get_token(scope)``: ``DefaultAzureCredential()``, a managed
   identity...);
5. ``DefaultAzureCredential()`` itself when ``azure-identity`` is installed
   (``pip install anyllm-azureopenai[identity]``).

azure-identity computes tokens; core caches them until shortly before ``expires_on`` and sends every
model request. The ``DefaultAzureCredential`` made here (and any credential made with
:func:`anyllm_azureopenai.identity.core_sent`) sends its own token requests through core too (see
:mod:`anyllm_azureopenai.identity`); a credential object the user built keeps its own transport.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from any_llm import errors
from any_llm.auth import CallableTokenAuth, Token, TokenAuth, credential_token_auth

__all__ = ["COGNITIVE_SERVICES_SCOPE", "ENTRA_OPTIONS", "EntraSettings"]

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
ENTRA_OPTIONS = frozenset({"azure_ad_token", "azure_ad_token_provider", "credential"})
"""The ``client_args`` names an Azure provider accepts for Entra ID."""


class EntraSettings:
    """One client's Entra ID choice; :meth:`token_auth` is None when the API key is used."""

    def __init__(self, provider: str, display_name: str, key_env: str, scope: str = COGNITIVE_SERVICES_SCOPE) -> None:
        self.provider = provider
        self.display_name = display_name
        self.key_env = key_env
        self.scope = scope
        self.token: str | None = os.environ.get("AZURE_OPENAI_AD_TOKEN") or None
        self.token_provider: Any = None
        self.credential: Any = None

    def configure(self, options: Mapping[str, Any], has_key: bool) -> None:
        given = [name for name in ("azure_ad_token", "azure_ad_token_provider", "credential") if options.get(name)]
        if len(given) > 1:
            raise errors.ConfigurationError(f"pass one of {', '.join(given)}, not several", provider=self.provider)
        if options.get("azure_ad_token") is not None:
            token = options["azure_ad_token"]
            if not isinstance(token, str) or not token:
                raise errors.ConfigurationError("azure_ad_token must be a non-empty string", provider=self.provider)
            self.token = token
        if options.get("azure_ad_token_provider") is not None:
            if not callable(options["azure_ad_token_provider"]):
                raise errors.ConfigurationError("azure_ad_token_provider must be callable", provider=self.provider)
            self.token_provider = options["azure_ad_token_provider"]
        if options.get("credential") is not None:
            self.credential = options["credential"]
        if has_key or self.token or self.token_provider is not None or self.credential is not None:
            return
        self.credential = _default_credential()
        if self.credential is None:
            err = errors.MissingApiKeyError(self.display_name, self.key_env)
            err.message += (
                " For Microsoft Entra ID pass azure_ad_token, azure_ad_token_provider or credential in client_args, "
                "or install anyllm-azureopenai[identity] to use DefaultAzureCredential."
            )
            err.args = (err.message,)
            raise err

    def token_auth(self, has_key: bool) -> TokenAuth | None:
        if has_key:
            return None
        if self.token_provider is not None:
            return CallableTokenAuth(self.token_provider, what="azure_ad_token_provider")
        if self.credential is not None:
            from anyllm_azureopenai.identity import CoreSentCredentialAuth, is_core_sent

            if is_core_sent(self.credential):
                return CoreSentCredentialAuth(self.credential, self.scope, what=type(self.credential).__name__)
            return credential_token_auth(self.credential, self.scope, what="credential")
        if self.token:
            token = Token(self.token)
            return CallableTokenAuth(lambda: token, what="azure_ad_token")
        return None


def _default_credential() -> Any:
    """``DefaultAzureCredential()`` sent through core when the ``[identity]`` extra is installed, else None."""
    try:
        import azure.identity  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return None
    from anyllm_azureopenai.identity import DefaultAzureCredential

    return DefaultAzureCredential()
