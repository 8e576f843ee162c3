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

AWS sources (``environment_id: aws1``) make the subject token themselves: a GetCallerIdentity request
to ``regional_cred_verification_url``, signed with SigV4 by core's :mod:`any_llm.aws` (the
``x-goog-cloud-target-resource`` header, the audience, signed too) and serialized as Google's STS
expects (URL-quoted JSON of url, method and headers); it is never sent to AWS by us, Google replays it.
The region comes from ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` or the instance metadata's
``region_url``; the keys from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``
or the instance role at ``url`` (with an IMDSv2 session token from ``imdsv2_session_token_url``
when given). Executable sources are refused with a message: they are not implemented here.
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

__all__ = ["DEFAULT_STS_URL", "TOKEN_EXCHANGE_GRANT", "ExternalAccountAuth", "impersonate"]

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
        self.aws: AWSSource | None = None
        if "environment_id" in source:
            self.aws = AWSSource(source)
        if "executable" in source:
            raise _refuse("executable-sourced credentials are not supported; use a file- or url-sourced configuration")
        self.file = source.get("file") if isinstance(source.get("file"), str) else None
        self.url = source.get("url") if isinstance(source.get("url"), str) and self.aws is None else None
        if self.aws is None and (self.file is None) == (self.url is None):
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
        return (yield from impersonate(self.impersonation_url, federated, self.scopes, self.lifetime))

    def _subject_token(self) -> Generator[HTTPRequest, TokenResponse, str]:
        """The subject token, from the file (a local read), the URL (a request core sends), or made by
        signing an AWS GetCallerIdentity request."""
        if self.aws is not None:
            return (yield from self.aws.subject_token(self.audience))
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


def impersonate(
    url: str, source: Token, scopes: tuple[str, ...], lifetime: int = 3600, delegates: list[str] | None = None
) -> TokenFlow:
    """IAM Credentials' ``generateAccessToken`` at ``url``, authenticated with ``source``: the service
    account's token (shared by workload identity federation and ``impersonated_service_account`` files)."""
    body: dict[str, Any] = {"scope": list(scopes), "lifetime": f"{lifetime}s"}
    if delegates:
        body["delegates"] = delegates
    answer = yield TokenRequest("POST", url, json=body, headers={"Authorization": f"Bearer {source.value}"})
    return _impersonated(answer)


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


class AWSSource:
    """An ``environment_id: aws1`` credential source: the subject token is a signed GetCallerIdentity."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        environment = str(source.get("environment_id"))
        if not re.fullmatch(r"aws\d+", environment):
            raise _refuse(f"unknown credential_source environment_id {environment!r}")
        if environment != "aws1":
            raise _refuse(f"AWS credential source version {environment!r} is not supported (only aws1)")
        url = source.get("regional_cred_verification_url")
        if not isinstance(url, str) or not url:
            raise _refuse("the AWS credential source lacks regional_cred_verification_url")
        self.verification_url = url
        self.region_url = source.get("region_url") if isinstance(source.get("region_url"), str) else None
        self.role_url = source.get("url") if isinstance(source.get("url"), str) else None
        imdsv2 = source.get("imdsv2_session_token_url")
        self.imdsv2_url = imdsv2 if isinstance(imdsv2, str) else None

    def subject_token(self, audience: str) -> Generator[HTTPRequest, TokenResponse, str]:
        import os
        from urllib.parse import quote, urlsplit

        from any_llm.aws import AWSCredentials, sigv4_headers
        from any_llm.provider import Secret

        env = os.environ
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        akid, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
        session: str | None = env.get("AWS_SESSION_TOKEN") or None
        metadata: dict[str, str] = {}
        if (not region or not (akid and secret)) and self.imdsv2_url:
            answer = yield TokenRequest("PUT", self.imdsv2_url, headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"})
            metadata["X-aws-ec2-metadata-token"] = _ok_text(answer, "the IMDSv2 session token URL")
        if not region:
            if self.region_url is None:
                raise errors.AuthenticationError(
                    "no AWS region for the external_account credentials: set AWS_REGION, or add region_url"
                )
            answer = yield TokenRequest("GET", self.region_url, headers=dict(metadata))
            zone = _ok_text(answer, "the AWS region_url")
            region = zone[:-1]  # an availability zone: us-east-2b -> us-east-2
        if not (akid and secret):
            if self.role_url is None:
                raise errors.AuthenticationError(
                    "no AWS credentials for the external_account credentials: set AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY, or add the instance metadata url"
                )
            answer = yield TokenRequest("GET", self.role_url, headers=dict(metadata))
            role = _ok_text(answer, "the AWS security-credentials url")
            answer = yield TokenRequest("GET", f"{self.role_url.rstrip('/')}/{quote(role)}", headers=dict(metadata))
            data = answer.json_object() if answer.status_code == 200 else {}
            akid, secret, session = data.get("AccessKeyId"), data.get("SecretAccessKey"), data.get("Token")
            if not (isinstance(akid, str) and isinstance(secret, str)):
                raise errors.AuthenticationError(
                    f"the instance role {role!r} answered without AccessKeyId and SecretAccessKey "
                    f"(HTTP {answer.status_code})"
                )
        credentials = AWSCredentials(
            akid, Secret(secret), Secret(session) if isinstance(session, str) and session else None, "external_account"
        )
        url = self.verification_url.replace("{region}", region)
        target = {"x-goog-cloud-target-resource": audience}
        signed = sigv4_headers(
            "POST",
            url,
            target,
            b"",
            credentials=credentials,
            region=region,
            service="sts",
            also_sign=("x-goog-cloud-target-resource",),
        )
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]  # as signed: without the scheme's default port
        host = host.removesuffix({"https": ":443", "http": ":80"}.get(parts.scheme, "\0"))
        headers = {
            "Authorization": signed["Authorization"],
            "host": host,
            "x-amz-date": signed["X-Amz-Date"],
            **({"x-amz-security-token": signed["X-Amz-Security-Token"]} if "X-Amz-Security-Token" in signed else {}),
            **target,
        }
        request = {
            "url": url,
            "method": "POST",
            "headers": [{"key": k, "value": v} for k, v in sorted(headers.items())],
        }
        return quote(json.dumps(request, separators=(",", ":"), sort_keys=True))


def _ok_text(answer: TokenResponse, what: str) -> str:
    """The body of a 200 metadata answer, as text."""
    if answer.status_code != 200:
        raise errors.AuthenticationError(f"{what} answered HTTP {answer.status_code}")
    text = answer.body.decode("utf-8", "replace").strip()
    if not text:
        raise errors.AuthenticationError(f"{what} answered an empty body")
    return text
