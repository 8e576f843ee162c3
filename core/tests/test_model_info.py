"""model_info() and the Model fields: models endpoints of five providers (local servers) merged with price data."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import any_llm
from any_llm import list_models
from any_llm.testing import MockServer, Reply
from any_llm.testing.server import RecordedRequest

KEY = "sk-model-info-SECRET"

LISTINGS: dict[str, tuple[str, Any]] = {
    # provider: (path suffix for api_base, models endpoint body)
    "anthropic": (
        "/v1",
        {
            "data": [
                {
                    "id": "claude-3-5-haiku-20241022",
                    "type": "model",
                    "display_name": "Claude Haiku 3.5",
                    "created_at": "2024-10-22T00:00:00Z",
                    "max_input_tokens": 200000,
                    "max_tokens": 8192,
                }
            ],
            "has_more": False,
        },
    ),
    "gemini": (
        "/v1beta",
        {
            "models": [
                {
                    "name": "models/gemini-2.0-flash",
                    "inputTokenLimit": 1048576,
                    "outputTokenLimit": 8192,
                    "supportedGenerationMethods": ["generateContent", "countTokens"],
                    "thinking": False,
                }
            ]
        },
    ),
    "openrouter": (
        "/api/v1",
        {
            "data": [
                {
                    "id": "openai/gpt-4o",
                    "context_length": 128000,
                    "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]},
                    "pricing": {"prompt": "0.0000025", "completion": "0.00001"},
                    "top_provider": {"context_length": 128000, "max_completion_tokens": 16384},
                    "supported_parameters": ["tools", "temperature"],
                }
            ]
        },
    ),
    "mistral": (
        "/v1",
        {
            "object": "list",
            "data": [
                {
                    "id": "mistral-large-latest",
                    "object": "model",
                    "max_context_length": 131072,
                    "capabilities": {"completion_chat": True, "function_calling": True, "vision": False},
                }
            ],
        },
    ),
    "vllm": (
        "/v1",
        {"object": "list", "data": [{"id": "meta-llama/Llama-3.1-8B", "object": "model", "max_model_len": 32768}]},
    ),
    "groq": (  # GET /openai/v1/models (console.groq.com/docs/api-reference#models-list)
        "/openai/v1",
        {
            "object": "list",
            "data": [
                {
                    "id": "llama-3.3-70b-versatile",
                    "object": "model",
                    "owned_by": "Meta",
                    "active": True,
                    "context_window": 131072,
                    "max_completion_tokens": 32768,
                }
            ],
        },
    ),
    "together": (  # GET /v1/models answers a bare list (docs.together.ai/reference/models-1)
        "/v1",
        [
            {
                "id": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
                "object": "model",
                "type": "chat",
                "context_length": 131072,
                "pricing": {"hourly": 0, "input": 0.88, "output": 0.88, "base": 0, "finetune": 0},
            }
        ],
    ),
    "cohere": (  # GET /v1/models (docs.cohere.com/reference/list-models)
        "/v1",
        {"models": [{"name": "command-r-08-2024", "endpoints": ["chat"], "context_length": 128000}]},
    ),
    "llamacpp": (  # llama-server's GET /v1/models: the training context in meta (tools/server/README.md)
        "/v1",
        {
            "object": "list",
            "data": [
                {
                    "id": "smollm2",
                    "object": "model",
                    "owned_by": "llamacpp",
                    "meta": {"vocab_type": 2, "n_vocab": 49152, "n_ctx_train": 8192, "n_params": 134515008},
                }
            ],
        },
    ),
}


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(handler=lambda r: Reply.json({"error": {"message": "no such route"}}, status=404)) as s:
        yield s


def serve(server: MockServer, provider: str) -> str:
    """Answer every request with ``provider``'s model listing; the api_base to use."""
    suffix, body = LISTINGS[provider]
    seen: list[RecordedRequest] = []

    def handler(request: RecordedRequest) -> Reply:
        seen.append(request)
        if request.path.split("?")[0] != f"{suffix}/models":
            return Reply.json({"error": {"message": f"unexpected path {request.path}"}}, status=404)
        return Reply.json(body)

    server.handler = handler
    return server.url + ("" if provider in ("anthropic", "cohere") else suffix)  # their bases have no /v1


