"""Hugging Face: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_huggingface import HuggingfaceProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "huggingface", "model": "deepseek-ai/DeepSeek-R1:novita"}


def test_declarations() -> None:
    assert get_provider_class("huggingface") is HuggingfaceProvider
    assert HuggingfaceProvider.api_key_env == ('HF_TOKEN',)
    assert HuggingfaceProvider.api_base_env == ('HUGGINGFACE_API_BASE',)
    assert HuggingfaceProvider.default_api_base == 'https://router.huggingface.co/v1'
    assert HuggingfaceProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': False, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('HF_TOKEN',)[0], kit.key)
    monkeypatch.setenv(('HUGGINGFACE_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="huggingface:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_provider_suffix_is_kept(kit) -> None:
    kit.reply(kit.chat("ok"))
    any_llm.completion(model="huggingface:deepseek-ai/DeepSeek-R1:novita", api_base=kit.api_base, api_key=kit.key,
                       messages=[{"role": "user", "content": "x"}])
    assert kit.last()["model"] == "deepseek-ai/DeepSeek-R1:novita"


def test_reasoning_shapes(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Think."}, {"content": "Paris."}])
    kit.reasoning({"content": "<think>Think.</think>Paris."}, [{"content": "<think>Think.</think>Paris."}])


@pytest.mark.parametrize(("arguments", "expected"), [(None, "{}"), ({"location": "Paris"}, '{"location": "Paris"}')])
def test_odd_tool_arguments(kit, arguments, expected: str) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}
    kit.reply(kit.chat(None, message={"tool_calls": [call]}, finish="tool_calls"))
    assert kit.call().choices[0].message.tool_calls[0].function.arguments == expected
    kit.sse([kit.chunk({"role": "assistant", "tool_calls": [{"index": 0, **call}]}), kit.chunk(finish="tool_calls")])
    got = kit.collect(kit.call(stream=True))
    assert got["tools"][0]["arguments"] == ("" if arguments is None else expected)


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "deepseek-ai/DeepSeek-R1", "object": "model", "created": 1737331200, "owned_by": "deepseek-ai",
         "providers": [{"provider": "novita", "status": "live"}]}]})
    assert models[0].providers[0]["provider"] == "novita"


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
