"""Perplexity: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_perplexity import PerplexityProvider

import any_llm
from any_llm.plugins import get_provider_class

TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
PROFILE = {"name": "perplexity", "model": "sonar", "base": ""}


def test_declarations() -> None:
    assert get_provider_class("perplexity") is PerplexityProvider
    assert PerplexityProvider.api_key_env == ('PERPLEXITY_API_KEY',)
    assert PerplexityProvider.api_base_env == ('PERPLEXITY_BASE_URL',)
    assert PerplexityProvider.default_api_base == 'https://api.perplexity.ai'
    assert PerplexityProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': False, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': False, 'list_models': False}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('PERPLEXITY_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('PERPLEXITY_BASE_URL',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="perplexity:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_tools_are_refused_before_sending(kit) -> None:
    from any_llm import errors

    with pytest.raises(errors.UnsupportedCapabilityError):
        kit.call(tools=[TOOL])
    assert kit.server.requests == []


def test_errors(kit) -> None:
    kit.errors()


@pytest.mark.parametrize(("param", "kw"), [
    ("tool_choice", {"tool_choice": "auto"}), ("parallel_tool_calls", {"parallel_tool_calls": False}),
    ("logprobs", {"logprobs": True}), ("top_logprobs", {"top_logprobs": 3}), ("logit_bias", {"logit_bias": {"1": 1.0}}),
    ("seed", {"seed": 7}), ("n", {"n": 3}),
])
def test_refused_params(kit, param: str, kw: dict) -> None:
    kit.refused(param, **kw)


def test_max_completion_tokens_is_sent_as_max_tokens(kit) -> None:
    body = kit.basic(max_completion_tokens=100, search_mode="academic")
    assert (body["max_tokens"], body["search_mode"]) == (100, "academic")
    assert "max_completion_tokens" not in body


def test_citations_are_kept(kit) -> None:
    results = [{"title": "Paris", "url": "https://en.wikipedia.org/wiki/Paris", "date": None}]
    kit.reply(kit.chat("Paris [1].", citations=["https://en.wikipedia.org/wiki/Paris"], search_results=results))
    r = kit.call()
    assert r.citations == ["https://en.wikipedia.org/wiki/Paris"]
    assert r.search_results == results


def test_reasoning_think_tags(kit) -> None:
    kit.reasoning({"content": "<think>Think.</think>\nParis."},
                  [{"content": "<think>Th"}, {"content": "ink."}, {"content": "</think>\nParis."}])


def test_structured_output_after_think_block(kit) -> None:
    import json

    answer = json.dumps({"name": "Paris", "country": "France", "population": 2102650})
    kit.reply(kit.chat(f"<think>Look it up.</think>\n{answer}"))
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        country: str
        population: int

    r = kit.call(model="sonar-reasoning-pro", response_format=City)
    assert r.choices[0].message.parsed == City(name="Paris", country="France", population=2102650)
    assert r.choices[0].message.reasoning.content == "Look it up."


def test_no_embeddings_or_model_list(kit) -> None:
    kit.unsupported("embedding")
    kit.unsupported("list_models")
