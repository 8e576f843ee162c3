"""The ``[identity]`` extra with the real azure-identity package: ``DefaultAzureCredential`` (its
EnvironmentCredential: ``AZURE_TENANT_ID`` / ``AZURE_CLIENT_ID`` / ``AZURE_CLIENT_SECRET``) and
``ClientSecretCredential`` get tokens from a local Entra ID endpoint over HTTPS (a self-signed
certificate made here, trusted through ``SSL_CERT_FILE``). The credential's own requests go through
core's httpx pool (the Entra server sees anyllm's connections, never azure-core's requests
transport); the token reaches Azure OpenAI as a bearer, is cached, and a 401 refreshes it once."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

pytest.importorskip("azure.identity")
pytest.importorskip("cryptography")

import socket

from anyllm_azureopenai import AzureopenaiProvider
from anyllm_azureopenai.identity import DefaultAzureCredential as CoreSentDefault
from anyllm_azureopenai.identity import core_sent
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import any_llm
from any_llm import AnyLLM, api, errors, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MESSAGES, TEXT, completion_json

MODEL = "my-gpt-4o"
TENANT = "00000000-0000-0000-0000-00000000cafe"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "entra-client-secret-value-0001"
SCOPE = "https://cognitiveservices.azure.com/.default"


def _certificate(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "entra.pem", tmp / "entra.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class TLSServer(MockServer):
    """MockServer over TLS: each accepted connection is wrapped before it is read."""

    def __init__(self, handler: Any, context: ssl.SSLContext) -> None:
        super().__init__(handler)
        self.context = context
        self.url = f"https://127.0.0.1:{self.port}"

    def _handle(self, conn: socket.socket) -> None:
        try:
            wrapped = self.context.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        super()._handle(wrapped)


class Entra:
    """Microsoft Entra ID's v2.0 endpoints for one tenant: OpenID metadata and the client-credential grant."""

    def __init__(self) -> None:
        self.issued = 0
        self.lifetime = 3600
        self.forms: list[dict[str, str]] = []

    def handle(self, request: Any) -> Reply:
        base = f"https://127.0.0.1:{self.server.port}/{TENANT}"
        path = request.path.split("?")[0]
        if path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return Reply.json(
                {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                }
            )
        if path == f"/{TENANT}/oauth2/v2.0/token" and request.method == "POST":
            form = dict(parse_qsl(request.body.decode()))
            self.forms.append(form)
            if form.get("client_secret") != SECRET or form.get("client_id") != CLIENT_ID:
                return Reply.json(
                    {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
                    status=401,
                )
            self.issued += 1
            return Reply.json(
                {"token_type": "Bearer", "expires_in": self.lifetime, "access_token": f"entra-issued-{self.issued:04d}"}
            )
        return Reply.json({"error": "not_found", "error_description": f"no route {request.method} {path}"}, status=404)

    server: TLSServer


@pytest.fixture(autouse=True)
def no_azure_core_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    """azure-core's own transport must not send anything: core does."""
    from azure.core.pipeline.transport import RequestsTransport

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("azure-core's RequestsTransport sent a request")

    monkeypatch.setattr(RequestsTransport, "send", refuse)


@pytest.fixture
def entra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Entra]:
    cert, key = _certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # core's httpx pool trusts the local Entra endpoint
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "absent.pem"))  # azure-core's own transport could not
    for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN", "AZURE_OPENAI_ENDPOINT", "AZURE_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    state = Entra()
    with TLSServer(state.handle, context) as server:
        state.server = server
        monkeypatch.setenv("AZURE_AUTHORITY_HOST", server.url)
        yield state


@pytest.fixture
def azure() -> Iterator[MockServer]:
    def handle(request: Any) -> Reply:
        if request.headers.get("authorization", "").startswith("Bearer entra-issued-"):
            return Reply.json(completion_json({"role": "assistant", "content": TEXT}))
        return Reply.json({"error": {"code": "401", "message": "Access denied due to invalid token"}}, status=401)

    with MockServer(handle) as s, plugins.registered(AzureopenaiProvider):
        yield s


def _credential(**kw: Any) -> Any:
    # a custom authority is not in MSAL's list of known clouds: skip the instance discovery that would ask
    # login.microsoftonline.com about it; the tenant's OpenID metadata still comes from the local endpoint
    return core_sent(
        ClientSecretCredential,
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=kw.pop("secret", SECRET),
        authority=kw.pop("authority"),
        disable_instance_discovery=True,
        retry_total=0,  # azure-core's retry policy: none here, so refusals fail fast
        **kw,
    )


