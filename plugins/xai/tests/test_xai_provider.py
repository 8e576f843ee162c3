"""xAI: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_xai import XaiProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "xai", "model": "grok-3-mini"}


def test_declarations() -> None:
    assert get_provider_class("xai") is XaiProvider
    assert XaiProvider.api_key_env == ('XAI_API_KEY',)
    assert XaiProvider.api_base_env == ('XAI_API_BASE',)
    assert XaiProvider.default_api_base == 'https://api.x.ai/v1'
    assert XaiProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': False, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('XAI_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('XAI_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="xai:" + kit.model, messages=[{"role": "user", "content": "x"}])
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
                                                  {"content": "Paris."}], reasoning_effort="high")
    assert kit.last(stream=True)["reasoning_effort"] == "high"


def test_model_rejection_surfaces(kit) -> None:
    from any_llm import errors
    from any_llm.testing import Reply

    kit.reply(Reply.json({"code": "Client specified an invalid argument",
                          "error": "Model grok-4 does not support parameter reasoningEffort."}, status=400))
    with pytest.raises(errors.InvalidRequestError, match="reasoningEffort"):
        kit.call(reasoning_effort="low", client_args={"max_retries": 0})


def test_list_models(kit) -> None:
    models = kit.list_models({"object": "list", "data": [
        {"id": "grok-4", "object": "model", "created": 1752019200, "owned_by": "xai"}]})
    assert [(m.id, m.owned_by) for m in models] == [("grok-4", "xai")]


def test_no_embeddings(kit) -> None:
    kit.unsupported("embedding")
