"""Nebius: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_nebius import NebiusProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "nebius", "model": "meta-llama/Llama-3.3-70B-Instruct"}


def test_declarations() -> None:
    assert get_provider_class("nebius") is NebiusProvider
    assert NebiusProvider.api_key_env == ('NEBIUS_API_KEY',)
    assert NebiusProvider.api_base_env == ('NEBIUS_API_BASE',)
    assert NebiusProvider.default_api_base == 'https://api.tokenfactory.nebius.com/v1'
    assert NebiusProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('NEBIUS_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('NEBIUS_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="nebius:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_reasoning_shapes(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Think."}, {"content": "Paris."}])
    kit.reasoning({"content": "<think>Think.</think>\n\nParis."},
                  [{"content": "<think>"}, {"content": "Think."}, {"content": "</think>\n\nParis."}])


def test_embeddings(kit) -> None:
    kit.embedding()


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "deepseek-ai/DeepSeek-R1-0528", "object": "model", "created": 1748390400, "owned_by": "system"}]})
    assert [m.id for m in models] == ["deepseek-ai/DeepSeek-R1-0528"]
