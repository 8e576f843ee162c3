"""Cerebras: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_cerebras import CerebrasProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "cerebras", "model": "gpt-oss-120b"}


def test_declarations() -> None:
    assert get_provider_class("cerebras") is CerebrasProvider
    assert CerebrasProvider.api_key_env == ('CEREBRAS_API_KEY',)
    assert CerebrasProvider.api_base_env == ('CEREBRAS_API_BASE',)
    assert CerebrasProvider.default_api_base == 'https://api.cerebras.ai/v1'
    assert CerebrasProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': False, 'embedding': False, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('CEREBRAS_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('CEREBRAS_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="cerebras:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_max_tokens_is_sent_as_max_completion_tokens(kit) -> None:
    body = kit.basic(max_tokens=64)
    assert body["max_completion_tokens"] == 64 and "max_tokens" not in body


def test_reasoning_effort(kit) -> None:
    assert kit.basic(reasoning_effort="medium")["reasoning_effort"] == "medium"
    body = kit.basic(reasoning_effort="none")
    assert body["disable_reasoning"] is True and "reasoning_effort" not in body
    kit.refused("reasoning_effort", reasoning_effort="xhigh")


def test_reasoning_parsed(kit) -> None:
    kit.reasoning({"reasoning": "Think."}, [{"reasoning": "Thi"}, {"reasoning": "nk."}, {"content": "Paris."}])


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "gpt-oss-120b", "object": "model", "created": 0, "owned_by": "Cerebras"}]})
    assert [(m.id, m.owned_by) for m in models] == [("gpt-oss-120b", "Cerebras")]


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
