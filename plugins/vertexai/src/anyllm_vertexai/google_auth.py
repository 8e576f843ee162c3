"""Google Application Default Credentials as anyllm token flows (no google-auth needed, nothing sent here).

Where the credentials come from, in the order google-auth's ``google.auth.default()`` looks:

1. ``credentials=`` (a path to a JSON file, or its parsed dict), else ``GOOGLE_APPLICATION_CREDENTIALS``;
2. gcloud's file from ``gcloud auth application-default login``
   (``$CLOUDSDK_CONFIG/application_default_credentials.json``, default ``~/.config/gcloud/...``,
   ``%APPDATA%/gcloud/...`` on Windows);
3. the metadata server of the machine (Compute Engine, Cloud Run, GKE): ``GCE_METADATA_HOST`` or
   ``metadata.google.internal``.

The JSON file is one of two kinds:

- ``service_account``: a JWT signed RS256 with the file's ``private_key`` (``iss`` = ``client_email``,
  ``aud`` = ``token_uri``, one hour) is exchanged at ``token_uri`` with the JWT-bearer grant (RFC 7523);
- ``authorized_user`` (gcloud): the ``refresh_token`` grant (RFC 6749 section 6) at ``token_uri``
  (default ``https://oauth2.googleapis.com/token``); a ``quota_project_id`` is sent as
  ``x-goog-user-project``.

- ``external_account`` (workload identity federation): a file-, url- or AWS-sourced subject token
  exchanged at Google's STS, optionally for an impersonated service account's token
  (:mod:`anyllm_vertexai.external_account`).

- ``impersonated_service_account`` (``gcloud auth application-default login
  --impersonate-service-account``): its ``source_credentials`` (either kind above) get a token, which
  buys the target service account's token at ``service_account_impersonation_url``.

Each is a :class:`~any_llm.auth.TokenAuth`: core sends the requests through the client's transport,
caches the token and refreshes it. Executable-sourced external accounts are refused with a message
saying so, rather than half supported.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from any_llm import errors
from any_llm.auth import Token, TokenAuth, TokenFlow, TokenRequest

__all__ = [
    "CLOUD_PLATFORM_SCOPE",
    "DEFAULT_TOKEN_URI",
    "AuthorizedUserAuth",
    "ImpersonatedAuth",
    "MetadataServerAuth",
    "ServiceAccountAuth",
    "application_default",
    "load_credentials_file",
]

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME = 3600
METADATA_HOST = "metadata.google.internal"
_FIX = "GOOGLE_APPLICATION_CREDENTIALS (a service-account JSON key) or `gcloud auth application-default login`"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ServiceAccountAuth(TokenAuth):
    """A service account's JSON key: a signed JWT exchanged for an access token at ``token_uri``."""

    def __init__(self, info: Mapping[str, Any], scopes: tuple[str, ...] = (CLOUD_PLATFORM_SCOPE,)) -> None:
        from anyllm_vertexai._rsa import load_private_key

        missing = [k for k in ("client_email", "private_key") if not isinstance(info.get(k), str)]
        if missing:
            raise errors.ConfigurationError(f"the service-account file lacks {', '.join(missing)}; download a new key")
        self.client_email = str(info["client_email"])
        self.token_uri = str(info.get("token_uri") or DEFAULT_TOKEN_URI)
        self.key_id = info.get("private_key_id")
        self.scopes = scopes
        self._key = load_private_key(str(info["private_key"]))

    def __repr__(self) -> str:
        return f"ServiceAccountAuth({self.client_email!r})"

    def assertion(self, now: float | None = None) -> str:
        """The signed JWT (RFC 7523 section 3) asking ``token_uri`` for a token with :attr:`scopes`."""
        issued = int(time.time() if now is None else now)
        header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
        if isinstance(self.key_id, str) and self.key_id:
            header["kid"] = self.key_id
        claims = {
            "iss": self.client_email,
            "scope": " ".join(self.scopes),
            "aud": self.token_uri,
            "iat": issued,
            "exp": issued + JWT_LIFETIME,
        }
        signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
        return f"{signing_input}.{_b64url(self._key.sign_sha256(signing_input.encode()))}"

    def token_flow(self) -> TokenFlow:
        form = {"grant_type": JWT_BEARER_GRANT, "assertion": self.assertion()}
        response = yield TokenRequest("POST", self.token_uri, form=form)
        return response.oauth_token(None, f"the service account {self.client_email} and its key (is it revoked?)")


