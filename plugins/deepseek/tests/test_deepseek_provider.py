"""DeepSeek: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import json

import pytest
from anyllm_deepseek import DeepseekProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "deepseek", "model": "deepseek-v4-flash", "base": ""}


def test_declarations() -> None:
    assert get_provider_class("deepseek") is DeepseekProvider
    assert DeepseekProvider.api_key_env == ('DEEPSEEK_API_KEY',)
    assert DeepseekProvider.api_base_env == ('DEEPSEEK_API_BASE',)
    assert DeepseekProvider.default_api_base == 'https://api.deepseek.com'
    assert DeepseekProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': False, 'embedding': False, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('DEEPSEEK_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('DEEPSEEK_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="deepseek:" + kit.model, messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content == "hi"
    kit.last()


def test_basic(kit) -> None:
    kit.basic()


def test_stream(kit) -> None:
    kit.stream()


async def test_async(kit) -> None:
    await kit.abasic()
    await kit.astream()


def test_structured_output_uses_json_mode(kit) -> None:
    body = kit.structured()
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]
    assert system["role"] == "system" and "JSON schema" in system["content"]
    assert json.loads(system["content"].split("\n", 1)[1])["required"] == ["name", "country", "population"]
    assert body["messages"][1:] == [{"role": "user", "content": "What is the capital of France?"}]


def test_schema_joins_an_existing_system_prompt(kit) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    kit.reply(kit.chat("{}"))
    kit.call(messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "json please"}],
             response_format=fmt)
    messages = kit.last()["messages"]
    assert len(messages) == 2
    assert messages[0]["content"].startswith("Be brief.\n\nReply with a single JSON object")


def test_tool_round_trip(kit) -> None:
    kit.tool_round_trip()
    kit.stream_tool_call()


def test_errors(kit) -> None:
    kit.errors()


def test_reasoning_effort_maps_to_thinking(kit) -> None:
    body = kit.basic(reasoning_effort="none")
    assert body["thinking"] == {"type": "disabled"} and "reasoning_effort" not in body
    body = kit.basic(reasoning_effort="high")
    assert (body["thinking"], body["reasoning_effort"]) == ({"type": "enabled"}, "high")
    assert "thinking" not in kit.basic()
    kit.refused("reasoning_effort", reasoning_effort="minimal")


def test_max_completion_tokens_is_sent_as_max_tokens(kit) -> None:
    body = kit.basic(max_completion_tokens=256)
    assert body["max_tokens"] == 256 and "max_completion_tokens" not in body


@pytest.mark.parametrize(("param", "kw"), [
    ("n", {"n": 2}), ("logit_bias", {"logit_bias": {"1": 1.0}}), ("logprobs", {"logprobs": True}),
    ("top_logprobs", {"logprobs": False, "top_logprobs": 2}),
])
def test_refused_params(kit, param: str, kw: dict) -> None:
    kit.refused(param, **kw)


def test_logprobs_with_thinking_off(kit) -> None:
    body = kit.basic(logprobs=True, top_logprobs=2, reasoning_effort="none")
    assert (body["logprobs"], body["top_logprobs"]) == (True, 2)


def test_reasoning_content(kit) -> None:
    kit.reasoning({"reasoning_content": "Think."}, [{"reasoning_content": "Thi"}, {"reasoning_content": "nk."},
                                                  {"content": "Paris."}])


def test_reasoning_content_is_sent_back_on_tool_call_turns(kit) -> None:
    kit.reply(kit.chat(None, message={"reasoning_content": "Need the weather.", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'}}]},
        finish="tool_calls"))
    question = [{"role": "user", "content": "Weather in Paris?"}]
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}
    first = kit.call(messages=question, tools=[tool]).choices[0].message
    assert first.reasoning.content == "Need the weather."
    kit.reply(kit.chat("Sunny."))
    kit.call(messages=[*question, first, {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                       {"role": "assistant", "content": "Sunny.", "reasoning": {"content": "dropped"}},
                       {"role": "user", "content": "Thanks"}], tools=[tool])
    sent = kit.last()["messages"]
    assert sent[1]["reasoning_content"] == "Need the weather." and "reasoning" not in sent[1]
    assert sent[3] == {"role": "assistant", "content": "Sunny."}


def test_cache_hits_become_cached_tokens(kit) -> None:
    usage = {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105,
             "prompt_cache_hit_tokens": 64, "prompt_cache_miss_tokens": 36}
    kit.reply({**kit.chat("ok"), "usage": usage})
    assert kit.call().usage.prompt_tokens_details.cached_tokens == 64
    kit.sse([kit.chunk({"role": "assistant", "content": "ok"}), kit.chunk(finish="stop"), kit.chunk(usage=usage)])
    got = kit.collect(kit.call(stream=True))
    assert got["usage"].prompt_tokens_details.cached_tokens == 64


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "deepseek-v4-flash", "object": "model", "owned_by": "deepseek"}]})
    assert [(m.id, m.owned_by) for m in models] == [("deepseek-v4-flash", "deepseek")]


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
