"""MiniMax: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_minimax import MinimaxProvider

import any_llm
from any_llm.plugins import get_provider_class

TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}
PROFILE = {"name": "minimax", "model": "MiniMax-M2"}


def test_declarations() -> None:
    assert get_provider_class("minimax") is MinimaxProvider
    assert MinimaxProvider.api_key_env == ('MINIMAX_API_KEY',)
    assert MinimaxProvider.api_base_env == ('MINIMAX_API_BASE',)
    assert MinimaxProvider.default_api_base == 'https://api.minimax.io/v1'
    assert MinimaxProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': False, 'reasoning': True, 'images': False, 'embedding': False, 'list_models': False}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('MINIMAX_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('MINIMAX_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="minimax:" + kit.model, messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content == "hi"
    kit.last()


def test_basic(kit) -> None:
    kit.basic()


def test_stream(kit) -> None:
    kit.stream()


async def test_async(kit) -> None:
    await kit.abasic()
    await kit.astream()


def test_structured_output_is_refused(kit) -> None:
    kit.refused("response_format", response_format={"type": "json_object"})


def test_tool_round_trip(kit) -> None:
    kit.tool_round_trip()
    kit.stream_tool_call()


def test_errors(kit) -> None:
    kit.errors()


def test_think_tags(kit) -> None:
    kit.reasoning({"content": "<think>\nThink.\n</think>\n\nParis."},
                  [{"content": "<think>\nThink.\n"}, {"content": "</think>\n\nParis."}], thought="\nThink.\n")


def test_reasoning_split_details(kit) -> None:
    details = [{"type": "reasoning.text", "id": "r1", "format": "MiniMax-response-v1", "index": 0, "text": "Think."}]
    kit.reasoning({"reasoning_details": details},
                  [{"reasoning_details": [{**details[0], "text": "Thi"}]}, {"reasoning_details": [{**details[0], "text": "nk."}]},
                   {"content": "Paris."}], reasoning_split=True)
    assert kit.last(stream=True)["reasoning_split"] is True


def test_reasoning_effort_is_refused(kit) -> None:
    kit.refused("reasoning_effort", reasoning_effort="low")


def test_thinking_is_sent_back_in_think_tags(kit) -> None:
    kit.reply(kit.chat(None, message={"content": "<think>I should call the tool.</think>\n\n", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'}}]},
        finish="tool_calls"))
    question = [{"role": "user", "content": "Weather in Paris?"}]
    first = kit.call(messages=question, tools=[TOOL]).choices[0].message
    assert (first.reasoning.content, first.content) == ("I should call the tool.", "")
    kit.reply(kit.chat("Sunny."))
    kit.call(messages=[*question, first, {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}], tools=[TOOL])
    sent = kit.last()["messages"][1]
    assert sent["content"] == "<think>I should call the tool.</think>\n\n" and "reasoning" not in sent
    assert sent["tool_calls"][0]["id"] == "call_1"


def test_usage_chunk_without_delta(kit) -> None:
    kit.sse([kit.chunk({"role": "assistant", "content": "Hi"}), kit.chunk(finish="stop"),
             {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
              "choices": [{"index": 0, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}])
    got = kit.collect(kit.call(stream=True))
    assert (got["content"], got["usage"].total_tokens) == ("Hi", 4)


def test_no_embeddings_or_model_list(kit) -> None:
    kit.unsupported("embedding")
    kit.unsupported("list_models")
