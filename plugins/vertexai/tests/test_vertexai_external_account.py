"""Workload identity federation (``external_account`` credentials) through the real transport: a local
Security Token Service checks the RFC 8693 token-exchange form (audience, subject token and its type,
scope, client authentication), a local IAM Credentials endpoint checks the impersonation call, and
Vertex accepts only the tokens they issued. File-sourced (text and JSON, re-read at each fetch) and
url-sourced subject tokens; caching, a 401 refresh, refusals without secrets in the message."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from anyllm_vertexai import VertexaiProvider

from any_llm import errors, plugins
from any_llm.client import AnyLLM
from any_llm.testing import MockServer, RecordedRequest, Reply

from .test_vertexai_conformance import MODEL, TEXT, answer

AUDIENCE = "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ci-pool/providers/github"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
SA = "vertex-caller@my-project.iam.gserviceaccount.com"
PROJECT = "my-project"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
SCOPE = "https://www.googleapis.com/auth/cloud-platform"


class Google:
    """STS, IAM Credentials, a subject-token URL and Vertex, on one local server."""

    def __init__(self) -> None:
        self.subjects = {"subject-jwt-0001", "subject-jwt-0002", "subject-from-url-0003"}
        self.sts_forms: list[dict[str, str]] = []
        self.sts_auth: list[str | None] = []
        self.federated: list[str] = []
        self.impersonated: list[str] = []
        self.lifetime = 3600
        self.vertex_401 = 0
        self.server = MockServer(self.handle)

    def handle(self, r: RecordedRequest) -> Reply:
        path = r.path.split("?")[0]
        if path == "/v1/token":
            form = dict(parse_qsl(r.body.decode()))
            self.sts_forms.append(form)
            self.sts_auth.append(r.headers.get("authorization"))
            if form.get("subject_token") not in self.subjects or form.get("audience") != AUDIENCE:
                return Reply.json(
                    {"error": "invalid_grant", "error_description": "The subject token could not be verified."}, 400
                )
            token = f"federated-{len(self.federated) + 1:04d}"
            self.federated.append(token)
            return Reply.json(
                {
                    "access_token": token,
                    "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                    "token_type": "Bearer",
                    "expires_in": self.lifetime,
                }
            )
        if path == f"/v1/projects/-/serviceAccounts/{SA}:generateAccessToken":
            if r.headers.get("authorization", "").removeprefix("Bearer ") not in self.federated:
                return Reply.json({"error": {"code": 401, "message": "bad federated token"}}, 401)
            assert r.json["scope"] == [SCOPE]
            token = f"impersonated-{len(self.impersonated) + 1:04d}"
            self.impersonated.append(token)
            expire = time.strftime("%Y-%m-%dT%H:%M:%S.123456789Z", time.gmtime(time.time() + self.lifetime))
            return Reply.json({"accessToken": token, "expireTime": expire})
        if path == "/subject":
            if r.headers.get("metadata") != "True":
                return Reply.json({"error": "missing header"}, 403)
            return Reply.json({"value": "subject-from-url-0003"})
        if ":generateContent" in path:
            token = r.headers.get("authorization", "").removeprefix("Bearer ")
            if self.vertex_401:
                self.vertex_401 -= 1
                return Reply.json({"error": {"code": 401, "message": "expired", "status": "UNAUTHENTICATED"}}, 401)
            if token in self.federated or token in self.impersonated:
                return Reply.json(answer([{"text": TEXT}]))
            return Reply.json({"error": {"code": 401, "message": "bad token", "status": "UNAUTHENTICATED"}}, 401)
        return Reply.json({"error": f"no route {path}"}, 404)


@pytest.fixture
def google(clean_google_env: Path) -> Iterator[Google]:
    g = Google()
    with g.server, plugins.registered(VertexaiProvider):
        yield g


def config(g: Google, source: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "external_account",
        "audience": AUDIENCE,
        "subject_token_type": JWT_TYPE,
        "token_url": f"{g.server.url}/v1/token",
        "credential_source": source,
        **extra,
    }


def client(g: Google, credentials: dict[str, Any]) -> AnyLLM:
    return AnyLLM.create("vertexai", api_base=g.server.url, credentials=credentials, project=PROJECT, max_retries=0)


def test_file_sourced_text_token_is_exchanged_cached_and_re_read(google: Google, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("subject-jwt-0001\n")
    google.lifetime = 4  # stale after 2 s
    with client(google, config(google, {"file": str(token_file)})) as c:
        c.completion(MODEL, MESSAGES)
        c.completion(MODEL, MESSAGES)
        token_file.write_text("subject-jwt-0002")  # rotated, as Kubernetes does
        time.sleep(2.2)
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert [f["subject_token"] for f in google.sts_forms] == ["subject-jwt-0001", "subject-jwt-0002"]
    form = google.sts_forms[0]
    assert form == {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "audience": AUDIENCE,
        "scope": SCOPE,
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "subject_token": "subject-jwt-0001",
        "subject_token_type": JWT_TYPE,
    }
    vertex = [r for r in google.server.requests if ":generateContent" in r.path]
    assert [r.headers["authorization"] for r in vertex] == [
        "Bearer federated-0001",
        "Bearer federated-0001",
        "Bearer federated-0002",
    ]


def test_json_file_client_auth_quota_project_and_a_401_refresh(google: Google, tmp_path: Path) -> None:
    token_file = tmp_path / "token.json"
    token_file.write_text(json.dumps({"id_token": "subject-jwt-0001", "other": 1}))
    creds = config(
        google,
        {"file": str(token_file), "format": {"type": "json", "subject_token_field_name": "id_token"}},
        client_id="sts-client-id",
        client_secret="sts-client-secret-value",
        quota_project_id="billing-project",
    )
    google.vertex_401 = 1
    with client(google, creds) as c:
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert len(google.sts_forms) == 2  # the 401 fetched a new token once, then resent once
    basic = base64.b64encode(b"sts-client-id:sts-client-secret-value").decode()
    assert google.sts_auth == [f"Basic {basic}"] * 2
    vertex = [r for r in google.server.requests if ":generateContent" in r.path]
    assert [r.headers["authorization"] for r in vertex] == ["Bearer federated-0001", "Bearer federated-0002"]
    assert all(r.headers["x-goog-user-project"] == "billing-project" for r in vertex)


def test_url_sourced_token_with_impersonation(google: Google) -> None:
    creds = config(
        google,
        {
            "url": f"{google.server.url}/subject",
            "headers": {"Metadata": "True"},
            "format": {"type": "json", "subject_token_field_name": "value"},
        },
        service_account_impersonation_url=(
            f"{google.server.url}/v1/projects/-/serviceAccounts/{SA}:generateAccessToken"
        ),
        service_account_impersonation={"token_lifetime_seconds": 1800},
    )
    c = client(google, creds)

    async def many() -> list[Any]:
        return await asyncio.gather(*(c.acompletion(MODEL, MESSAGES) for _ in range(5)))

    assert [r.choices[0].message.content for r in asyncio.run(many())] == [TEXT] * 5
    c.close()
    assert [f["subject_token"] for f in google.sts_forms] == ["subject-from-url-0003"]
    assert google.impersonated == ["impersonated-0001"]
    impersonation = next(r for r in google.server.requests if "generateAccessToken" in r.path)
    assert impersonation.json == {"scope": [SCOPE], "lifetime": "1800s"}
    assert impersonation.headers["authorization"] == "Bearer federated-0001"
    vertex = [r for r in google.server.requests if ":generateContent" in r.path]
    assert {r.headers["authorization"] for r in vertex} == {"Bearer impersonated-0001"}


def test_workforce_pool_user_project_goes_in_options(google: Google, tmp_path: Path) -> None:
    (tmp_path / "t").write_text("subject-jwt-0001")
    creds = config(google, {"file": str(tmp_path / "t")}, workforce_pool_user_project="workforce-proj")
    with client(google, creds) as c:
        c.completion(MODEL, MESSAGES)
    assert json.loads(google.sts_forms[0]["options"]) == {"userProject": "workforce-proj"}


def test_a_refused_subject_token_is_an_authentication_error_without_it(google: Google, tmp_path: Path) -> None:
    (tmp_path / "t").write_text("not-a-trusted-subject-token-999")
    creds = config(google, {"file": str(tmp_path / "t")}, client_id="id", client_secret="sts-client-secret-value")
    with client(google, creds) as c, pytest.raises(errors.AuthenticationError) as info:
        c.completion(MODEL, MESSAGES)
    message = str(info.value)
    assert "invalid_grant" in message and "audience" in message
    assert "not-a-trusted-subject-token-999" not in message and "sts-client-secret-value" not in message
    assert not [r for r in google.server.requests if ":generateContent" in r.path]


def test_a_missing_token_file_names_the_file(google: Google, tmp_path: Path) -> None:
    with (
        client(google, config(google, {"file": str(tmp_path / "absent")})) as c,
        pytest.raises(errors.AuthenticationError, match="absent"),
    ):
        c.completion(MODEL, MESSAGES)
    assert google.server.requests == []


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ({"environment_id": "aws2", "regional_cred_verification_url": "https://sts"}, "only aws1"),
        ({"environment_id": "aws1"}, "regional_cred_verification_url"),
        ({"executable": {"command": "/bin/true"}}, "executable"),
        ({}, "exactly one of file or url"),
        ({"file": "/t", "format": {"type": "json"}}, "subject_token_field_name"),
    ],
)
def test_unsupported_sources_are_refused_with_a_reason(google: Google, source: dict[str, Any], match: str) -> None:
    provider = VertexaiProvider(api_base=google.server.url, credentials=config(google, source), project=PROJECT)
    with pytest.raises(errors.ConfigurationError, match=match):
        provider.token_auth()


def test_from_google_application_credentials(google: Google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").write_text("subject-jwt-0001")
    path = tmp_path / "wif.json"
    path.write_text(json.dumps(config(google, {"file": str(tmp_path / "t")})))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    with AnyLLM.create("vertexai", api_base=google.server.url, project=PROJECT, max_retries=0) as c:
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert len(google.sts_forms) == 1


# -- AWS: a signed GetCallerIdentity as the subject token -------------------------------------------

AWS_TYPE = "urn:ietf:params:aws:token-type:aws4_request"
VERIFY_URL = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
AKID, AWS_SECRET, AWS_SESSION = (
    "ASIARELIABLEKEY00001",
    "aws-secret/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "aws-session-token-0001",
)


def check_aws_subject(token: str, region: str, secrets: dict[str, str], session: str | None) -> dict[str, str]:
    """What Google's STS does with an AWS subject token: decode it and verify its SigV4 signature (botocore)."""
    from urllib.parse import unquote

    from any_llm.testing.aws import verify_sigv4

    request = json.loads(unquote(token))
    assert request["url"] == VERIFY_URL.format(region=region) and request["method"] == "POST"
    headers = {h["key"]: h["value"] for h in request["headers"]}
    assert [h["key"] for h in request["headers"]] == sorted(headers)
    assert headers["x-goog-cloud-target-resource"] == AUDIENCE
    signed = headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert "x-goog-cloud-target-resource" in signed  # the audience is bound to the signature
    recorded = RecordedRequest("POST", "/?Action=GetCallerIdentity&Version=2011-06-15", headers, b"")
    verdict = verify_sigv4(
        recorded, secrets, service="sts", region=region, session_tokens={AKID: session} if session else None
    )
    assert verdict is None, verdict
    return headers


