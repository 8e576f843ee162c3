"""DeepInfra: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_deepinfra import DeepinfraProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "deepinfra", "model": "meta-llama/Llama-3.3-70B-Instruct", "base": "/v1/openai"}


def test_declarations() -> None:
    assert get_provider_class("deepinfra") is DeepinfraProvider
    assert DeepinfraProvider.api_key_env == ('DEEPINFRA_API_KEY',)
    assert DeepinfraProvider.api_base_env == ('DEEPINFRA_API_BASE',)
    assert DeepinfraProvider.default_api_base == 'https://api.deepinfra.com/v1/openai'
    assert DeepinfraProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('DEEPINFRA_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('DEEPINFRA_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="deepinfra:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_reasoning_content(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Think."}, {"content": "Paris."}])


def test_embeddings(kit) -> None:
    kit.embedding()


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "meta-llama/Llama-3.3-70B-Instruct", "object": "model", "created": 1733443200,
         "owned_by": "deepinfra"}]})
    assert [(m.id, m.owned_by) for m in models] == [("meta-llama/Llama-3.3-70B-Instruct", "deepinfra")]
