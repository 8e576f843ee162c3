"""Together AI: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_together import TogetherProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "together", "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo"}


def test_declarations() -> None:
    assert get_provider_class("together") is TogetherProvider
    assert TogetherProvider.api_key_env == ('TOGETHER_API_KEY',)
    assert TogetherProvider.api_base_env == ('TOGETHER_API_BASE',)
    assert TogetherProvider.default_api_base == 'https://api.together.xyz/v1'
    assert TogetherProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('TOGETHER_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('TOGETHER_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="together:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_reasoning_field_and_think_tags(kit) -> None:
    kit.reasoning({"reasoning": "Think."}, [{"reasoning": "Think."}, {"content": "Paris."}])
    kit.reasoning({"content": "<think>Think.</think>Paris."}, [{"content": "<think>Think."}, {"content": "</think>Paris."}])


def test_embeddings(kit) -> None:
    kit.embedding()


def test_list_models_bare_array(kit) -> None:
    models = kit.list_models([
        {"id": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "object": "model", "created": 1733443200,
         "type": "chat", "display_name": "Llama 3.3 70B", "organization": "Meta", "context_length": 131072},
        {"id": "BAAI/bge-large-en-v1.5", "object": "model", "created": 0, "type": "embedding"},
    ])
    assert [m.id for m in models] == ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "BAAI/bge-large-en-v1.5"]
    assert models[0].type == "chat"
