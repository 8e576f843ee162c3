"""AWS Signature Version 4 and AWS credential resolution, without any AWS SDK.

Shared by the bedrock and sagemaker plugins and open to third parties: a provider for any AWS
service subclasses :class:`AWSProvider`, names its signing service, and core signs every attempt
over the exact bytes sent (:meth:`~any_llm.provider.Provider.sign_request`).

Credentials, first found wins:

1. arguments: ``client_args={"aws_access_key_id": ..., "aws_secret_access_key": ..., "aws_session_token":
   ...}`` (boto3's names); or ``api_key`` (with bedrock, ``AWS_BEARER_TOKEN_BEDROCK``), a Bedrock API key
   sent as a bearer token instead of a signature;
2. ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``;
3. the profile (``profile_name`` argument, ``AWS_PROFILE``, else ``default``) in the shared credentials
   and config files (``AWS_SHARED_CREDENTIALS_FILE``, ``AWS_CONFIG_FILE``, default ``~/.aws/...``);
4. with botocore installed (the ``[aws]`` extra of the plugins), botocore's full chain: SSO,
   assume-role, ``credential_process``, container and instance credentials. botocore only resolves
   (and refreshes) credentials; it never sends a request. Its refresh runs when a request is signed:
   a refresh that needs the network (STS, SSO, instance metadata) blocks that call, async ones too.

The region comes from ``region_name``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's
``region``, else ``us-east-1`` (any-llm's default). Secret keys and session tokens are held in
:class:`~any_llm.provider.Secret` and never appear in a repr, error or log line. Stdlib only.
"""

from __future__ import annotations

import configparser
import datetime
import hashlib
import hmac
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote, unquote, urlsplit

from any_llm import errors
from any_llm.provider import Provider, Secret
from any_llm.wire import CONTEXT_MARKERS, errors_from_status, parse_retry_after

__all__ = [
    "AWS_CLIENT_OPTIONS",
    "AWSCredentials",
    "AWSProvider",
    "aws_error",
    "load_profile",
    "resolve_credentials",
    "resolve_region",
    "sigv4_headers",
]

