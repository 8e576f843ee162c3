"""Z.ai: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import json

import pytest
from anyllm_zai import ZaiProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "zai", "model": "glm-4.6", "base": "/api/paas/v4"}


def test_declarations() -> None:
    assert get_provider_class("zai") is ZaiProvider
    assert ZaiProvider.api_key_env == ('ZAI_API_KEY',)
    assert ZaiProvider.api_base_env == ('ZAI_BASE_URL',)
    assert ZaiProvider.default_api_base == 'https://api.z.ai/api/paas/v4'
    assert ZaiProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': False, 'embedding': False, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('ZAI_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('ZAI_BASE_URL',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="zai:" + kit.model, messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content == "hi"
    kit.last()


def test_basic(kit) -> None:
    kit.basic()


def test_stream(kit) -> None:
    kit.stream()


async def test_async(kit) -> None:
    await kit.abasic()
    await kit.astream()


def test_json_schema_is_refused_json_mode_is_sent(kit) -> None:
    from pydantic import BaseModel

    class City(BaseModel):
        name: str

    kit.refused("response_format", response_format=City)
    kit.reply(kit.chat('{"name": "Paris"}'))
    r = kit.call(response_format={"type": "json_object"})
    assert r.choices[0].message.content == '{"name": "Paris"}'
    assert kit.last()["response_format"] == {"type": "json_object"}


def test_tool_round_trip(kit) -> None:
    kit.tool_round_trip()
    kit.stream_tool_call()


def test_errors(kit) -> None:
    kit.errors()


def test_thinking(kit) -> None:
    body = kit.basic(reasoning_effort="none")
    assert body["thinking"] == {"type": "disabled"} and "reasoning_effort" not in body
    body = kit.basic(reasoning_effort="high")
    assert (body["thinking"], body["reasoning_effort"]) == ({"type": "enabled"}, "high")


def test_max_completion_tokens_is_sent_as_max_tokens(kit) -> None:
    body = kit.basic(max_completion_tokens=1024)
    assert body["max_tokens"] == 1024 and "max_completion_tokens" not in body


def test_reasoning_content(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Thi"}, {"reasoning_content": "nk."},
                                                  {"content": "Paris."}])


@pytest.mark.parametrize(("zai", "ours"), [("sensitive", "content_filter"), ("model_context_window_exceeded", "length")])
def test_finish_reasons(kit, zai: str, ours: str) -> None:
    kit.reply(kit.chat("Partial", finish=zai))
    assert kit.call().choices[0].finish_reason == ours
    kit.sse([kit.chunk({"role": "assistant", "content": "Partial"}), kit.chunk(finish=zai)])
    assert kit.collect(kit.call(stream=True))["finish"] == ours


def test_network_error_finish_raises(kit) -> None:
    from any_llm import errors

    kit.reply(kit.chat("Part", finish="network_error"))
    with pytest.raises(errors.APIConnectionError, match="network error"):
        kit.call()
    kit.sse([kit.chunk({"role": "assistant", "content": "Part"}), kit.chunk(finish="network_error")])
    with pytest.raises(errors.APIConnectionError):
        kit.collect(kit.call(stream=True))


def test_unknown_finish_reason_still_fails(kit) -> None:
    from any_llm import errors

    kit.reply(kit.chat("x", finish="something_new"))
    with pytest.raises(errors.ResponseValidationError):
        kit.call()


def test_object_tool_arguments_become_strings(kit) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris"}}}
    kit.reply(kit.chat(None, message={"tool_calls": [call]}, finish="tool_calls"))
    tool_call = kit.call().choices[0].message.tool_calls[0]
    assert json.loads(tool_call.function.arguments) == {"location": "Paris"}


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "glm-4.6", "object": "model", "created": 1759190400, "owned_by": "z-ai"}]})
    assert [m.id for m in models] == ["glm-4.6"]


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
