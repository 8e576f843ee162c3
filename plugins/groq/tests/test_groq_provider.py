"""Groq: declarations, the seed examples through MockServer, and Groq's documented quirks."""

from __future__ import annotations

import pytest
from anyllm_groq import GroqProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "groq", "model": "llama-3.3-70b-versatile", "base": "/openai/v1"}


def test_declarations() -> None:
    assert get_provider_class("groq") is GroqProvider
    assert GroqProvider.api_key_env == ("GROQ_API_KEY",)
    assert GroqProvider.api_base_env == ("GROQ_BASE_URL",)
    assert GroqProvider.default_api_base == "https://api.groq.com/openai/v1"
    caps = GroqProvider.capabilities()
    assert caps["reasoning"] and caps["list_models"] and caps["tools"] and not caps["embedding"]


def test_env_vars(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", kit.key)
    monkeypatch.setenv("GROQ_BASE_URL", kit.api_base)
    kit.reply({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
               "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]})
    assert any_llm.completion(model="groq:llama-3.3-70b-versatile", messages=[{"role": "user", "content": "x"}])
    assert kit.server.requests[-1].headers["authorization"] == f"Bearer {kit.key}"


def test_basic(kit) -> None:
    body = kit.basic(max_tokens=50, temperature=0.2)
    assert body["max_completion_tokens"] == 50 and "max_tokens" not in body


def test_stream(kit) -> None:
    assert kit.stream()["stream_options"] == {"include_usage": True}


async def test_async(kit) -> None:
    await kit.abasic()
    await kit.astream()


def test_structured_output(kit) -> None:
    assert kit.structured()["response_format"]["type"] == "json_schema"


def test_tool_round_trip(kit) -> None:
    kit.tool_round_trip()
    kit.stream_tool_call()


def test_errors(kit) -> None:
    kit.errors()


@pytest.mark.parametrize(("param", "kw"), [
    ("logprobs", {"logprobs": True}), ("top_logprobs", {"top_logprobs": 2}),
    ("logit_bias", {"logit_bias": {"50256": -100}}), ("n", {"n": 2}),
    ("reasoning_effort", {"reasoning_effort": "minimal"}),
])
def test_refused_params(kit, param: str, kw: dict) -> None:
    kit.refused(param, **kw)


def test_n_1_and_efforts_are_sent(kit) -> None:
    assert kit.basic(n=1, reasoning_effort="none")["reasoning_effort"] == "none"


def test_message_name_is_left_out(kit) -> None:
    kit.reply({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
               "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]})
    kit.call(messages=[{"role": "user", "content": "hi", "name": "bob"}])
    assert kit.last()["messages"] == [{"role": "user", "content": "hi"}]


def test_reasoning_parsed(kit) -> None:
    kit.reasoning({"reasoning": "Think."}, [{"reasoning": "Thi"}, {"reasoning": "nk."}, {"content": "Paris."}],
                  reasoning_effort="low")
    assert kit.last(stream=True)["reasoning_effort"] == "low"


def test_reasoning_raw_think_tags(kit) -> None:
    kit.reasoning({"content": "<think>Think.</think>\nParis."},
                  [{"content": "<thi"}, {"content": "nk>Think.</th"}, {"content": "ink>\nParis."}])


def test_usage_from_x_groq(kit) -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "queue_time": 0.01}
    kit.sse([kit.chunk({"role": "assistant", "content": "Hi"}, x_groq={"id": "req_1"}),
             kit.chunk(finish="stop", x_groq={"id": "req_1", "usage": usage})])
    got = kit.collect(kit.call(stream=True))
    assert got["usage"].total_tokens == 7


def test_usage_chunk_preferred(kit) -> None:
    kit.sse(kit.text_stream("Hi"))
    assert kit.collect(kit.call(stream=True))["usage"].total_tokens == 12


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "llama-3.3-70b-versatile", "object": "model", "created": 1733447754, "owned_by": "Meta",
         "active": True, "context_window": 131072}]})
    assert [(m.id, m.owned_by) for m in models] == [("llama-3.3-70b-versatile", "Meta")]
    assert models[0].context_window == 131072


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
