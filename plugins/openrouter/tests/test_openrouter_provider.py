"""OpenRouter: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_openrouter import OpenrouterProvider

from any_llm import AnyLLM, errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import MockServer, Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, openai_exchanges, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "openai/gpt-4.1-mini"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}
ATTRIBUTION = {"http-referer", "x-title", "x-openrouter-title"}


def test_declarations() -> None:
    assert get_provider_class("openrouter") is OpenrouterProvider
    assert OpenrouterProvider.api_key_env == ("OPENROUTER_API_KEY",)
    assert OpenrouterProvider.api_base_env == ("OPENROUTER_API_BASE",)
    assert OpenrouterProvider.default_api_base == "https://openrouter.ai/api/v1"
    assert OpenrouterProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": True,
        "documents": True,
        "embedding": True,
        "list_models": True,
        "count_tokens": False,
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


@pytest.mark.parametrize(
    ("args", "extra", "reasoning"),
    [
        ({"reasoning_effort": "high"}, {}, {"effort": "high"}),
        ({}, {"reasoning": {"max_tokens": 2000, "exclude": False}}, {"max_tokens": 2000, "exclude": False}),
    ],
)
def test_reasoning_effort_is_unified_reasoning(
    args: dict[str, Any], extra: dict[str, Any], reasoning: dict[str, Any]
) -> None:
    body = build_request(OpenrouterProvider(KEY), build_params(MODEL, MESSAGES, args, extra)).json
    assert body["reasoning"] == reasoning and "reasoning_effort" not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_reasoning_and_details() -> None:
    details = [{"type": "reasoning.text", "text": "Think.", "format": "unknown", "index": 0}]
    message = {"role": "assistant", "content": TEXT, "reasoning": "Think.", "reasoning_details": details}
    answer = {**COMPLETION, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    got = run_scenario(OpenrouterProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (got.reasoning.content, got.content, got.reasoning_details) == ("Think.", TEXT, details)
    pieces = ({"reasoning": "Thi", "reasoning_details": []}, {"reasoning": "nk."}, {"content": TEXT})
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(OpenrouterProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_no_attribution_headers_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_SITE_URL", raising=False)
    monkeypatch.delenv("OPENROUTER_APP_NAME", raising=False)
    requests = run_scenario(OpenrouterProvider, "plain", [openai_exchanges()["plain"]], use_async=False).requests or []
    assert not ATTRIBUTION & set(requests[0].headers)


def test_attribution_headers_from_env_and_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_SITE_URL", "https://myapp.example")
    monkeypatch.setenv("OPENROUTER_APP_NAME", "My App")
    exchanges = openai_exchanges()
    with MockServer() as server:
        server.queue(exchanges["plain"], exchanges["plain"], exchanges["embedding"])
        client = AnyLLM.create("openrouter", api_key=KEY, api_base=server.url + "/api/v1", max_retries=0)
        client.completion(MODEL, MESSAGES)
        client.completion(MODEL, MESSAGES, http_referer="https://other.example", x_title="Other")
        client.embedding("e", ["a", "b"])
        client.close()
    env, per_call, embedding = (r.headers for r in server.requests)
    assert (env["http-referer"], env["x-openrouter-title"], env["x-title"]) == (
        "https://myapp.example",
        "My App",
        "My App",
    )
    assert (per_call["http-referer"], per_call["x-title"]) == ("https://other.example", "Other")
    assert "http_referer" not in server.requests[1].json and "x_title" not in server.requests[1].json
    assert embedding["http-referer"] == "https://myapp.example"


def test_processing_comments_are_skipped() -> None:
    stream = openai_exchanges()["stream"]
    stream.chunks[0:0] = [b": OPENROUTER PROCESSING\n\n"]
    stream.chunks[2:2] = [b": OPENROUTER PROCESSING\n\n"]
    chunks = run_scenario(OpenrouterProvider, "stream", [stream], use_async=False).chunks or []
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == TEXT


def test_mid_stream_error() -> None:
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Par"}}]},
        {
            **CHUNK,
            "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
            "error": {"code": "server_error", "message": "Provider disconnected unexpectedly"},
        },
    ]
    error = run_scenario(OpenrouterProvider, "stream", [Reply.sse(events, done=False)], use_async=False).error
    assert isinstance(error, errors.ProviderError) and "Provider disconnected" in str(error)


def test_model_list_entries_without_object_or_owner() -> None:
    payload = (
        b'{"data": [{"id": "openai/gpt-4.1-mini", "canonical_slug": "openai/gpt-4.1-mini-2025-04-14", '
        b'"name": "GPT-4.1 Mini", "created": 1744651381, "context_length": 1047576, "pricing": {"prompt": "0.0000004"}}]}'
    )
    models = OpenrouterProvider(KEY).parse_list_models(payload)
    assert (models[0].id, models[0].object, models[0].owned_by) == ("openai/gpt-4.1-mini", "model", "")
    assert models[0].pricing == {"prompt": "0.0000004"}