def test_default_azure_credential_tokens_come_through_core_and_are_cached(entra: Entra, azure: MockServer) -> None:
    credential = CoreSentDefault(disable_instance_discovery=True, exclude_managed_identity_credential=True)
    with AnyLLM.create("azureopenai", api_base=azure.url, max_retries=0, credential=credential) as client:
        for _ in range(3):
            assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert entra.issued == 1  # fetched once, cached by core for the three calls
    assert [r.headers["authorization"] for r in azure.requests] == ["Bearer entra-issued-0001"] * 3
    form = entra.forms[0]
    assert form["grant_type"] == "client_credentials" and form["scope"] == SCOPE
    assert [r.method for r in entra.server.requests] == ["GET", "POST"]  # OpenID metadata, then the token


def test_default_credential_made_by_the_extra_when_nothing_else_is_given(entra: Entra, azure: MockServer) -> None:
    """No key, no token option: the [identity] extra's DefaultAzureCredential, sent through core. Instance
    discovery for the custom authority host would ask login.microsoftonline.com (no network here): it
    is turned off through azure-identity's own environment switch for this test."""
    api.close_clients("azureopenai")
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(
                "anyllm_azureopenai.identity._identity",
                lambda: _with_discovery_off(),
            )
            out = any_llm.completion(model=MODEL, provider="azureopenai", messages=MESSAGES, api_base=azure.url)
    finally:
        api.close_clients("azureopenai")
    assert out.choices[0].message.content == TEXT
    assert azure.requests[0].headers["authorization"] == "Bearer entra-issued-0001"


def _with_discovery_off() -> Any:
    import types

    import azure.identity

    def default(**kw: Any) -> Any:
        return azure.identity.DefaultAzureCredential(
            disable_instance_discovery=True, exclude_managed_identity_credential=True, **kw
        )

    return types.SimpleNamespace(DefaultAzureCredential=default)


def test_expired_token_is_refetched_and_a_401_refreshes_once(entra: Entra, azure: MockServer) -> None:
    entra.lifetime = 4  # stale after 2 s: core's refresh margin is capped at half the lifetime
    credential = _credential(authority=entra.server.url)
    with AnyLLM.create("azureopenai", api_base=azure.url, max_retries=0, credential=credential) as client:
        client.completion(MODEL, MESSAGES)
        client.completion(MODEL, MESSAGES)
        time.sleep(2.2)
        client.completion(MODEL, MESSAGES)
    assert [r.headers["authorization"] for r in azure.requests] == [
        "Bearer entra-issued-0001",
        "Bearer entra-issued-0001",
        "Bearer entra-issued-0002",
    ]

    # a 401 from Azure OpenAI drops core's token and asks the credential again, once, then resends once;
    # azure-identity answers from its own token cache while that token is still valid (it has no
    # force-refresh short of a claims challenge), so the Entra endpoint is not asked again here
    azure.queue(Reply.json({"error": {"code": "401", "message": "Token expired"}}, status=401))
    entra.lifetime = 3600
    credential = _credential(authority=entra.server.url)
    asked: list[str] = []
    get_token = credential.get_token

    def counting(*scopes: str, **kw: Any) -> Any:
        asked.extend(scopes)
        return get_token(*scopes, **kw)

    credential.get_token = counting
    with AnyLLM.create("azureopenai", api_base=azure.url, max_retries=0, credential=credential) as client:
        assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert asked == [SCOPE, SCOPE]
    assert entra.issued == 3
    assert [r.headers["authorization"] for r in azure.requests[3:]] == ["Bearer entra-issued-0003"] * 2


def test_async_calls_share_one_fetch(entra: Entra, azure: MockServer) -> None:
    credential = _credential(authority=entra.server.url)
    client = AnyLLM.create("azureopenai", api_base=azure.url, max_retries=0, credential=credential)

    async def main() -> list[Any]:
        return await asyncio.gather(*(client.acompletion(MODEL, MESSAGES) for _ in range(5)))

    assert [r.choices[0].message.content for r in asyncio.run(main())] == [TEXT] * 5
    client.close()
    assert entra.issued == 1
    assert {r.headers["authorization"] for r in azure.requests} == {"Bearer entra-issued-0001"}