@pytest.mark.parametrize(
    ("provider", "model", "context", "output"),
    [
        ("anthropic", "claude-3-5-haiku-20241022", 200000, 8192),
        ("gemini", "gemini-2.0-flash", 1048576, 8192),
        ("openrouter", "openai/gpt-4o", 128000, 16384),
        ("mistral", "mistral-large-latest", 131072, None),
        ("vllm", "meta-llama/Llama-3.1-8B", 32768, None),
        ("groq", "llama-3.3-70b-versatile", 131072, 32768),
        ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", 131072, None),
        ("cohere", "command-r-08-2024", 128000, None),
        ("llamacpp", "smollm2", 8192, None),
    ],
)
def test_list_models_carries_limits(
    provider: str, model: str, context: int, output: int | None, server: MockServer
) -> None:
    (item,) = list_models(provider=provider, api_key=KEY, api_base=serve(server, provider))
    assert item.id == model
    assert (item.context_window, item.max_output_tokens) == (context, output)


def test_openrouter_and_mistral_flags(server: MockServer) -> None:
    (router,) = list_models(provider="openrouter", api_key=KEY, api_base=serve(server, "openrouter"))
    assert router.input_modalities == ["text", "image"] and router.supports_tools is True
    assert router.input_price_per_mtok == Decimal("2.5") and router.output_price_per_mtok == Decimal("10")
    (mistral,) = list_models(provider="mistral", api_key=KEY, api_base=serve(server, "mistral"))
    assert mistral.supports_tools is True and mistral.input_modalities == ["text"]
    assert mistral.max_context_length == 131072  # the vendor field stays too


def test_together_prices_are_per_million_already(server: MockServer) -> None:
    (item,) = list_models(provider="together", api_key=KEY, api_base=serve(server, "together"))
    assert item.input_price_per_mtok == Decimal("0.88") and item.output_price_per_mtok == Decimal("0.88")


def test_model_info_merges_endpoint_and_price_data(server: MockServer) -> None:
    pytest.importorskip("genai_prices")
    info = any_llm.model_info("anthropic:claude-3-5-haiku-20241022", api_key=KEY, api_base=serve(server, "anthropic"))
    assert info is not None
    assert info.sources == ("models_endpoint", "genai-prices")
    assert (info.context_window, info.max_output_tokens) == (200000, 8192)
    assert info.input_price_per_mtok == Decimal("0.8") and info.output_price_per_mtok == Decimal("4")
    assert info.cache_read_price_per_mtok == Decimal("0.08")


def test_model_info_endpoint_wins_and_local_has_no_prices(server: MockServer) -> None:
    info = any_llm.model_info("meta-llama/Llama-3.1-8B", "vllm", api_base=serve(server, "vllm"))
    assert info is not None and info.sources == ("models_endpoint",)
    assert info.context_window == 32768 and info.input_price_per_mtok is None


def test_model_info_from_price_data_alone_and_unknown() -> None:
    pytest.importorskip("genai_prices")
    info = any_llm.model_info("gpt-4o")
    assert info is not None and info.sources == ("genai-prices",) and info.context_window == 128000
    assert info.input_price_per_mtok == Decimal("2.5")
    assert any_llm.model_info("no-such-model-anywhere-9") is None


def test_model_info_endpoint_failure_falls_back(server: MockServer) -> None:
    server.handler = lambda r: Reply.json({"error": {"message": f"bad key {KEY}"}}, status=401)
    pytest.importorskip("genai_prices")
    info = any_llm.model_info("gpt-4o", "openai", api_key=KEY, api_base=server.url + "/v1")
    assert info is not None and info.sources == ("genai-prices",)
    assert any_llm.model_info("my-private-model", "openai", api_key=KEY, api_base=server.url + "/v1") is None
