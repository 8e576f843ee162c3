"""OpenRouter: declarations, the seed examples through MockServer, and its quirks."""

from __future__ import annotations

import pytest
from anyllm_openrouter import OpenrouterProvider

import any_llm
from any_llm.plugins import get_provider_class

PROFILE = {"name": "openrouter", "model": "openai/gpt-4.1-mini", "base": "/api/v1"}


def test_declarations() -> None:
    assert get_provider_class("openrouter") is OpenrouterProvider
    assert OpenrouterProvider.api_key_env == ('OPENROUTER_API_KEY',)
    assert OpenrouterProvider.api_base_env == ('OPENROUTER_API_BASE',)
    assert OpenrouterProvider.default_api_base == 'https://openrouter.ai/api/v1'
    assert OpenrouterProvider.capabilities() == {'completion': True, 'streaming': True, 'tools': True, 'structured_output': True, 'reasoning': True, 'images': True, 'embedding': True, 'list_models': True}


def test_key_and_base_from_env(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(('OPENROUTER_API_KEY',)[0], kit.key)
    monkeypatch.setenv(('OPENROUTER_API_BASE',)[0], kit.api_base)
    kit.reply(kit.chat("hi"))
    r = any_llm.completion(model="openrouter:" + kit.model, messages=[{"role": "user", "content": "x"}])
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


def test_reasoning_effort_is_unified_reasoning(kit) -> None:
    body = kit.basic(reasoning_effort="high")
    assert body["reasoning"] == {"effort": "high"} and "reasoning_effort" not in body
    body = kit.basic(reasoning={"max_tokens": 2000, "exclude": False})
    assert body["reasoning"] == {"max_tokens": 2000, "exclude": False}


def test_reasoning_and_details(kit) -> None:
    details = [{"type": "reasoning.text", "text": "Think.", "format": "unknown", "index": 0}]
    kit.reasoning({"reasoning": "Think.", "reasoning_details": details},
                  [{"reasoning": "Thi", "reasoning_details": []}, {"reasoning": "nk."}, {"content": "Paris."}])
    kit.reply(kit.chat("Paris.", message={"reasoning": "Think.", "reasoning_details": details}))
    message = kit.call().choices[0].message
    assert message.reasoning_details == details


def test_no_attribution_headers_by_default(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_SITE_URL", raising=False)
    monkeypatch.delenv("OPENROUTER_APP_NAME", raising=False)
    kit.basic()
    headers = kit.server.requests[-1].headers
    assert not {"http-referer", "x-title", "x-openrouter-title"} & set(headers)


def test_attribution_headers_from_env_and_call(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_SITE_URL", "https://myapp.example")
    monkeypatch.setenv("OPENROUTER_APP_NAME", "My App")
    kit.basic()
    headers = kit.server.requests[-1].headers
    assert (headers["http-referer"], headers["x-openrouter-title"], headers["x-title"]) == (
        "https://myapp.example", "My App", "My App")
    any_llm.api.close_clients()
    body = kit.basic(http_referer="https://other.example", x_title="Other")
    headers = kit.server.requests[-1].headers
    assert (headers["http-referer"], headers["x-title"]) == ("https://other.example", "Other")
    assert "http_referer" not in body and "x_title" not in body
    kit.embedding()
    assert kit.server.requests[-1].headers["http-referer"] == "https://myapp.example"


def test_processing_comments_are_skipped(kit) -> None:
    events = kit.text_stream("Hel", "lo")
    kit.sse([b": OPENROUTER PROCESSING\n\n", events[0], b": OPENROUTER PROCESSING\n\n", *events[1:]])
    assert kit.collect(kit.call(stream=True))["content"] == "Hello"


def test_mid_stream_error(kit) -> None:
    from any_llm import errors

    kit.sse([kit.chunk({"role": "assistant", "content": "Par"}),
             {**kit.chunk({"content": ""}, finish="error"),
              "error": {"code": "server_error", "message": "Provider disconnected unexpectedly"}}], done=False)
    with pytest.raises(errors.ProviderError, match="Provider disconnected"):
        kit.collect(kit.call(stream=True))


def test_embeddings(kit) -> None:
    kit.embedding()


def test_list_models_without_object_or_owner(kit) -> None:
    models = kit.list_models({"data": [
        {"id": "openai/gpt-4.1-mini", "canonical_slug": "openai/gpt-4.1-mini-2025-04-14", "name": "GPT-4.1 Mini",
         "created": 1744651381, "context_length": 1047576, "pricing": {"prompt": "0.0000004"}}]})
    assert (models[0].id, models[0].object, models[0].owned_by) == ("openai/gpt-4.1-mini", "model", "")
    assert models[0].pricing == {"prompt": "0.0000004"}
