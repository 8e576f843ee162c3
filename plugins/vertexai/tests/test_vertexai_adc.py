"""Vertex AI with Application Default Credentials, through the real transport: a service-account JWT
verified (RS256) by a local token endpoint, gcloud user credentials, the metadata server; project,
location and endpoint resolution; no key material or token in errors and logs."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from anyllm_vertexai import VertexaiProvider

from any_llm import errors, plugins
from any_llm.client import AnyLLM
from any_llm.params import build_params
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MESSAGES, TEXT

from .conftest import CLIENT_EMAIL, CLIENT_SECRET, PROJECT, REFRESH_TOKEN, GoogleTokenServer, pem, service_account_info
from .test_vertexai_conformance import EXCHANGES, MODEL, WORDS, answer

PATH = f"/v1/projects/{PROJECT}/locations/us-central1/publishers/google/models/{MODEL}"


class Vertex:
    """A Vertex endpoint accepting only the token endpoint's tokens."""

    def __init__(self, google: GoogleTokenServer) -> None:
        self.google = google
        self.revoked: set[str] = set()
        self.server = MockServer(self.handle)

    def handle(self, request: Any) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.google.issued or token in self.revoked:
            return Reply.json(
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials.",
                        "status": "UNAUTHENTICATED",
                    }
                },
                status=401,
            )
        if request.path.endswith(":streamGenerateContent?alt=sse"):
            return EXCHANGES["stream"]
        return Reply.json(answer([{"text": TEXT}]))


@pytest.fixture
def vertex(google: GoogleTokenServer) -> Any:
    v = Vertex(google)
    with v.server, plugins.registered(VertexaiProvider):
        yield v


def client(vertex: Vertex, **kw: Any) -> AnyLLM:
    return AnyLLM.create("vertexai", api_base=vertex.server.url, max_retries=0, **kw)


def test_service_account_file_sync_async_stream(sa_file: Path, google: GoogleTokenServer, vertex: Vertex) -> None:
    with client(vertex) as c:
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
        assert asyncio.run(c.acompletion(MODEL, MESSAGES)).choices[0].message.content == TEXT
        chunks = list(c.completion(MODEL, MESSAGES, stream=True))
    assert "".join(ch.choices[0].delta.content or "" for ch in chunks) == "".join(WORDS)
    assert len(google.verified) == 1  # one JWT exchange, verified against the public key, then cached
    claims = google.verified[0]["claims"]
    assert claims["iss"] == CLIENT_EMAIL and claims["aud"] == google.token_uri
    assert google.verified[0]["header"]["kid"] == "5d41402abc4b2a76b9719d911017c592"
    paths = [r.path for r in vertex.server.requests]
    assert paths == [f"{PATH}:generateContent", f"{PATH}:generateContent", f"{PATH}:streamGenerateContent?alt=sse"]
    assert {r.headers["authorization"] for r in vertex.server.requests} == {f"Bearer {google.issued[0]}"}


@pytest.mark.parametrize("pkcs8", [True, False])
def test_both_pem_forms_sign_verifiably(
    clean_google_env: Path, rsa_key: Any, google: GoogleTokenServer, vertex: Vertex, pkcs8: bool
) -> None:
    info = {**service_account_info(rsa_key, google.token_uri), "private_key": pem(rsa_key, pkcs8)}
    with client(vertex, credentials=info) as c:
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert len(google.verified) == 1


def test_wrong_key_is_refused_by_the_endpoint_and_nothing_leaks(
    clean_google_env: Path, google: GoogleTokenServer, vertex: Vertex, caplog: pytest.LogCaptureFixture
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info = service_account_info(other, google.token_uri)
    caplog.set_level(logging.DEBUG)
    with client(vertex, credentials=info) as c, pytest.raises(errors.AuthenticationError) as exc:
        c.completion(MODEL, MESSAGES)
    assert "Invalid JWT Signature." in str(exc.value)
    assert exc.value.provider == "vertexai"
    assert vertex.server.requests == []
    key_body = "".join(info["private_key"].splitlines()[1:-1])
    for text in (str(exc.value), repr(exc.value), caplog.text):
        assert key_body[:40] not in text and "assertion=" not in text


def test_401_exchanges_a_new_jwt_and_resends(sa_file: Path, google: GoogleTokenServer, vertex: Vertex) -> None:
    with client(vertex) as c:
        c.completion(MODEL, MESSAGES)
        vertex.revoked.add(google.issued[0])
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert len(google.verified) == 2
    assert [r.headers["authorization"] for r in vertex.server.requests] == [
        f"Bearer {google.issued[0]}",
        f"Bearer {google.issued[0]}",
        f"Bearer {google.issued[1]}",
    ]


def test_gcloud_user_credentials_from_cloudsdk_config(
    clean_google_env: Path, google: GoogleTokenServer, vertex: Vertex, monkeypatch: pytest.MonkeyPatch
) -> None:
    gcloud = clean_google_env / "gcloud"
    gcloud.mkdir()
    (gcloud / "application_default_credentials.json").write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
                "client_secret": CLIENT_SECRET,
                "refresh_token": REFRESH_TOKEN,
                "quota_project_id": "billing-project-7",
                "token_uri": google.token_uri,
            }
        )
    )
    monkeypatch.setenv("VERTEXAI_PROJECT", PROJECT)
    with client(vertex) as c:
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    (token_request,) = google.server.requests
    assert "grant_type=refresh_token" in token_request.body.decode()
    (request,) = vertex.server.requests
    assert request.headers["x-goog-user-project"] == "billing-project-7"
    assert request.path == f"{PATH}:generateContent"


