"""Claude in Microsoft Foundry: the conformance kit (api-key), the endpoint from a resource name,
Entra ID bearer tokens (scope https://ai.azure.com/.default), and errors naming this provider."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from anyllm_azureanthropic import AzureanthropicProvider

from any_llm import AnyLLM, errors, plugins
from any_llm.params import build_params
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import CITY, MESSAGES, TEXT, TOOL_ARGS, TOOL_NAME, USAGE, ProviderConformance

MODEL = "claude-sonnet-4-5"
TOOL_ID = "toolu_fdry_01A09q90qw90lq917835lq9"
ARGS = json.dumps(TOOL_ARGS)


def message(content: list[dict[str, Any]], stop: str) -> Reply:
    return Reply.json(
        {
            "id": "msg_fdry_013Zva2CMHLNnXjNJJKqJ2EF",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-20250514",
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": USAGE[0], "output_tokens": USAGE[1]},
        }
    )


def stream(blocks: list[dict[str, Any]], stop: str) -> Reply:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_fdry_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": "claude-sonnet-4-20250514",
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": USAGE[0], "output_tokens": 1},
        },
    }
    end = [
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": USAGE[1]},
        },
        {"type": "message_stop"},
    ]
    return Reply.sse([(e["type"], e) for e in [start, *blocks, *end]], done=False)


def error(status: int, kind: str, text: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"type": "error", "error": {"type": kind, "message": text}}, status, headers=headers)


WORDS = ["The capital", " of France", " is Paris", "."]
TEXT_BLOCKS: list[dict[str, Any]] = [
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    *({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}} for w in WORDS),
    {"type": "content_block_stop", "index": 0},
]
TOOL_BLOCKS: list[dict[str, Any]] = [
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": TOOL_ID, "name": TOOL_NAME, "input": {}},
    },
    *(
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": ARGS[i : i + 6]},
        }
        for i in range(0, len(ARGS), 6)
    ),
    {"type": "content_block_stop", "index": 0},
]
EXCHANGES: dict[str, Reply | list[Reply]] = {
    "plain": message([{"type": "text", "text": TEXT}], "end_turn"),
    "stream": stream(TEXT_BLOCKS, "end_turn"),
    "stream_usage": stream(TEXT_BLOCKS, "end_turn"),
    "tool_call": message([{"type": "tool_use", "id": TOOL_ID, "name": TOOL_NAME, "input": TOOL_ARGS}], "tool_use"),
    "stream_tool_call": stream(TOOL_BLOCKS, "tool_use"),
    "tool_round_trip": message([{"type": "text", "text": TEXT}], "end_turn"),
    "structured": message([{"type": "text", "text": json.dumps(CITY)}], "end_turn"),
    # Vertex's own 401 (Google's error shape) for a bad access token
    "error_401": Reply.json(
        {
            "error": {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED",
            }
        },
        401,
    ),
    "error_429": error(
        429, "rate_limit_error", "Rate limit is exceeded. Try again in 7 seconds.", {"retry-after": "7"}
    ),
    "error_context_length": error(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
    "error_5xx": error(529, "overloaded_error", "Overloaded"),
}


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
        server.queue(EXCHANGES["plain"], EXCHANGES["error_429"])  # type: ignore[arg-type]
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
        server.queue(EXCHANGES["plain"])  # type: ignore[arg-type]
        with AnyLLM.create("azureanthropic", api_key="foundry-key-0123456789", api_base=server.url + "/anthropic") as c:
            assert c.messages(MODEL, MESSAGES, 8).text == TEXT
    assert server.requests[0].path == "/anthropic/v1/messages"
    assert server.requests[0].headers["api-key"] == "foundry-key-0123456789"
