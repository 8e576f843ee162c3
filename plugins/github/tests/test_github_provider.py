"""GitHub Models: declarations and the quirks the conformance kit does not cover (the catalog)."""

from __future__ import annotations

import pytest
from anyllm_github import GithubProvider

from any_llm import AnyLLM, errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import MockServer, Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC
from any_llm.testing.schema import schema_errors

CATALOG = [
    {
        "id": "openai/gpt-4.1-mini",
        "name": "OpenAI GPT-4.1-mini",
        "publisher": "OpenAI",
        "registry": "azure-openai",
        "supported_input_modalities": ["text", "image"],
        "rate_limit_tier": "low",
    },
    {"name": "entry without id"},
]


def test_declarations() -> None:
    assert get_provider_class("github") is GithubProvider
    assert GithubProvider.api_key_env == ("GITHUB_TOKEN",)
    assert GithubProvider.api_base_env == ("GITHUB_MODELS_API_BASE",)
    assert GithubProvider.default_api_base == "https://models.github.ai/inference"
    assert GithubProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": False,
        "images": False,
        "audio": False,
        "documents": False,
        "embedding": True,
        "list_models": True,
        "count_tokens": False,
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


def test_max_completion_tokens_is_sent_as_max_tokens() -> None:
    params = build_params("openai/gpt-4.1-mini", MESSAGES, {"max_completion_tokens": 300}, {})
    body = build_request(GithubProvider(KEY), params).json
    assert body["max_tokens"] == 300 and "max_completion_tokens" not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


@pytest.mark.parametrize("base_path", ["/inference", "/orgs/acme/inference"])
def test_catalog_is_the_model_list(base_path: str) -> None:
    with MockServer() as server:
        server.queue(Reply.json(CATALOG))
        client = AnyLLM.create("github", api_key=KEY, api_base=server.url + base_path, max_retries=0)
        models = client.list_models()
        client.close()
    request = server.requests[0]
    assert (request.method, request.path) == ("GET", "/catalog/models")
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert [(m.id, m.owned_by) for m in models] == [("openai/gpt-4.1-mini", "OpenAI")]
    assert models[0].supported_input_modalities == ["text", "image"]


def test_catalog_must_be_an_array() -> None:
    with pytest.raises(errors.ResponseValidationError):
        GithubProvider(KEY).parse_list_models(b'{"data": []}')
