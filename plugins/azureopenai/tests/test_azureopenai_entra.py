"""Microsoft Entra ID for Azure OpenAI through the real transport: azure_ad_token, azure_ad_token_provider
(sync and async), a credential object, token caching until expires_on, and one refresh on a 401.
The [identity] extra with the real azure-identity package: test_azureopenai_identity.py."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from anyllm_azureopenai import AzureopenaiProvider

import any_llm
from any_llm import AnyLLM, api, errors, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MESSAGES, TEXT, completion_json

MODEL = "my-gpt-4o"
SCOPE = "https://cognitiveservices.azure.com/.default"


class AccessToken:
    """azure.core.credentials.AccessToken's shape."""

    def __init__(self, token: str, expires_on: float) -> None:
        self.token, self.expires_on = token, expires_on


@pytest.fixture(autouse=True)
def no_ambient_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # the [identity] extra is not installed


@pytest.fixture
def server() -> Iterator[MockServer]:
    def handle(request: Any) -> Reply:
        if request.headers.get("authorization", "").startswith("Bearer entra-"):
            return Reply.json(completion_json({"role": "assistant", "content": TEXT}))
        return Reply.json({"error": {"code": "401", "message": "Access denied due to invalid token"}}, status=401)

    with MockServer(handle) as s, plugins.registered(AzureopenaiProvider):
        yield s


def create(server: MockServer, **kw: Any) -> AnyLLM:
    return AnyLLM.create("azureopenai", api_base=server.url, max_retries=0, **kw)


def test_token_provider_is_called_once_and_sent_as_bearer(server: MockServer) -> None:
    calls: list[int] = []

    def provider() -> str:
        calls.append(1)
        return "entra-token-sync-000001"

    with create(server, azure_ad_token_provider=provider) as client:
        for _ in range(3):
            assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert len(calls) == 1
    for request in server.requests:
        assert request.headers["authorization"] == "Bearer entra-token-sync-000001"
        assert "api-key" not in request.headers
        assert request.path.startswith(f"/openai/deployments/{MODEL}/chat/completions?api-version=")


def test_async_token_provider(server: MockServer) -> None:
    async def provider() -> str:
        await asyncio.sleep(0)
        return "entra-token-async-00002"

    client = create(server, azure_ad_token_provider=provider)

    async def main() -> list[Any]:
        return await asyncio.gather(*(client.acompletion(MODEL, MESSAGES) for _ in range(5)))

    assert [r.choices[0].message.content for r in asyncio.run(main())] == [TEXT] * 5
    with pytest.raises(errors.ConfigurationError, match="acompletion"):
        create(server, azure_ad_token_provider=provider).completion(MODEL, MESSAGES)
    client.close()


def test_static_token_and_env_token(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with create(server, azure_ad_token="entra-static-token-0003") as client:
        client.completion(MODEL, MESSAGES)
    monkeypatch.setenv("AZURE_OPENAI_AD_TOKEN", "entra-env-token-000004")
    with create(server) as client:
        client.completion(MODEL, MESSAGES)
    assert [r.headers["authorization"] for r in server.requests] == [
        "Bearer entra-static-token-0003",
        "Bearer entra-env-token-000004",
    ]


def test_credential_object_gets_the_cognitive_services_scope_and_is_refreshed(server: MockServer) -> None:
    scopes: list[str] = []

    class Credential:
        def get_token(self, *requested: str) -> AccessToken:
            scopes.extend(requested)
            # lives 4 s: stale after 2 s (the refresh margin is capped at half the lifetime)
            return AccessToken(f"entra-cred-{len(scopes):04d}-token", time.time() + 4)

    with create(server, credential=Credential()) as client:
        client.completion(MODEL, MESSAGES)
        client.completion(MODEL, MESSAGES)
        time.sleep(2.2)
        client.completion(MODEL, MESSAGES)
    assert scopes == [SCOPE, SCOPE]
    assert [r.headers["authorization"] for r in server.requests] == [
        "Bearer entra-cred-0001-token",
        "Bearer entra-cred-0001-token",
        "Bearer entra-cred-0002-token",
    ]


def test_no_key_and_no_entra_says_both_ways(server: MockServer) -> None:
    with pytest.raises(errors.MissingApiKeyError) as info:
        create(server)
    message = str(info.value)
    assert "AZURE_OPENAI_API_KEY" in message and "azure_ad_token_provider" in message and "[identity]" in message


def test_key_wins_over_entra_and_401_refreshes_the_provider_once(server: MockServer) -> None:
    with create(server, api_key="azure-key-0123456789") as client, pytest.raises(errors.AuthenticationError):
        client.completion(MODEL, MESSAGES)
    assert server.requests[0].headers["api-key"] == "azure-key-0123456789"
    assert "authorization" not in server.requests[0].headers

    tokens = iter(["stale-token-rejected-01", "entra-fresh-token-0002"])
    with create(server, azure_ad_token_provider=lambda: next(tokens)) as client:
        assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
    assert [r.headers.get("authorization") for r in server.requests[1:]] == [
        "Bearer stale-token-rejected-01",
        "Bearer entra-fresh-token-0002",
    ]


def test_through_completion_client_args(server: MockServer) -> None:
    api.close_clients("azureopenai")
    out = any_llm.completion(
        model=MODEL,
        provider="azureopenai",
        messages=MESSAGES,
        api_base=server.url,
        client_args={"azure_ad_token_provider": lambda: "entra-client-args-0006"},
    )
    api.close_clients("azureopenai")
    assert out.choices[0].message.content == TEXT
    assert server.requests[0].headers["authorization"] == "Bearer entra-client-args-0006"


def test_two_entra_options_are_refused(server: MockServer) -> None:
    with pytest.raises(errors.ConfigurationError, match="not several"):
        create(server, azure_ad_token="a-token-000000001", azure_ad_token_provider=lambda: "x")
