"""Inception: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_inception import InceptionProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "inception", "model": "mercury-2", "off_spec": ["reasoning_effort"]}


def test_declarations() -> None:
    assert get_provider_class("inception") is InceptionProvider
    assert InceptionProvider.api_key_env == ('INCEPTION_API_KEY',)
    assert InceptionProvider.api_base_env == ('INCEPTION_API_BASE',)
    assert InceptionProvider.default_api_base == 'https://api.inceptionlabs.ai/v1'
    assert InceptionProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': False, 'embedding': False, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('INCEPTION_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('INCEPTION_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="inception:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_reasoning_effort_mapping(kit) -> None:
    assert kit.basic(reasoning_effort="minimal")["reasoning_effort"] == "instant"
    assert kit.basic(reasoning_effort="high")["reasoning_effort"] == "high"
    kit.refused("reasoning_effort", reasoning_effort="none")
    kit.refused("reasoning_effort", reasoning_effort="xhigh")


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [{"id": "mercury-2", "object": "model", "owned_by": "inception"}]})
    assert [m.id for m in models] == ["mercury-2"]


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
