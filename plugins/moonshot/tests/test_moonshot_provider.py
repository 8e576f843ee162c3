"""Moonshot AI: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_moonshot import MoonshotProvider

import any_llm
from any_llm.plugins import get_provider_class

TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}
PROFILE = {"name": "moonshot", "model": "kimi-k2.5"}


def test_declarations() -> None:
    assert get_provider_class("moonshot") is MoonshotProvider
    assert MoonshotProvider.api_key_env == ('MOONSHOT_API_KEY',)
    assert MoonshotProvider.api_base_env == ('MOONSHOT_API_BASE',)
    assert MoonshotProvider.default_api_base == 'https://api.moonshot.ai/v1'
    assert MoonshotProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': False, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('MOONSHOT_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('MOONSHOT_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="moonshot:" + kit.model, messages=[{"role": "user", "content": "x"}])
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
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Thi"}, {"reasoning_content": "nk."},
                                                  {"content": "Paris."}])


def test_thinking_switch(kit) -> None:
    body = kit.basic(reasoning_effort="none")
    assert body["thinking"] == {"type": "disabled"} and "reasoning_effort" not in body
    assert kit.basic(reasoning_effort="high")["thinking"] == {"type": "enabled"}
    assert "thinking" not in kit.basic()


def test_reasoning_content_is_sent_back_on_tool_call_turns(kit) -> None:
    kit.sse([kit.chunk({"role": "assistant", "reasoning_content": "Check the weather."}),
             kit.chunk({"tool_calls": [{"index": 0, "id": "get_weather:0", "type": "function",
                                        "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'}}]}),
             kit.chunk(finish="tool_calls")])
    got = kit.collect(kit.call(stream=True, tools=[TOOL]))
    assert got["reasoning"] == "Check the weather."
    call = got["tools"][0]
    assistant = {"role": "assistant", "content": None, "reasoning": {"content": got["reasoning"]},
                 "tool_calls": [{"id": call["id"], "type": "function",
                                 "function": {"name": call["name"], "arguments": call["arguments"]}}]}
    kit.reply(kit.chat("Sunny."))
    kit.call(messages=[{"role": "user", "content": "Weather?"}, assistant,
                       {"role": "tool", "tool_call_id": "get_weather:0", "content": "sunny"}], tools=[TOOL])
    sent = kit.last()["messages"][1]
    assert sent["reasoning_content"] == "Check the weather." and "reasoning" not in sent
    assert sent["content"] == ""


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "kimi-k2.5", "object": "model", "created": 1769000000, "owned_by": "moonshot",
         "context_length": 262144, "supports_image_in": True}]})
    assert models[0].id == "kimi-k2.5" and models[0].supports_image_in is True


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