def test_a_refused_secret_is_an_authentication_error_without_the_secret(entra: Entra, azure: MockServer) -> None:
    credential = _credential(authority=entra.server.url, secret="wrong-secret-value-0002")
    with (
        AnyLLM.create("azureopenai", api_base=azure.url, max_retries=0, credential=credential) as client,
        pytest.raises(errors.AuthenticationError) as info,
    ):
        client.completion(MODEL, MESSAGES)
    message = str(info.value)
    assert "AADSTS7000215" in message and "ClientSecretCredential" in message
    assert "wrong-secret-value-0002" not in message and SECRET not in message
    assert azure.requests == []


def test_an_untrusted_certificate_is_a_connection_error(entra: Entra, azure: MockServer, tmp_path: Path) -> None:
    """Core's TLS verification applies to the credential's requests: an untrusted endpoint is refused."""
    (tmp_path / "other").mkdir()
    other, _ = _certificate(tmp_path / "other")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SSL_CERT_FILE", str(other))
        credential = _credential(authority=entra.server.url)
        with (
            AnyLLM.create("azureopenai", api_base=azure.url, max_retries=0, credential=credential) as client,
            pytest.raises(errors.AuthenticationError, match="ClientSecretCredential"),
        ):
            client.completion(MODEL, MESSAGES)
    assert entra.issued == 0 and azure.requests == []


def test_a_core_sent_credential_used_outside_anyllm_says_so(entra: Entra) -> None:
    credential = _credential(authority=entra.server.url)
    with pytest.raises(ClientAuthenticationError, match="sent by anyllm"):
        credential.get_token(SCOPE)
    assert entra.forms == []


def test_managed_identity_requests_go_through_core(azure: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """ManagedIdentityCredential's IMDS call (pointed at a local endpoint, as AKS pod identity does) is sent
    by core: the endpoint sees the Metadata header and the resource, the token reaches Azure OpenAI."""
    from azure.identity import ManagedIdentityCredential

    for name in ("AZURE_CLIENT_ID", "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)

    def imds(request: Any) -> Reply:
        if request.headers.get("metadata") != "true":
            return Reply.json({"error": "bad_request"}, status=400)
        expires = int(time.time()) + 3600
        return Reply.json(
            {
                "access_token": "entra-issued-0100",
                "expires_in": "3600",
                "expires_on": str(expires),
                "resource": request.query.get("resource"),
                "token_type": "Bearer",
            }
        )

    with MockServer(imds) as endpoint:
        monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", endpoint.url)
        credential = core_sent(ManagedIdentityCredential)
        with AnyLLM.create("azureopenai", api_base=azure.url, max_retries=0, credential=credential) as client:
            client.completion(MODEL, MESSAGES)
            client.completion(MODEL, MESSAGES)
        (request,) = endpoint.requests
    assert request.path.startswith("/metadata/identity/oauth2/token?")
    assert request.query == {"api-version": "2018-02-01", "resource": "https://cognitiveservices.azure.com"}
    assert [r.headers["authorization"] for r in azure.requests] == ["Bearer entra-issued-0100"] * 2


def test_azure_core_requests_and_timeouts_become_token_requests() -> None:
    """The bridge keeps a form a form and bytes bytes, and the credential's own per-request timeouts (the
    managed-identity probe asks for a 1 s connect) instead of the client's; core's retries are off."""
    import httpx
    from anyllm_azureopenai.identity import _timeout, _token_request
    from azure.core.rest import HttpRequest

    form = _token_request(HttpRequest("POST", "https://login.example/t", data={"a": "b c"}), _timeout({}))
    assert form.form == {"a": "b c"} and form.content is None and form.timeout is None and form.max_retries == 0
    raw = _token_request(HttpRequest("POST", "https://login.example/t", content=b"x=1"), None)
    assert raw.content == b"x=1" and raw.form is None
    assert _timeout({"connection_timeout": 1}) == httpx.Timeout(300.0, connect=1.0)
    assert _timeout({"connection_timeout": 2, "read_timeout": 5}) == httpx.Timeout(5.0, connect=2.0)


def test_core_sent_refuses_async_credential_classes_and_a_transport() -> None:
    from azure.identity import aio

    with pytest.raises(errors.ConfigurationError, match="sync credential classes"):
        core_sent(aio.ClientSecretCredential, tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SECRET)
    with pytest.raises(errors.ConfigurationError, match="transport"):
        core_sent(ClientSecretCredential, tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SECRET, transport=None)
