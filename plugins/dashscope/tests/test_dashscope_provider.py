"""Alibaba Cloud DashScope: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_dashscope import DashscopeProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "dashscope", "model": "qwen-plus", "base": "/compatible-mode/v1"}


def test_declarations() -> None:
    assert get_provider_class("dashscope") is DashscopeProvider
    assert DashscopeProvider.api_key_env == ('DASHSCOPE_API_KEY',)
    assert DashscopeProvider.api_base_env == ('DASHSCOPE_API_BASE',)
    assert DashscopeProvider.default_api_base == 'https://dashscope.aliyuncs.com/compatible-mode/v1'
    assert DashscopeProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('DASHSCOPE_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('DASHSCOPE_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="dashscope:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_enable_thinking(kit) -> None:
    body = kit.stream(reasoning_effort="low", thinking_budget=512)
    assert (body["enable_thinking"], body["thinking_budget"]) == (True, 512)
    assert "reasoning_effort" not in body
    assert kit.basic(reasoning_effort="none")["enable_thinking"] is False
    assert "enable_thinking" not in kit.basic()


def test_reasoning_content(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Thi"}, {"reasoning_content": "nk."},
                                                  {"content": "Paris."}])


def test_embeddings(kit) -> None:
    kit.embedding()


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "qwen-plus", "object": "model", "created": 0, "owned_by": "system"}]})
    assert [m.id for m in models] == ["qwen-plus"]
