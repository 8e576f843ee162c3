"""Azure OpenAI: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_azureopenai import AzureopenaiProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "azureopenai", "model": "my-gpt-4o", "base": "", "path": "/openai/deployments/my-gpt-4o/chat/completions", "auth": ("api-key", "test-key-123456")}


def test_declarations() -> None:
    assert get_provider_class("azureopenai") is AzureopenaiProvider
    assert AzureopenaiProvider.api_key_env == ('AZURE_OPENAI_API_KEY',)
    assert AzureopenaiProvider.api_base_env == ('AZURE_OPENAI_ENDPOINT',)
    assert AzureopenaiProvider.default_api_base == ''
    assert AzureopenaiProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('AZURE_OPENAI_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('AZURE_OPENAI_ENDPOINT',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="azureopenai:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


@pytest.fixture(autouse=True)
def _no_version_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_OPENAI_API_VERSION", raising=False)
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)


def test_api_version_and_no_bearer(kit) -> None:
    kit.basic()
    kit.stream()
    for req in kit.server.requests:
        assert req.query == {"api-version": "2024-10-21"}
        assert "authorization" not in req.headers


def test_api_version_from_env_and_call(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")
    kit.basic()
    assert kit.server.requests[-1].query == {"api-version": "2024-06-01"}
    any_llm.api.close_clients()
    monkeypatch.setenv("AZURE_OPENAI_API_VERSION", "2025-04-01-preview")
    kit.basic()
    assert kit.server.requests[-1].query == {"api-version": "2025-04-01-preview"}
    body = kit.basic(api_version="2024-10-21")
    assert kit.server.requests[-1].query == {"api-version": "2024-10-21"}
    assert "api_version" not in body


def test_deployment_name_is_quoted_and_endpoint_suffix_tolerated(kit) -> None:
    kit.reply(kit.chat("ok"))
    kit.call(model="my gpt/4o", api_base=kit.server.url + "/openai/")
    assert kit.server.requests[-1].path.startswith("/openai/deployments/my%20gpt%2F4o/chat/completions?")


def test_max_tokens_is_sent_as_max_completion_tokens(kit) -> None:
    body = kit.basic(max_tokens=99)
    assert body["max_completion_tokens"] == 99 and "max_tokens" not in body


def test_content_filter_chunks(kit) -> None:
    first = {"id": "", "object": "", "created": 0, "model": "", "choices": [],
             "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}]}
    kit.sse([first, *kit.text_stream("Hi")])
    assert kit.collect(kit.call(stream=True))["content"] == "Hi"
    kit.reply(kit.chat(None, finish="content_filter"))
    assert kit.call().choices[0].finish_reason == "content_filter"


def test_embeddings(kit) -> None:
    kit.embedding(path="/openai/deployments/e/embeddings")
    assert kit.server.requests[-1].query == {"api-version": "2024-10-21"}


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "gpt-4o-2024-08-06", "object": "model", "created_at": 1723075200, "status": "succeeded",
         "capabilities": {"chat_completion": True}}]}, path="/openai/models")
    assert models[0].id == "gpt-4o-2024-08-06" and models[0].capabilities == {"chat_completion": True}
    assert kit.server.requests[-1].query == {"api-version": "2024-10-21"}


def test_endpoint_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    from any_llm import errors

    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    with pytest.raises(errors.ConfigurationError, match="api_base"):
        any_llm.completion(model="d", provider="azureopenai", api_key="test-key-123456",
                           messages=[{"role": "user", "content": "x"}])