def test_metadata_server(
    clean_google_env: Path, google: GoogleTokenServer, vertex: Vertex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GCE_METADATA_HOST", google.server.url.removeprefix("http://"))
    with client(vertex, project=PROJECT, location="europe-west4") as c:
        assert asyncio.run(c.acompletion(MODEL, MESSAGES)).choices[0].message.content == TEXT
    (token_request,) = google.server.requests
    assert token_request.method == "GET" and token_request.headers["metadata-flavor"] == "Google"
    assert vertex.server.requests[0].path.startswith(f"/v1/projects/{PROJECT}/locations/europe-west4/")


def test_no_credentials_anywhere(clean_google_env: Path, vertex: Vertex, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    with client(vertex, project=PROJECT) as c, pytest.raises(errors.AuthenticationError, match="no Google credentials"):
        c.completion(MODEL, MESSAGES)


def test_project_is_required(clean_google_env: Path, google: GoogleTokenServer) -> None:
    provider = VertexaiProvider(
        api_base="https://x.invalid",
        credentials={"type": "authorized_user", "client_id": "a", "client_secret": "b", "refresh_token": "c"},
    )
    with pytest.raises(errors.ConfigurationError, match="VERTEXAI_PROJECT"):
        provider.build_completion_request(build_params(MODEL, MESSAGES, {}, {}))


@pytest.mark.parametrize(
    ("location", "host"),
    [("us-central1", "https://us-central1-aiplatform.googleapis.com"), ("global", "https://aiplatform.googleapis.com")],
)
def test_default_endpoint_follows_the_location(
    clean_google_env: Path, monkeypatch: pytest.MonkeyPatch, location: str, host: str
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p1")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", location)
    provider = VertexaiProvider(api_base=VertexaiProvider.default_api_base)
    request = provider.build_completion_request(build_params(MODEL, MESSAGES, {}, {}))
    assert request.url == f"{host}/v1/projects/p1/locations/{location}/publishers/google/models/{MODEL}:generateContent"


def test_express_mode_uses_the_key_and_the_global_endpoint(clean_google_env: Path) -> None:
    provider = VertexaiProvider(api_key="AIzaSy-test-express-key-000", api_base=VertexaiProvider.default_api_base)
    request = provider.build_completion_request(build_params(MODEL, MESSAGES, {}, {}))
    assert request.url == f"https://aiplatform.googleapis.com/v1/publishers/google/models/{MODEL}:generateContent"
    assert provider.auth_headers() == {"x-goog-api-key": "AIzaSy-test-express-key-000"}
    assert provider.token_auth() is None


def test_unsupported_credentials_type(clean_google_env: Path) -> None:
    provider = VertexaiProvider(api_base="https://x.invalid", credentials={"type": "gdch_service_account"}, project="p")
    with pytest.raises(errors.ConfigurationError, match="gdch_service_account"):
        provider.token_auth()
    # an external_account file without its fields says what it lacks
    provider = VertexaiProvider(api_base="https://x.invalid", credentials={"type": "external_account"}, project="p")
    with pytest.raises(errors.ConfigurationError, match="external_account credentials: the file lacks audience"):
        provider.token_auth()


def test_embeddings_through_predict(sa_file: Path, google: GoogleTokenServer, vertex: Vertex) -> None:
    vertex.server.queue(
        Reply.json({"predictions": [{"embeddings": {"values": [0.5, 0.25], "statistics": {"token_count": 3}}}]})
    )
    with client(vertex) as c:
        out = c.embedding("text-embedding-005", "hello", dimensions=2, task_type="RETRIEVAL_QUERY")
    assert out.data[0].embedding == [0.5, 0.25] and out.usage.prompt_tokens == 3
    (request,) = vertex.server.requests
    assert (
        request.path
        == f"/v1/projects/{PROJECT}/locations/us-central1/publishers/google/models/text-embedding-005:predict"
    )
    assert request.json == {
        "instances": [{"content": "hello", "task_type": "RETRIEVAL_QUERY"}],
        "parameters": {"outputDimensionality": 2},
    }
    assert request.headers["authorization"] == f"Bearer {google.issued[0]}"


def test_embeddings_of_the_wrong_shape_are_typed() -> None:
    provider = VertexaiProvider(api_key="AIzaSy-test-express-key-000", api_base="https://x.invalid")
    for body in (b"{}", b'{"predictions": [{"embeddings": {"values": ["x"]}}]}', b"[]"):
        with pytest.raises(errors.ResponseValidationError):
            provider.parse_embedding(body, "m")
