"""Fireworks AI: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_fireworks import FireworksProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "fireworks", "model": "accounts/fireworks/models/llama-v3p1-8b-instruct", "base": "/inference/v1"}


def test_declarations() -> None:
    assert get_provider_class("fireworks") is FireworksProvider
    assert FireworksProvider.api_key_env == ('FIREWORKS_API_KEY',)
    assert FireworksProvider.api_base_env == ('FIREWORKS_API_BASE',)
    assert FireworksProvider.default_api_base == 'https://api.fireworks.ai/inference/v1'
    assert FireworksProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('FIREWORKS_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('FIREWORKS_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="fireworks:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_no_stream_options_and_usage_on_last_chunk(kit) -> None:
    kit.sse([kit.chunk({"role": "assistant", "content": "Hi"}),
             kit.chunk(finish="stop", usage={"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5})])
    got = kit.collect(kit.call(stream=True))
    assert (got["content"], got["usage"].total_tokens) == ("Hi", 5)
    assert "stream_options" not in kit.last(stream=True)


def test_reasoning_content(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Thi"}, {"reasoning_content": "nk."},
                                                  {"content": "Paris."}], reasoning_effort="low")
    assert kit.last(stream=True)["reasoning_effort"] == "low"


def test_embeddings(kit) -> None:
    kit.embedding()


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "accounts/fireworks/models/llama-v3p1-8b-instruct", "object": "model", "owned_by": "fireworks",
         "created": 1721692800, "kind": "HF_BASE_MODEL", "supports_chat": True}]})
    assert models[0].id.endswith("llama-v3p1-8b-instruct") and models[0].supports_chat is True
