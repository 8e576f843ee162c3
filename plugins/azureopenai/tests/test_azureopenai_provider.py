"""Azure OpenAI: declarations and the quirks the conformance kit does not cover (deployment paths,
``api-version``, the ``api-key`` header, content-filter chunks)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_azureopenai import AzureopenaiProvider

import any_llm
from any_llm import AnyLLM, errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.provider import StreamEvent
from any_llm.testing import MockServer, Reply, build_request, sse_events
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, openai_exchanges, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "my-gpt-4o"
ENDPOINT = "https://my-resource.openai.azure.com"
MODELS = {
    "object": "list",
    "data": [
        {
            "id": "gpt-4o-2024-08-06",
            "object": "model",
            "created_at": 1723075200,
            "status": "succeeded",
            "capabilities": {"chat_completion": True},
        }
    ],
}


@pytest.fixture(autouse=True)
def _no_version_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_OPENAI_API_VERSION", raising=False)
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)


def test_declarations() -> None:
    assert get_provider_class("azureopenai") is AzureopenaiProvider
    assert AzureopenaiProvider.api_key_env == ("AZURE_OPENAI_API_KEY",)
    assert AzureopenaiProvider.api_base_env == ("AZURE_OPENAI_ENDPOINT",)
    assert AzureopenaiProvider.default_api_base == ""
    assert AzureopenaiProvider.capabilities() == {
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
        "image_generation": True,
        "speech": True,
        "transcription": True,
        "batch": True,
    }


def test_deployment_paths_api_version_and_key_header() -> None:
    exchanges = openai_exchanges()
    with MockServer() as server:
        server.queue(exchanges["plain"], exchanges["stream"], exchanges["embedding"], Reply.json(MODELS))
        client = AnyLLM.create("azureopenai", api_key=KEY, api_base=server.url, max_retries=0)
        assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
        with client.completion(MODEL, MESSAGES, stream=True) as stream:
            assert "".join(c.choices[0].delta.content or "" for c in stream) == TEXT
        client.embedding("e", ["a", "b"])
        models = client.list_models()
        client.close()
    assert [(r.method, r.path.split("?")[0]) for r in server.requests] == [
        ("POST", f"/openai/deployments/{MODEL}/chat/completions"),
        ("POST", f"/openai/deployments/{MODEL}/chat/completions"),
        ("POST", "/openai/deployments/e/embeddings"),
        ("GET", "/openai/models"),
    ]
    for request in server.requests:
        assert request.query == {"api-version": "2024-10-21"}
        assert request.headers["api-key"] == KEY and "authorization" not in request.headers
    assert server.requests[1].json["stream"] is True
    assert server.requests[2].json == {"model": "e", "input": ["a", "b"]}
    assert schema_errors(OPENAI_SPEC, "CreateEmbeddingRequest", server.requests[2].json) == []
    assert models[0].id == "gpt-4o-2024-08-06" and models[0].capabilities == {"chat_completion": True}


def test_api_version_from_env_and_call(monkeypatch: pytest.MonkeyPatch) -> None:
    params = build_params(MODEL, MESSAGES, {}, {})
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")
    assert build_request(AzureopenaiProvider(KEY, ENDPOINT), params).params == {"api-version": "2024-06-01"}
    monkeypatch.setenv("AZURE_OPENAI_API_VERSION", "2025-04-01-preview")
    provider = AzureopenaiProvider(KEY, ENDPOINT)
    assert build_request(provider, params).params == {"api-version": "2025-04-01-preview"}
    request = build_request(provider, build_params(MODEL, MESSAGES, {}, {"api_version": "2024-10-21"}))
    assert request.params == {"api-version": "2024-10-21"} and "api_version" not in request.json


def test_deployment_name_is_quoted_and_endpoint_suffix_tolerated() -> None:
    outcome = run_scenario(
        AzureopenaiProvider,
        "plain",
        [openai_exchanges()["plain"]],
        use_async=False,
        model="my gpt/4o",
        base_path="/openai/",
    )
    assert outcome.requests is not None
    assert outcome.requests[0].path.startswith("/openai/deployments/my%20gpt%2F4o/chat/completions?")


def test_max_tokens_is_sent_as_max_completion_tokens() -> None:
    params = build_params(MODEL, MESSAGES, {"max_tokens": 99}, {})
    body = build_request(AzureopenaiProvider(KEY, ENDPOINT), params).json
    assert body["max_completion_tokens"] == 99 and "max_tokens" not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_content_filter_chunks_finish_and_error() -> None:
    first = {
        "id": "",
        "object": "",
        "created": 0,
        "model": "",
        "choices": [],
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
    }
    stream = openai_exchanges()["stream"]
    stream.chunks[:0] = sse_events([first], done=False)
    chunks = run_scenario(AzureopenaiProvider, "stream", [stream], use_async=False, base_path="").chunks or []
    assert chunks[0].prompt_filter_results == first["prompt_filter_results"]
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == TEXT
    filtered = {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "content_filter"}],
    }
    outcome = run_scenario(AzureopenaiProvider, "plain", [Reply.json(filtered)], use_async=False, base_path="")
    assert outcome.result.choices[0].finish_reason == "content_filter"
    refused = Reply.json({"error": {"message": "The response was filtered", "code": "content_filter"}}, 400)
    outcome = run_scenario(AzureopenaiProvider, "plain", [refused], use_async=False, base_path="")
    assert isinstance(outcome.error, errors.ContentFilterError) and outcome.error.provider == "azureopenai"


def test_endpoint_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    with pytest.raises(errors.ConfigurationError, match="api_base"):
        any_llm.completion(
            model="d", provider="azureopenai", api_key="test-key-123456", messages=[{"role": "user", "content": "x"}]
        )


def _feed(events: list[dict[str, Any]], compact: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """Events as compact or spaced JSON through one stream parser: (chunks, how many were normalized)."""
    calls: list[Any] = []
    original = AzureopenaiProvider.normalize_chunk

    def counting(self: AzureopenaiProvider, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload)
        return original(self, payload)

    monkeypatch.setattr(AzureopenaiProvider, "normalize_chunk", counting)
    params = build_params(MODEL, [{"role": "user", "content": "Hi"}], {"stream": True}, {})
    parser = AzureopenaiProvider(KEY).stream_parser(params)
    separators = (",", ":") if compact else (", ", ": ")
    chunks = [c for e in events for c in parser.feed(StreamEvent(json.dumps(e, separators=separators).encode()))]
    return chunks, len(calls)


@pytest.mark.parametrize("compact", [True, False])
def test_only_the_prompt_filter_chunk_leaves_the_fast_path(compact: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    first = {
        "id": "",
        "object": "",
        "created": 0,
        "model": "",
        "choices": [],
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
    }
    plain = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "delta": {"content": TEXT},
                "finish_reason": None,
                "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}},
            }
        ],
    }
    provider = AzureopenaiProvider(KEY, "https://r.openai.azure.com")
    assert provider.chunk_needs_normalize(json.dumps(first, separators=(",", ":")).encode())
    assert not provider.chunk_needs_normalize(json.dumps(plain, separators=(",", ":")).encode())
    chunks, normalized = _feed([first, plain, plain], compact, monkeypatch)
    assert normalized == 1
    assert chunks[0].object == "chat.completion.chunk"
    assert chunks[0].prompt_filter_results == first["prompt_filter_results"]
    assert [c.choices[0].delta.content for c in chunks[1:]] == [TEXT, TEXT]
