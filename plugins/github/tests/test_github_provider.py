"""GitHub Models: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_github import GithubProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "github", "model": "openai/gpt-4.1-mini", "base": "/inference"}


def test_declarations() -> None:
    assert get_provider_class("github") is GithubProvider
    assert GithubProvider.api_key_env == ('GITHUB_TOKEN',)
    assert GithubProvider.api_base_env == ('GITHUB_MODELS_API_BASE',)
    assert GithubProvider.default_api_base == 'https://models.github.ai/inference'
    assert GithubProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': False, 'images': False, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('GITHUB_TOKEN',)[0], kit.key)
    monkeypatch.setenv(('GITHUB_MODELS_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="github:" + kit.model, messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content == "hi"
    kit.last()


def test_basic(kit) -> None:
    kit.basic()


def test_stream(kit) -> None:
    kit.stream()


async def test_async(kit) -> None:
    await kit.abasic()
    await kit.astream()


def test_structured_output(kit) -> None:
    kit.structured()


def test_tool_round_trip(kit) -> None:
    kit.tool_round_trip()
    kit.stream_tool_call()


def test_errors(kit) -> None:
    kit.errors()


def test_max_completion_tokens_is_sent_as_max_tokens(kit) -> None:
    body = kit.basic(max_completion_tokens=300)
    assert body["max_tokens"] == 300 and "max_completion_tokens" not in body


def test_embeddings(kit) -> None:
    kit.embedding()


def test_catalog_is_the_model_list(kit) -> None:
    models = kit.list_models([
        {"id": "openai/gpt-4.1-mini", "name": "OpenAI GPT-4.1-mini", "publisher": "OpenAI", "registry": "azure-openai",
         "supported_input_modalities": ["text", "image"], "rate_limit_tier": "low"},
        {"name": "entry without id"},
    ], path="/catalog/models")
    assert [(m.id, m.owned_by) for m in models] == [("openai/gpt-4.1-mini", "OpenAI")]
    assert models[0].supported_input_modalities == ["text", "image"]
    headers = kit.server.requests[-1].headers
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"


def test_catalog_of_an_org_base(kit) -> None:
    kit.reply([])
    any_llm.list_models(provider="github", api_base=kit.server.url + "/orgs/acme/inference", api_key=kit.key)
    assert kit.server.requests[-1].path == "/catalog/models"


def test_catalog_must_be_an_array(kit) -> None:
    from any_llm import errors

    kit.reply({"data": []})
    with pytest.raises(errors.ResponseValidationError):
        any_llm.list_models(provider="github", api_base=kit.api_base, api_key=kit.key)
