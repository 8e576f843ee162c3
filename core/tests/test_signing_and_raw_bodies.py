"""Core's contract additions: raw bodies, sign_request over the final bytes on every attempt and
redirect, client_options routed to the provider, and AWS credential/region resolution order."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from any_llm import errors, plugins
from any_llm.aws import AWSCredentials, load_profile, resolve_credentials, resolve_region
from any_llm.client import AnyLLM
from any_llm.provider import HTTPRequest, Provider, Secret
from any_llm.transport import Transport


class Signing(Provider):
    """Signs the sha256 of method, URL, a header and the body, with an attempt counter."""

    name = "signing-test"
    default_api_base = "http://signing.invalid"
    requires_api_key = False
    client_options: ClassVar[frozenset[str]] = frozenset({"region_name"})

    def __init__(self, api_key: str | None = None, api_base: str | None = None, *, region_name: str = "none") -> None:
        super().__init__(api_key=api_key, api_base=api_base)
        self.region = region_name
        self.calls = 0

    def sign_request(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        self.calls += 1
        digest = hashlib.sha256(f"{method} {url} {headers.get('x-extra')}".encode() + body).hexdigest()
        return {"X-Sig": digest, "X-Attempt": str(self.calls)}


def expected(request: httpx.Request) -> str:
    return hashlib.sha256(
        f"{request.method} {request.url} {request.headers.get('x-extra')}".encode() + request.content
    ).hexdigest()


def test_every_attempt_and_redirect_is_signed_over_what_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    import any_llm.transport

    monkeypatch.setattr(any_llm.transport, "backoff", lambda attempt: 0.0)
    seen: list[tuple[dict[str, str], str, str]] = []  # a snapshot per attempt (a retry reuses the Request)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((dict(request.headers), str(request.url), expected(request)))
        assert request.content == body
        if len(seen) == 1:
            return httpx.Response(503, json={"error": "busy"})
        if len(seen) == 2:
            return httpx.Response(307, headers={"location": "/moved?b=2"})
        return httpx.Response(200, json={"ok": True})

    body = b"\x00\x01raw bytes\xff"
    provider = Signing()
    transport = Transport(
        headers={"x-extra": "default-header"}, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    request = HTTPRequest("POST", "v1/upload?a=1", content=body, headers={"Content-Type": "application/octet-stream"})
    response = transport.send(provider, request)
    assert response.status_code == 200
    assert [headers["x-attempt"] for headers, _, _ in seen] == ["1", "2", "3"]
    for headers, _, digest in seen:
        assert headers["x-sig"] == digest
        assert headers["content-type"] == "application/octet-stream"
    assert [url for _, url, _ in seen] == [
        "http://signing.invalid/v1/upload?a=1",
        "http://signing.invalid/v1/upload?a=1",
        "http://signing.invalid/moved?b=2",
    ]


def test_json_and_content_together_are_refused() -> None:
    transport = Transport(http_client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))))
    with pytest.raises(errors.ConfigurationError, match="both a JSON body and raw content"):
        transport.send(Signing(), HTTPRequest("POST", "x", json={"a": 1}, content=b"a"))


def test_unsigned_providers_are_not_touched() -> None:
    class Plain(Provider):
        name = "plain-test"
        default_api_base = "http://plain.invalid"

    seen: list[httpx.Request] = []
    transport = Transport(
        http_client=httpx.Client(transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200)))
    )
    transport.send(Plain(api_key="k" * 10), HTTPRequest("POST", "x", json={"a": 1}))
    assert "x-sig" not in seen[0].headers


def test_client_options_go_to_the_provider_not_httpx() -> None:
    with plugins.registered(Signing):
        client = AnyLLM.create("signing-test", region_name="mars-1", timeout=5)
        assert client.provider.region == "mars-1"  # type: ignore[attr-defined]
        client.close()
        with pytest.raises(errors.ConfigurationError, match="unknown client_args"):
            AnyLLM.create("signing-test", profile_name="x")


# -- AWS credentials and region --------------------------------------------------------------------


def _files(tmp_path: Path, credentials: str = "", config: str = "") -> dict[str, str]:
    (tmp_path / "c").write_text(credentials)
    (tmp_path / "k").write_text(config)
    return {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "c"), "AWS_CONFIG_FILE": str(tmp_path / "k")}


def _get(source: Any) -> AWSCredentials:
    assert source is not None
    creds: AWSCredentials = source()
    return creds


def test_resolution_order_arguments_env_profile(tmp_path: Path) -> None:
    env = {
        **_files(tmp_path, "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret-123\n"),
        "AWS_ACCESS_KEY_ID": "AKIDENV",
        "AWS_SECRET_ACCESS_KEY": "env-secret-1234",
        "AWS_SESSION_TOKEN": "env-token-12345",
    }
    assert (
        _get(resolve_credentials("AKIDARG", "arg-secret-1234", environ=env, use_botocore=False)).source == "arguments"
    )
    from_env = _get(resolve_credentials(environ=env, use_botocore=False))
    assert (from_env.access_key_id, from_env.session_token) == ("AKIDENV", Secret("env-token-12345"))
    del env["AWS_ACCESS_KEY_ID"]
    assert _get(resolve_credentials(environ=env, use_botocore=False)).access_key_id == "AKIDFILE"
    with pytest.raises(errors.ConfigurationError, match="both aws_access_key_id and aws_secret_access_key"):
        resolve_credentials("AKIDARG", None, environ=env, use_botocore=False)


def test_profiles_merge_files_and_credentials_file_wins(tmp_path: Path) -> None:
    env = _files(
        tmp_path,
        "[work]\naws_secret_access_key = from-credentials-file\n",
        "[default]\nregion = eu-west-1\n[profile work]\nregion = sa-east-1\naws_access_key_id = AKIDWORK\n"
        "aws_secret_access_key = from-config-file\n",
    )
    assert load_profile("work", env) == {
        "region": "sa-east-1",
        "aws_access_key_id": "AKIDWORK",
        "aws_secret_access_key": "from-credentials-file",
    }
    creds = _get(resolve_credentials(profile="work", environ=env, use_botocore=False))
    assert creds.secret_access_key.get() == "from-credentials-file"
    assert resolve_region(None, "work", env) == "sa-east-1"
    assert resolve_region(None, None, env) == "eu-west-1"
    assert resolve_region(None, None, {**env, "AWS_DEFAULT_REGION": "ca-central-1"}) == "ca-central-1"
    assert resolve_region(None, None, {**env, "AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "x-1"}) == "us-east-2"
    assert resolve_region("af-south-1", None, env) == "af-south-1"
    assert resolve_region(None, None, _files(tmp_path / "..")) == "us-east-1"
    with pytest.raises(errors.ConfigurationError, match="AWS region name"):
        resolve_region("us-east-1/evil", None, env)


def test_profile_needing_botocore_says_so_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import any_llm.aws

    env = _files(tmp_path, "", "[profile sso]\nsso_session = corp\nrole_arn = arn:aws:iam::1:role/x\n")
    monkeypatch.setattr(any_llm.aws, "use_botocore_available", lambda: False)
    with pytest.raises(errors.ConfigurationError, match=r"needs botocore: pip install 'anyllm-bedrock\[aws\]'"):
        resolve_credentials(profile="sso", environ=env, use_botocore=False)
    assert resolve_credentials(environ=_files(tmp_path), use_botocore=False) is None


def test_secrets_never_show() -> None:
    creds = AWSCredentials("AKIDSHOWN", Secret("super-secret-key-123"), Secret("super-session-token-456"), "arguments")
    text = f"{creds!r} {creds} {creds.secret_access_key!r}"
    assert "super-secret-key-123" not in text
    assert "super-session-token-456" not in text
    assert errors.redact("boom super-secret-key-123") == "boom ***"
