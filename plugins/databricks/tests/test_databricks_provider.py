"""Databricks: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_databricks import DatabricksProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "databricks", "model": "databricks-meta-llama-3-3-70b-instruct", "base": "", "path": "/serving-endpoints/chat/completions"}


def test_declarations() -> None:
    assert get_provider_class("databricks") is DatabricksProvider
    assert DatabricksProvider.api_key_env == ('DATABRICKS_TOKEN',)
    assert DatabricksProvider.api_base_env == ('DATABRICKS_HOST',)
    assert DatabricksProvider.default_api_base == ''
    assert DatabricksProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': False, 'embedding': True, 'list_models': False}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('DATABRICKS_TOKEN',)[0], kit.key)
    monkeypatch.setenv(('DATABRICKS_HOST',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="databricks:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_full_serving_endpoints_url_is_kept(kit) -> None:
    kit.reply(kit.chat("ok"))
    kit.call(api_base=kit.server.url + "/serving-endpoints/")
    kit.last()


def test_workspace_url_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    from any_llm import errors

    monkeypatch.delenv("DATABRICKS_HOST", raising=False)
    with pytest.raises(errors.ConfigurationError, match="api_base"):
        any_llm.completion(model="x", provider="databricks", api_key="test-key-123456",
                           messages=[{"role": "user", "content": "x"}])


def test_reasoning_blocks(kit) -> None:
    blocks = [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "Think.", "signature": "sig"}]},
              {"type": "text", "text": "Paris."}]
    kit.reasoning({"content": blocks}, [
        {"content": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "Thi"}]}]},
        {"content": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "nk.", "signature": "s"}]}]},
        {"content": "Paris."}], model="databricks-claude-sonnet-4")


def test_embeddings(kit) -> None:
    kit.embedding()


def test_no_model_list(kit) -> None:
    kit.unsupported("list_models")