def test_aws_source_with_keys_from_the_environment(google: Google, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("botocore")
    monkeypatch.setenv("AWS_REGION", "us-east-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", AWS_SESSION)
    creds = config(
        google,
        {"environment_id": "aws1", "regional_cred_verification_url": VERIFY_URL},
        subject_token_type=AWS_TYPE,
    )
    google.subjects = set()
    seen: list[str] = []
    handle = google.handle

    def sts_accepting_aws(r: RecordedRequest) -> Reply:
        if r.path == "/v1/token":
            subject = dict(parse_qsl(r.body.decode()))["subject_token"]
            check_aws_subject(subject, "us-east-2", {AKID: AWS_SECRET}, AWS_SESSION)
            seen.append(subject)
            google.subjects.add(subject)
        return handle(r)

    google.server.handler = sts_accepting_aws
    with client(google, creds) as c:
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert len(seen) == 1 and google.sts_forms[0]["subject_token_type"] == AWS_TYPE
    headers = check_aws_subject(seen[0], "us-east-2", {AKID: AWS_SECRET}, AWS_SESSION)
    assert headers["x-amz-security-token"] == AWS_SESSION and AWS_SECRET not in seen[0]


def test_aws_source_from_instance_metadata_with_imdsv2(google: Google, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("botocore")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    metadata_calls: list[tuple[str, str, str | None]] = []
    handle = google.handle

    def with_metadata(r: RecordedRequest) -> Reply:
        path = r.path.split("?")[0]
        if path.startswith("/latest/"):
            metadata_calls.append((r.method, path, r.headers.get("x-aws-ec2-metadata-token")))
            if path == "/latest/api/token":
                assert r.method == "PUT" and r.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "300"
                return Reply.text("imds-session-0001")
            if r.headers.get("x-aws-ec2-metadata-token") != "imds-session-0001":
                return Reply.text("unauthorized", 401)
            if path == "/latest/meta-data/placement/availability-zone":
                return Reply.text("eu-west-3b")
            if path == "/latest/meta-data/iam/security-credentials":
                return Reply.text("vertex-role")
            if path == "/latest/meta-data/iam/security-credentials/vertex-role":
                return Reply.json({"AccessKeyId": AKID, "SecretAccessKey": AWS_SECRET, "Token": AWS_SESSION})
        if path == "/v1/token":
            subject = dict(parse_qsl(r.body.decode()))["subject_token"]
            check_aws_subject(subject, "eu-west-3", {AKID: AWS_SECRET}, AWS_SESSION)
            google.subjects.add(subject)
        return handle(r)

    google.server.handler = with_metadata
    base = google.server.url
    creds = config(
        google,
        {
            "environment_id": "aws1",
            "region_url": f"{base}/latest/meta-data/placement/availability-zone",
            "url": f"{base}/latest/meta-data/iam/security-credentials",
            "regional_cred_verification_url": VERIFY_URL,
            "imdsv2_session_token_url": f"{base}/latest/api/token",
        },
        subject_token_type=AWS_TYPE,
    )
    with client(google, creds) as c:
        assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert [(m, p) for m, p, _ in metadata_calls] == [
        ("PUT", "/latest/api/token"),
        ("GET", "/latest/meta-data/placement/availability-zone"),
        ("GET", "/latest/meta-data/iam/security-credentials"),
        ("GET", "/latest/meta-data/iam/security-credentials/vertex-role"),
    ]
    assert all(token == "imds-session-0001" for _, _, token in metadata_calls[1:])


# -- impersonated_service_account (gcloud ... --impersonate-service-account) -------------------------


def test_impersonated_service_account_from_gcloud_user_credentials(google: Google, tmp_path: Path) -> None:
    """The source (gcloud's refresh-token grant, verified by the JWT-strict token endpoint) gets a token that
    buys the target service account's; Vertex sees only the impersonated token."""
    from anyllm_vertexai.testing import CLIENT_SECRET, REFRESH_TOKEN

    handle = google.handle
    refreshes: list[dict[str, str]] = []

    def with_oauth(r: RecordedRequest) -> Reply:
        if r.path == "/token":
            form = dict(parse_qsl(r.body.decode()))
            refreshes.append(form)
            if form.get("refresh_token") != REFRESH_TOKEN or form.get("client_secret") != CLIENT_SECRET:
                return Reply.json({"error": "invalid_grant"}, 400)
            google.federated.append("ya29.user-token-0001")  # the IAM endpoint accepts it as a source token
            return Reply.json({"access_token": "ya29.user-token-0001", "expires_in": 3599})
        return handle(r)

    google.server.handler = with_oauth
    creds = {
        "type": "impersonated_service_account",
        "service_account_impersonation_url": f"{google.server.url}/v1/projects/-/serviceAccounts/{SA}:generateAccessToken",
        "delegates": [],
        "quota_project_id": "billing-project",
        "source_credentials": {
            "type": "authorized_user",
            "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
            "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "token_uri": f"{google.server.url}/token",
        },
    }
    with client(google, creds) as c:
        c.completion(MODEL, MESSAGES)
        c.completion(MODEL, MESSAGES)
    assert len(refreshes) == 1 and google.impersonated == ["impersonated-0001"]
    impersonation = next(r for r in google.server.requests if "generateAccessToken" in r.path)
    assert impersonation.headers["authorization"] == "Bearer ya29.user-token-0001"
    assert impersonation.json == {"scope": [SCOPE], "lifetime": "3600s"}
    vertex = [r for r in google.server.requests if ":generateContent" in r.path]
    assert [r.headers["authorization"] for r in vertex] == ["Bearer impersonated-0001"] * 2
    assert all(r.headers["x-goog-user-project"] == "billing-project" for r in vertex)


def test_impersonation_refused_names_the_role_to_grant(google: Google, tmp_path: Path) -> None:
    (tmp_path / "t").write_text("subject-jwt-0001")
    creds = config(
        google,
        {"file": str(tmp_path / "t")},
        service_account_impersonation_url=f"{google.server.url}/v1/projects/-/serviceAccounts/other@x:generateAccessToken",
    )
    with client(google, creds) as c, pytest.raises(errors.AuthenticationError, match="workloadIdentityUser"):
        c.completion(MODEL, MESSAGES)
