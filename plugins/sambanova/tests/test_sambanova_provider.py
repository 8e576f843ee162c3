"""SambaNova: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_sambanova import SambanovaProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "sambanova", "model": "Meta-Llama-3.3-70B-Instruct"}


def test_declarations() -> None:
    assert get_provider_class("sambanova") is SambanovaProvider
    assert SambanovaProvider.api_key_env == ('SAMBANOVA_API_KEY',)
    assert SambanovaProvider.api_base_env == ('SAMBANOVA_API_BASE',)
    assert SambanovaProvider.default_api_base == 'https://api.sambanova.ai/v1'
    assert SambanovaProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('SAMBANOVA_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('SAMBANOVA_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="sambanova:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


@pytest.mark.parametrize(("param", "kw"), [
    ("presence_penalty", {"presence_penalty": 0.5}), ("frequency_penalty", {"frequency_penalty": 0.5}),
    ("logit_bias", {"logit_bias": {"1": 2.0}}),
])
def test_ignored_params_are_refused(kit, param: str, kw: dict) -> None:
    kit.refused(param, **kw)


TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}


def test_n_with_tools_is_refused(kit) -> None:
    kit.refused("n", n=2, tools=[TOOL])
    kit.reply(kit.chat("a"))
    kit.call(n=2)
    assert kit.last()["n"] == 2


def test_reasoning_shapes(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Think."}, {"content": "Paris."}])
    kit.reasoning({"content": "<think>Think.</think>Paris."}, [{"content": "<think>Think.</think>"}, {"content": "Paris."}])


def test_embeddings(kit) -> None:
    kit.embedding()


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "Meta-Llama-3.3-70B-Instruct", "object": "model", "owned_by": "SambaNova", "context_length": 131072}]})
    assert models[0].context_length == 131072
