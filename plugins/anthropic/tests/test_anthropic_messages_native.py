"""messages() on anthropic goes to /v1/messages as the Messages API body itself: nothing translated,
nothing refused that the API takes (top_k, cache_control, betas); its stream errors stay typed."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_anthropic import AnthropicProvider

from any_llm import errors, plugins
from any_llm.client import AnyLLM
from any_llm.testing import MockServer, Reply
from any_llm.types import messages as mt

MESSAGE = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-20250514",
    "content": [{"type": "text", "text": "Paris."}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}


def _client(server: MockServer) -> AnyLLM:
    return AnyLLM(AnthropicProvider(api_key="k-123", api_base=server.url), max_retries=0)


def test_native_body_is_sent_as_given() -> None:
    with plugins.registered(AnthropicProvider), MockServer() as server:
        server.queue(Reply.json(MESSAGE))
        client = _client(server)
        result: Any = client.messages(
            "claude-sonnet-4-20250514",
            [{"role": "user", "content": "Capital of France?"}],
            64,
            system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
            top_k=5,
            betas=["context-management-2025-06-27", "other-beta"],
            thinking={"type": "disabled"},
        )
        client.close()
    request = server.requests[0]
    assert request.path == "/v1/messages"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["anthropic-beta"] == "context-management-2025-06-27,other-beta"
    assert request.headers["x-api-key"] == "k-123"
    assert request.json == {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Capital of France?"}],
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        "top_k": 5,
        "thinking": {"type": "disabled"},
    }
    assert isinstance(result, mt.MessageResponse) and result.text == "Paris."
    assert result.model_dump(mode="json", exclude_unset=True) == MESSAGE


def test_stream_error_event_raises_the_typed_error() -> None:
    events = [
        ("message_start", {"type": "message_start", "message": {**MESSAGE, "content": [], "stop_reason": None}}),
        ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    ]
    with plugins.registered(AnthropicProvider), MockServer() as server:
        server.queue(Reply.sse(events, done=False))
        client = _client(server)
        stream: Any = client.messages("m", [{"role": "user", "content": "hi"}], 64, stream=True)
        assert next(stream).type == "message_start"
        with pytest.raises(errors.ProviderError, match="Overloaded") as caught:
            next(stream)
        client.close()
    assert caught.value.provider == "anthropic"
    assert stream.response.is_closed