class AuthorizedUserAuth(TokenAuth):
    """gcloud's user credentials: the refresh-token grant at ``token_uri``."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        missing = [k for k in ("client_id", "client_secret", "refresh_token") if not isinstance(info.get(k), str)]
        if missing:
            raise errors.ConfigurationError(
                f"the authorized_user credentials lack {', '.join(missing)}; "
                "run `gcloud auth application-default login`"
            )
        self.token_uri = str(info.get("token_uri") or DEFAULT_TOKEN_URI)
        self.quota_project = info.get("quota_project_id") if isinstance(info.get("quota_project_id"), str) else None
        errors.register_secret(str(info["refresh_token"]))  # redacted should a token endpoint echo them
        errors.register_secret(str(info["client_secret"]))
        self._form = {
            "grant_type": "refresh_token",
            "client_id": str(info["client_id"]),
            "client_secret": str(info["client_secret"]),
            "refresh_token": str(info["refresh_token"]),
        }

    def __repr__(self) -> str:
        return "AuthorizedUserAuth()"

    def token_flow(self) -> TokenFlow:
        response = yield TokenRequest("POST", self.token_uri, form=self._form)
        return response.oauth_token(None, "the gcloud login (run `gcloud auth application-default login` again)")

    def apply(self, headers: MutableMapping[str, str], token: Token) -> None:
        super().apply(headers, token)
        if self.quota_project:
            headers["x-goog-user-project"] = self.quota_project


class MetadataServerAuth(TokenAuth):
    """The attached service account of a Google Cloud machine, from its metadata server."""

    def __init__(self, host: str | None = None) -> None:
        host = host or os.environ.get("GCE_METADATA_HOST") or METADATA_HOST
        if "://" not in host:
            host = f"http://{host}"
        self.url = f"{host.rstrip('/')}/computeMetadata/v1/instance/service-accounts/default/token"

    def __repr__(self) -> str:
        return f"MetadataServerAuth({self.url!r})"

    def token_flow(self) -> TokenFlow:
        try:
            response = yield TokenRequest("GET", self.url, headers={"Metadata-Flavor": "Google"})
        except errors.APIConnectionError:
            raise errors.AuthenticationError(
                f"no Google credentials found: no credentials file, and no metadata server at {self.url}. Set {_FIX}."
            ) from None
        return response.oauth_token(None, "the machine's attached service account and its scopes")


class ImpersonatedAuth(TokenAuth):
    """An ``impersonated_service_account`` file: the source credentials' token, traded at IAM Credentials
    for the target service account's token (the source flow and the trade are both requests core sends)."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        source = info.get("source_credentials")
        url = info.get("service_account_impersonation_url")
        if not isinstance(source, Mapping) or not isinstance(url, str):
            raise errors.ConfigurationError(
                "the impersonated_service_account credentials lack source_credentials or "
                "service_account_impersonation_url; run `gcloud auth application-default login "
                "--impersonate-service-account=...` again"
            )
        if source.get("type") not in ("service_account", "authorized_user"):
            raise errors.ConfigurationError(
                f"impersonated_service_account credentials with source_credentials of type {source.get('type')!r} "
                "are not supported; use a service_account key or authorized_user (gcloud) source"
            )
        self.source = from_info(source)
        self.url = url
        delegates = info.get("delegates")
        self.delegates = [str(d) for d in delegates] if isinstance(delegates, list) else []
        quota = info.get("quota_project_id")
        self.quota_project = quota if isinstance(quota, str) else None

    def __repr__(self) -> str:
        return f"ImpersonatedAuth({self.url.rpartition('/serviceAccounts/')[2].partition(':')[0]!r})"

    def token_flow(self) -> TokenFlow:
        from anyllm_vertexai.external_account import impersonate

        source = yield from self.source.token_flow()
        return (yield from impersonate(self.url, source, (CLOUD_PLATFORM_SCOPE,), delegates=self.delegates))

    def apply(self, headers: MutableMapping[str, str], token: Token) -> None:
        super().apply(headers, token)
        if self.quota_project:
            headers["x-goog-user-project"] = self.quota_project


def load_credentials_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A credentials JSON file, with errors that name the file but never its content."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise errors.ConfigurationError(
            f"cannot read the Google credentials file {str(path)!r}: {exc.strerror}"
        ) from None
    except ValueError:
        raise errors.ConfigurationError(f"the Google credentials file {str(path)!r} is not JSON") from None
    if not isinstance(data, dict):
        raise errors.ConfigurationError(f"the Google credentials file {str(path)!r} is not a JSON object")
    return data


def _gcloud_file() -> Path:
    config = os.environ.get("CLOUDSDK_CONFIG")
    if config:
        return Path(config) / "application_default_credentials.json"
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "gcloud" / "application_default_credentials.json"
    return Path.home() / ".config" / "gcloud" / "application_default_credentials.json"


def from_info(info: Mapping[str, Any]) -> TokenAuth:
    kind = info.get("type")
    if kind == "service_account":
        return ServiceAccountAuth(info)
    if kind == "authorized_user":
        return AuthorizedUserAuth(info)
    if kind == "external_account":
        from anyllm_vertexai.external_account import ExternalAccountAuth

        return ExternalAccountAuth(info)
    if kind == "impersonated_service_account":
        return ImpersonatedAuth(info)
    raise errors.ConfigurationError(
        f"Google credentials of type {kind!r} are not supported; use a service_account key, authorized_user "
        "(gcloud), impersonated_service_account or external_account (workload identity federation) credentials, "
        "or the metadata server"
    )


def application_default(
    credentials: str | os.PathLike[str] | Mapping[str, Any] | None = None,
) -> tuple[TokenAuth, dict[str, Any]]:
    """The token flow for ``credentials`` or, when None, for Application Default Credentials; with the
    parsed file (``{}`` for the metadata server), whose ``project_id`` / ``quota_project_id`` can name
    the project."""
    if credentials is None:
        env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if env:
            credentials = env
        elif _gcloud_file().is_file():
            credentials = _gcloud_file()
    if credentials is None:
        return MetadataServerAuth(), {}
    info = dict(credentials) if isinstance(credentials, Mapping) else load_credentials_file(credentials)
    return from_info(info), info
