"""Workload identity federation: Google ``external_account`` credentials as an anyllm token flow.

A workload outside Google Cloud (a Kubernetes pod, a CI job, another cloud's VM) holds a token from
its own identity provider: the *subject token*. The ``external_account`` JSON file (what ``gcloud iam
workload-identity-pools create-cred-config`` writes) says where that token is and which workload
identity pool provider trusts it. The flow, each step a request core sends:

1. the subject token: read from ``credential_source.file`` (re-read at every fetch: Kubernetes and CI
   rotate it), or fetched from ``credential_source.url`` with its ``headers``; ``format`` ``text``
   (the whole content) or ``json`` (the ``subject_token_field_name`` field);
2. exchanged at ``token_url`` (Google's Security Token Service, ``https://sts.googleapis.com/v1/token``)
   with the RFC 8693 token-exchange grant for a federated access token; a ``client_id`` /
   ``client_secret`` in the file authenticate that request (HTTP Basic), and a workforce pool's
   ``workforce_pool_user_project`` goes in ``options``;
3. when the file has ``service_account_impersonation_url``: that federated token buys a service
   account's access token from IAM Credentials ``generateAccessToken`` (``lifetime`` from
   ``service_account_impersonation.token_lifetime_seconds``, default one hour).

AWS sources (``environment_id: aws1``: a SigV4-signed GetCallerIdentity as subject token) and
executable sources are refused with a message: they are not implemented here.
No subject token, client secret or access token reaches an error message or a log line.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from collections.abc import Generator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from any_llm import errors
from any_llm.auth import Token, TokenAuth, TokenFlow, TokenRequest, TokenResponse, token_endpoint_error
from any_llm.provider import HTTPRequest

__all__ = ["DEFAULT_STS_URL", "TOKEN_EXCHANGE_GRANT", "ExternalAccountAuth"]

DEFAULT_STS_URL = "https://sts.googleapis.com/v1/token"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_WHAT = "the workload identity pool provider (audience) and the subject token it is given"


def _refuse(message: str) -> errors.ConfigurationError:
    return errors.ConfigurationError(f"external_account credentials: {message}")


class ExternalAccountAuth(TokenAuth):
    """An ``external_account`` file's subject token → STS exchange (→ impersonation) flow."""

    def __init__(self, info: Mapping[str, Any], scopes: tuple[str, ...] = (CLOUD_PLATFORM_SCOPE,)) -> None:
        missing = [k for k in ("audience", "subject_token_type") if not isinstance(info.get(k), str)]
        source = info.get("credential_source")
        if not isinstance(source, Mapping):
            missing.append("credential_source")
        if missing:
            raise _refuse(
                f"the file lacks {', '.join(missing)}; make it with "
                "`gcloud iam workload-identity-pools create-cred-config`"
            )
        assert isinstance(source, Mapping)
        if "environment_id" in source:
            raise _refuse(
                f"the AWS credential source ({source.get('environment_id')!r}) is not supported; use a file- or "
                "url-sourced configuration, or a service-account key"
            )
        if "executable" in source:
            raise _refuse("executable-sourced credentials are not supported; use a file- or url-sourced configuration")
        self.file = source.get("file") if isinstance(source.get("file"), str) else None
        self.url = source.get("url") if isinstance(source.get("url"), str) else None
        if (self.file is None) == (self.url is None):
            raise _refuse("credential_source needs exactly one of file or url")
        headers = source.get("headers")
        self.source_headers = {str(k): str(v) for k, v in headers.items()} if isinstance(headers, Mapping) else {}
        fmt = source.get("format") if isinstance(source.get("format"), Mapping) else {}
        assert isinstance(fmt, Mapping)
        self.format = str(fmt.get("type") or "text")
        self.field = fmt.get("subject_token_field_name")
        if self.format not in ("text", "json"):
            raise _refuse(f"credential_source.format.type must be text or json, not {self.format!r}")
        if self.format == "json" and not isinstance(self.field, str):
            raise _refuse("a json credential_source.format needs subject_token_field_name")
        self.audience = str(info["audience"])
        self.subject_token_type = str(info["subject_token_type"])
        self.token_url = str(info.get("token_url") or DEFAULT_STS_URL)
        self.impersonation_url = info.get("service_account_impersonation_url")
        if self.impersonation_url is not None and not isinstance(self.impersonation_url, str):
            raise _refuse("service_account_impersonation_url must be a string")
        settings = info.get("service_account_impersonation")
        lifetime = settings.get("token_lifetime_seconds") if isinstance(settings, Mapping) else None
        self.lifetime = int(lifetime) if isinstance(lifetime, int) and not isinstance(lifetime, bool) else 3600
        self.scopes = scopes
        self.quota_project = info.get("quota_project_id") if isinstance(info.get("quota_project_id"), str) else None
        self.user_project = info.get("workforce_pool_user_project")
        self._basic: str | None = None
        client_id, client_secret = info.get("client_id"), info.get("client_secret")
        if isinstance(client_id, str) and isinstance(client_secret, str):
            errors.register_secret(client_secret)
            self._basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()

    def __repr__(self) -> str:
        return f"ExternalAccountAuth(audience={self.audience!r})"

    # -- the flow ------------------------------------------------------------------------------

    def token_flow(self) -> TokenFlow:
        subject = yield from self._subject_token()
        form = {
            "grant_type": TOKEN_EXCHANGE_GRANT,
            "audience": self.audience,
            # with impersonation the federated token only needs to call IAM Credentials
            "scope": CLOUD_PLATFORM_SCOPE if self.impersonation_url else " ".join(self.scopes),
            "requested_token_type": ACCESS_TOKEN_TYPE,
            "subject_token": subject,
            "subject_token_type": self.subject_token_type,
        }
        headers: dict[str, str] = {}
        if self._basic is not None:
            headers["Authorization"] = f"Basic {self._basic}"
        elif isinstance(self.user_project, str) and self.user_project:
            form["options"] = json.dumps({"userProject": self.user_project}, separators=(",", ":"))
        answer = yield TokenRequest("POST", self.token_url, form=form, headers=headers)
        federated = answer.oauth_token(None, _WHAT)
        if not self.impersonation_url:
            return federated
        body = {"scope": list(self.scopes), "lifetime": f"{self.lifetime}s"}
        answer = yield TokenRequest(
            "POST", self.impersonation_url, json=body, headers={"Authorization": f"Bearer {federated.value}"}
        )
        return _impersonated(answer)

    def _subject_token(self) -> Generator[HTTPRequest, TokenResponse, str]:
        """The subject token, from the file (a local read) or the URL (a request core sends)."""
        if self.file is not None:
            try:
                raw = Path(self.file).read_bytes()
            except OSError as exc:
                raise errors.AuthenticationError(
                    f"cannot read the subject token file {self.file!r} of the external_account credentials: "
                    f"{exc.strerror}"
                ) from None
            return self._parse_subject(raw, f"the file {self.file!r}")
        assert self.url is not None
        try:
            answer = yield TokenRequest("GET", self.url, headers=dict(self.source_headers))
        except errors.APIConnectionError as exc:
            raise errors.AuthenticationError(
                f"cannot fetch the subject token from {self.url} (external_account credentials): {exc.message}"
            ) from None
        if answer.status_code != 200:
            raise token_endpoint_error(None, answer, f"the subject token URL {self.url} and its headers")
        return self._parse_subject(answer.body, f"the URL {self.url}")

    def _parse_subject(self, raw: bytes, where: str) -> str:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        token: Any = text.strip()
        if self.format == "json":
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            token = data.get(self.field) if isinstance(data, dict) and isinstance(self.field, str) else None
            if not isinstance(token, str):
                raise errors.AuthenticationError(
                    f"the subject token from {where} is not a JSON object with a string {self.field!r} field"
                )
        if not token:
            raise errors.AuthenticationError(f"the subject token from {where} is empty")
        return str(token)

    def apply(self, headers: MutableMapping[str, str], token: Token) -> None:
        super().apply(headers, token)
        if self.quota_project:
            headers["x-goog-user-project"] = self.quota_project


def _impersonated(answer: TokenResponse) -> Token:
    """IAM Credentials' ``generateAccessToken`` answer: ``accessToken`` and an RFC 3339 ``expireTime``."""
    if answer.status_code != 200:
        raise token_endpoint_error(
            None,
            answer,
            "that the federated identity may impersonate the service account (roles/iam.workloadIdentityUser)",
        )
    data = answer.json_object()
    value = data.get("accessToken")
    if not isinstance(value, str) or not value:
        raise errors.AuthenticationError("the service-account impersonation answered without an accessToken")
    expires = data.get("expireTime")
    expires_at: float | None = None
    if isinstance(expires, str):
        try:
            # RFC 3339 with up to nanoseconds; fromisoformat (3.10) takes neither "Z" nor 9 digits
            stamp = re.sub(r"\.\d+", "", expires).replace("Z", "+00:00")
            expires_at = datetime.datetime.fromisoformat(stamp).timestamp()
        except ValueError:
            expires_at = None
    return Token.expiring_at(value, expires_at)