AWS_CLIENT_OPTIONS = frozenset(
    {"region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "profile_name"}
)
"""The ``client_args`` an AWS provider takes for itself (boto3's keyword names)."""
DEFAULT_REGION = "us-east-1"
ALGORITHM = "AWS4-HMAC-SHA256"
_SIGNED_PREFIX = "x-amz-"
_ALWAYS_SIGNED = frozenset({"host", "content-type"})


@dataclass(frozen=True, slots=True)
class AWSCredentials:
    """One set of AWS credentials; the secret parts are :class:`Secret` and never shown."""

    access_key_id: str
    secret_access_key: Secret
    session_token: Secret | None = None
    source: str = ""
    """Where they came from ("arguments", "environment", "profile default", "botocore") for messages."""

    def __repr__(self) -> str:
        return f"AWSCredentials(access_key_id={self.access_key_id[:4]!r}..., source={self.source!r})"


CredentialSource = Callable[[], AWSCredentials]
"""Called before each signature: static credentials return themselves, botocore's refresh when due."""


# -- signing ------------------------------------------------------------------------------------


def sigv4_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    credentials: AWSCredentials,
    region: str,
    service: str,
    when: datetime.datetime | None = None,
    also_sign: Collection[str] = (),
    payload_hash: str | None = None,
) -> dict[str, str]:
    """The headers that sign this request with SigV4: ``X-Amz-Date``, ``Authorization``, and
    ``X-Amz-Security-Token`` for temporary credentials.

    Signs ``host``, ``content-type`` and every ``x-amz-*`` header present (not the ones proxies and
    clients rewrite, like ``user-agent`` or ``accept-encoding``), plus the lower-case names in
    ``also_sign`` (a header the verifier requires signed, such as Google's
    ``x-goog-cloud-target-resource``); the URL's path is encoded a second time, as AWS does for every
    service but S3. The payload enters as its SHA-256: a declared ``x-amz-content-sha256`` header, else
    ``payload_hash`` (a streamed body hashed beforehand), else ``body``'s.
    """
    body = body or b""
    now = (when or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    added = {"X-Amz-Date": amz_date}
    if credentials.session_token is not None:
        added["X-Amz-Security-Token"] = credentials.session_token.get()
    parts = urlsplit(url)
    signed: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low in _ALWAYS_SIGNED or low.startswith(_SIGNED_PREFIX) or low in also_sign:
            signed[low] = value
    for name, value in added.items():
        signed[name.lower()] = value
    if "host" not in signed:
        signed["host"] = _host(parts.scheme, parts.netloc)
    names = sorted(signed)
    canonical_headers = "".join(f"{n}:{' '.join(signed[n].split())}\n" for n in names)
    signed_names = ";".join(names)
    canonical = "\n".join(
        [
            method.upper(),
            canonical_uri(parts.path),
            canonical_query(parts.query),
            canonical_headers,
            signed_names,
            # a declared payload hash (S3's UNSIGNED-PAYLOAD, a precomputed one) is what AWS checks against
            signed["x-amz-content-sha256"]
            if "x-amz-content-sha256" in signed
            else payload_hash or hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _signing_key(credentials.secret_access_key.get(), day, region, service)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    added["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, SignedHeaders={signed_names}, "
        f"Signature={signature}"
    )
    return added


def canonical_uri(path: str) -> str:
    """The path with empty, ``.`` and ``..`` segments resolved (RFC 3986 section 5.2.4, and AWS drops
    repeated slashes), its leading and trailing slash kept, then URI-encoded once more."""
    if not path:
        return "/"
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    joined = "/".join(kept)
    if path.startswith("/"):
        joined = "/" + joined
    if path.endswith("/") and kept:
        joined += "/"
    return quote(joined, safe="/~")


def canonical_query(query: str) -> str:
    """Each name and value decoded, then encoded the RFC 3986 way (``-_.~`` unescaped), sorted."""
    if not query:
        return ""
    pairs = []
    for item in query.split("&"):
        name, _, value = item.partition("=")
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def _host(scheme: str, netloc: str) -> str:
    host = netloc.rpartition("@")[2]
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and host.endswith(default):
        host = host[: -len(default)]
    return host


def _signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = hmac.new(f"AWS4{secret}".encode(), day.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


# -- credentials --------------------------------------------------------------------------------


def _files(environ: Mapping[str, str]) -> tuple[str, str]:
    home = os.path.expanduser("~")
    credentials = environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials")
    config = environ.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config")
    return os.path.expanduser(credentials), os.path.expanduser(config)


def _read_ini(path: str) -> configparser.RawConfigParser | None:
    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8") as fh:
            parser.read_file(fh)
    except FileNotFoundError:
        return None
    except (OSError, configparser.Error, UnicodeDecodeError) as exc:
        raise errors.ConfigurationError(f"cannot read the AWS file {path}: {type(exc).__name__}") from None
    return parser


def load_profile(name: str, environ: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """A profile's settings merged from the shared credentials file (``[name]``) and the config file
    (``[profile name]``, or ``[default]``); the credentials file wins. None when neither has it."""
    env = os.environ if environ is None else environ
    credentials_path, config_path = _files(env)
    found: dict[str, str] | None = None
    config = _read_ini(config_path)
    if config is not None:
        for section in (f"profile {name}", name) if name == "default" else (f"profile {name}",):
            if config.has_section(section):
                found = {k.lower(): v.strip() for k, v in config.items(section)}
                break
    creds = _read_ini(credentials_path)
    if creds is not None and creds.has_section(name):
        found = {**(found or {}), **{k.lower(): v.strip() for k, v in creds.items(name)}}
    return found


def _profile_name(profile: str | None, env: Mapping[str, str]) -> tuple[str, bool]:
    """(name, whether it was asked for explicitly)."""
    if profile:
        return profile, True
    named = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")
    return (named, True) if named else ("default", False)


def resolve_region(
    region: str | None = None, profile: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """``region`` argument, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's ``region``, else us-east-1."""
    env = os.environ if environ is None else environ
    if region:
        return _valid_region(region, "region_name")
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if env.get(var):
            return _valid_region(env[var], var)
    name, _ = _profile_name(profile, env)
    settings = load_profile(name, env)
    if settings and settings.get("region"):
        return _valid_region(settings["region"], f"the region of profile {name!r}")
    return DEFAULT_REGION


def _valid_region(region: Any, where: str) -> str:
    if not isinstance(region, str) or not region.strip() or any(c in region for c in "/:@ ?#"):
        raise errors.ConfigurationError(f"{where} must be an AWS region name like 'us-east-1', got {region!r}")
    return region.strip()


def _static(akid: str, secret: str, token: str | None, source: str) -> CredentialSource:
    creds = AWSCredentials(akid, Secret(secret), Secret(token) if token else None, source)
    return lambda: creds


def resolve_credentials(
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    use_botocore: bool = True,
) -> CredentialSource | None:
    """The first credentials found (arguments, environment, profile files, then botocore's chain if
    installed), as a callable returning current :class:`AWSCredentials`; None if there are none."""
    env = os.environ if environ is None else environ
    if access_key_id or secret_access_key:
        if not (access_key_id and secret_access_key):
            raise errors.ConfigurationError(
                "give both aws_access_key_id and aws_secret_access_key (client_args), or neither"
            )
        return _static(access_key_id, secret_access_key, session_token, "arguments")
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return _static(
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN"), "environment"
        )
    name, explicit = _profile_name(profile, env)
    settings = load_profile(name, env)
    if settings and settings.get("aws_access_key_id") and settings.get("aws_secret_access_key"):
        return _static(
            settings["aws_access_key_id"],
            settings["aws_secret_access_key"],
            settings.get("aws_session_token"),
            f"profile {name}",
        )
    if explicit and settings is None:
        credentials_path, config_path = _files(env)
        raise errors.ConfigurationError(
            f"AWS profile {name!r} is not in {credentials_path} or {config_path}. Check AWS_PROFILE / profile_name, "
            "or point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at the right files."
        )
    if use_botocore:
        found = _botocore_chain(profile)  # botocore reads AWS_PROFILE (and the process environment) itself
        if found is not None:
            return found
    if settings is not None and not use_botocore_available():
        kinds = sorted(k for k in settings if k in ("role_arn", "sso_session", "sso_start_url", "credential_process"))
        if kinds:
            raise errors.ConfigurationError(
                f"AWS profile {name!r} gets its credentials through {', '.join(kinds)}, which needs botocore: "
                "pip install 'anyllm-bedrock[aws]' (botocore resolves the credentials; anyllm still sends)."
            )
    return None


def use_botocore_available() -> bool:
    """Whether botocore (the optional ``[aws]`` extra) is importable."""
    import importlib.util

    return importlib.util.find_spec("botocore") is not None


def _botocore_chain(profile: str | None) -> CredentialSource | None:
    """botocore's full credential chain (SSO, assume-role, processes, containers, instance metadata),
    used to resolve and refresh credentials only."""
    if not use_botocore_available():
        return None
    import botocore.session  # type: ignore[import-untyped,import-not-found,unused-ignore]

    try:
        session = botocore.session.Session(profile=profile)
        found = session.get_credentials()
    except Exception as exc:  # botocore's own errors: a broken profile, an SSO session to log into again
        raise errors.ConfigurationError(
            f"botocore could not resolve AWS credentials: {type(exc).__name__}: {errors.redact(str(exc))}"
        ) from None
    if found is None:
        return None

    def current() -> AWSCredentials:
        try:
            frozen = found.get_frozen_credentials()
        except Exception as exc:
            raise errors.AuthenticationError(
                f"refreshing AWS credentials through botocore failed: {type(exc).__name__}"
            ) from None
        token = frozen.token
        return AWSCredentials(
            frozen.access_key, Secret(frozen.secret_key), Secret(token) if token else None, "botocore"
        )

    return current


# -- errors: AWS JSON errors, classified by their type name -----------------------------------------
_AUTH = {
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "SignatureDoesNotMatch",
}
_RATE = {"ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException"}
_SERVER = {
    "InternalServerException",
    "ServiceUnavailableException",
    "ModelNotReadyException",
    "ModelErrorException",
    "ModelStreamErrorException",
    "ModelTimeoutException",
    "InternalFailure",
    "ModelError",
    "ModelStreamError",
    "InternalStreamFailure",
    "InternalDependencyException",
}
_EXTRA_CONTEXT_MARKERS = ("too many input tokens", "input length", "too long for requested model")


def error_type(headers: Mapping[str, str], data: Any) -> str:
    """AWS's error name: ``x-amzn-ErrorType`` (``Name:namespace``), else the body's ``__type``/``code``."""
    raw = headers.get("x-amzn-errortype") or ""
    if not raw and isinstance(data, dict):
        raw = str(data.get("__type") or data.get("code") or data.get("Code") or "")
    return raw.split(":", 1)[0].rpartition("#")[2]


def aws_error(
    provider: str, status: int, headers: Mapping[str, str], body: bytes, kind: str | None = None
) -> errors.AnyLLMError:
    """An AWS JSON error (``{"message": ...}``, type in a header or ``__type``) as our typed error."""
    import json

    try:
        data: Any = json.loads(body) if body else {}
    except (ValueError, UnicodeDecodeError):
        data = {}
    name = kind or error_type(headers, data)
    message = ""
    if isinstance(data, dict):
        message = str(data.get("message") or data.get("Message") or "")
    if not message:
        message = body[:300].decode("utf-8", "replace").strip() or f"HTTP {status}"
    text = f"{name}: {message}" if name else message
    kwargs: dict[str, Any] = {
        "provider": provider,
        "status_code": status,
        "request_id": headers.get("x-amzn-requestid") or headers.get("x-amz-request-id"),
        "body": body.decode("utf-8", "replace"),
    }
    low = message.lower()
    if name in _AUTH:
        return errors.AuthenticationError(text, **kwargs)
    if name in _RATE:
        return errors.RateLimitError(text, retry_after=parse_retry_after(headers), **kwargs)
    if name in _SERVER:
        return errors.ProviderError(text, **kwargs)
    if name == "ResourceNotFoundException":
        return errors.ModelNotFoundError(text, **kwargs)
    if name == "ValidationException":
        if any(m in low for m in (*CONTEXT_MARKERS, *_EXTRA_CONTEXT_MARKERS)):
            return errors.ContextLengthExceededError(text, **kwargs)
        return errors.InvalidRequestError(text, **kwargs)
    return errors_from_status(provider, status, headers, body, text, name or None)


# -- the provider base ----------------------------------------------------------------------------


class AWSProvider(Provider):
    """A provider for an AWS service: region, credentials and SigV4 signing.

    Subclasses declare ``aws_service`` (the signing name, e.g. ``"bedrock"``, ``"sagemaker"``) and a
    ``default_api_base`` with a ``{region}`` placeholder. ``api_key`` (or the ``api_key_env`` vars)
    means a bearer token (Bedrock API keys): sent as ``Authorization: Bearer`` and nothing is signed.
    Combine with :class:`~any_llm.openai_compat.OpenAICompatibleProvider` (``AWSProvider`` first) for
    a service speaking OpenAI's protocol.
    """

    aws_service: ClassVar[str] = ""
    requires_api_key: ClassVar[bool] = False
    client_options: ClassVar[frozenset[str]] = AWS_CLIENT_OPTIONS
    credential_env_hint: ClassVar[str] = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"

    def __init__(
        self,
        api_key: str | None = None,
        api_base: str | None = None,
        *,
        region_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
    ) -> None:
        super().__init__(api_key=api_key, api_base=api_base)
        self.region = resolve_region(region_name, profile_name)
        self.api_base = self.api_base.replace("{region}", self.region)
        self._credentials: CredentialSource | None = None
        if aws_access_key_id or aws_secret_access_key or profile_name or self.api_key is None:
            self.api_key = None  # explicit keys or profile win over a bearer token from the environment
            self._credentials = resolve_credentials(
                aws_access_key_id, aws_secret_access_key, aws_session_token, profile_name
            )
            if self._credentials is None:
                hint = " or ".join([*self.api_key_env, self.credential_env_hint])
                raise errors.MissingApiKeyError(self.display_name or self.name, hint)

    def __repr__(self) -> str:
        mode = "bearer" if self.api_key is not None else "sigv4"
        return (
            f"{type(self).__name__}(name={self.name!r}, api_base={self.api_base!r}, region={self.region!r}, "
            f"auth={mode!r})"
        )

    def sign_request(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        if self._credentials is None:
            return {}
        return sigv4_headers(
            method, url, headers, body, credentials=self._credentials(), region=self.region, service=self.aws_service
        )

    def sign_upload(
        self, method: str, url: str, headers: Mapping[str, str], payload_sha256: str | None
    ) -> dict[str, str] | None:
        """A streamed upload: signed at once when the request declares ``x-amz-content-sha256`` (S3's
        ``UNSIGNED-PAYLOAD``, or a precomputed hash), else over the digest core computes in a first pass."""
        if self._credentials is None:
            return {}  # a bearer token: nothing is signed
        declared = any(name.lower() == "x-amz-content-sha256" for name in headers)
        if not declared and payload_sha256 is None:
            return None
        return sigv4_headers(
            method,
            url,
            headers,
            None,
            credentials=self._credentials(),
            region=self.region,
            service=self.aws_service,
            payload_hash=payload_sha256,
        )

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        return aws_error(self.name, status_code, headers, body)

    def endpoint(self, prefix: str) -> str:
        """The regional endpoint ``https://{prefix}.{region}.amazonaws.com`` (another API of the same
        service, e.g. Bedrock's control plane); the configured base URL when api_base was overridden."""
        default = type(self).default_api_base.replace("{region}", self.region)
        if self.api_base != default.rstrip("/"):
            return self.api_base
        return f"https://{prefix}.{self.region}.amazonaws.com"
