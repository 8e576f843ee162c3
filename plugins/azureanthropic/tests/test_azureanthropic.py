"""Claude in Microsoft Foundry: the conformance kit (api-key), the endpoint from a resource name,
Entra ID bearer tokens (scope https://ai.azure.com/.default), and errors naming this provider."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from anyllm_anthropic.testing import error_reply, messages_exchanges
from anyllm_azureanthropic import AzureanthropicProvider

from any_llm import AnyLLM, errors, plugins
from any_llm.params import build_params
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MESSAGES, TEXT, ProviderConformance

MODEL = "claude-sonnet-4-5"


EXCHANGES: dict[str, Reply] = messages_exchanges(
    model="claude-sonnet-4-20250514",
    # Foundry's gateway, not Claude, refuses a bad key or token (Azure's error shape) and meters the quota
    error_401=Reply.json(
        {
            "error": {
                "code": "401",
                "message": "Access denied due to invalid subscription key or wrong API endpoint.",
            }
        },
        401,
    ),
    error_429=error_reply(
        429, "rate_limit_error", "Rate limit is exceeded. Try again in 7 seconds.", {"retry-after": "7"}
    ),
)


@pytest.fixture(autouse=True)
def no_ambient(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_ANTHROPIC_RESOURCE", "ANTHROPIC_FOUNDRY_RESOURCE", "AZURE_OPENAI_AD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(sys.modules, "azure.identity", None)


class TestAzureanthropicConformance(ProviderConformance):
    provider_class = AzureanthropicProvider
    model = MODEL
    base_path = "/anthropic"

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return EXCHANGES[scenario]

    def messages_exchange(self, scenario: str) -> Reply | list[Reply]:
        """messages() is native here: the Messages-shaped answers of the completion scenarios serve it."""
        return EXCHANGES[scenario]


def test_endpoint_from_the_resource_name() -> None:
    provider = AzureanthropicProvider(
        api_key="foundry-key-0123456789", api_base=AzureanthropicProvider.default_api_base, resource="my-foundry"
    )
    request = provider.build_completion_request(build_params(MODEL, MESSAGES, {}, {}))
    assert request.url == "https://my-foundry.services.ai.azure.com/anthropic/v1/messages"
    assert request.json["model"] == MODEL and request.headers["anthropic-version"] == "2023-06-01"
    bare = AzureanthropicProvider(api_key="foundry-key-0123456789", api_base=AzureanthropicProvider.default_api_base)
    with pytest.raises(errors.ConfigurationError, match="AZURE_ANTHROPIC_RESOURCE") as info:
        bare.build_completion_request(build_params(MODEL, MESSAGES, {}, {}))
    assert info.value.provider == "azureanthropic"


def test_entra_token_and_errors_name_this_provider() -> None:
    scopes: list[str] = []

    class Credential:
        def get_token(self, scope: str) -> Any:
            scopes.append(scope)
            return type("AccessToken", (), {"token": "entra-foundry-0000001", "expires_on": 4102444800})()

    with plugins.registered(AzureanthropicProvider), MockServer() as server:
        server.queue(EXCHANGES["plain"], EXCHANGES["error_429"])
        with AnyLLM.create(
            "azureanthropic", api_base=server.url + "/anthropic", credential=Credential(), max_retries=0
        ) as c:
            assert c.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
            with pytest.raises(errors.RateLimitError) as info:
                c.completion(MODEL, MESSAGES)
    assert info.value.provider == "azureanthropic"
    assert scopes == ["https://ai.azure.com/.default"]
    assert server.requests[0].path == "/anthropic/v1/messages"
    assert server.requests[0].headers["authorization"] == "Bearer entra-foundry-0000001"
    assert "api-key" not in server.requests[0].headers


def test_no_key_and_no_entra() -> None:
    with (
        plugins.registered(AzureanthropicProvider),
        pytest.raises(errors.MissingApiKeyError, match="AZURE_ANTHROPIC_API_KEY"),
    ):
        AnyLLM.create("azureanthropic", api_base="https://x.invalid/anthropic")


def test_messages_natively_on_the_resource_endpoint() -> None:
    provider = AzureanthropicProvider(
        api_key="foundry-key-0123456789", api_base=AzureanthropicProvider.default_api_base, resource="my-foundry"
    )
    request = provider.build_messages_request({"model": MODEL, "max_tokens": 8, "messages": MESSAGES})
    assert request.url == "https://my-foundry.services.ai.azure.com/anthropic/v1/messages"
    with plugins.registered(AzureanthropicProvider), MockServer() as server:
        server.queue(EXCHANGES["plain"])
        with AnyLLM.create("azureanthropic", api_key="foundry-key-0123456789", api_base=server.url + "/anthropic") as c:
            assert c.messages(MODEL, MESSAGES, 8).text == TEXT
    assert server.requests[0].path == "/anthropic/v1/messages"
    assert server.requests[0].headers["api-key"] == "foundry-key-0123456789"
