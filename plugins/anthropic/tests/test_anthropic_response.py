"""Anthropic responses, errors and model lists → our types (pure)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_anthropic import AnthropicProvider
from anyllm_anthropic._response import FINISH_REASONS, error_for

from any_llm import errors
from any_llm.params import build_params
from any_llm.types.completion import ChatCompletion

PARAMS = build_params("claude-sonnet-4-20250514", [{"role": "user", "content": "Hi"}], {}, {})


def parse(data: Any) -> ChatCompletion:
    return AnthropicProvider().parse_completion(json.dumps(data).encode(), PARAMS)


@pytest.mark.parametrize(
    "name",
    ["message_text", "message_tool_use", "message_thinking_tool_use", "message_after_tool", "message_structured"],
)
def test_examples_match_the_spec(check: Any, examples: dict[str, Any], name: str) -> None:
    check("Message", examples[name])


def test_text_message(examples: dict[str, Any]) -> None:
    result = parse(examples["message_text"])
    assert result.id == "msg_013Zva2CMHLNnXjNJJKqJ2EF"
    assert result.model == "claude-sonnet-4-20250514"
    assert result.object == "chat.completion"
    assert result.created > 0
    choice = result.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "The capital of France is Paris."
    assert choice.message.tool_calls is None
    assert choice.message.reasoning is None
    assert choice.finish_reason == "stop"
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (14, 10, 24)
    assert result.usage.prompt_tokens_details is not None
    assert result.usage.prompt_tokens_details.cached_tokens == 0


def test_tool_use_message(examples: dict[str, Any]) -> None:
    choice = parse(examples["message_tool_use"]).choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "I'll check the current weather in Paris for you."
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert (call.id, call.type, call.function.name) == ("toolu_01A09q90qw90lq917835lq9", "function", "get_weather")
    assert json.loads(call.function.arguments) == {"location": "Paris", "unit": "C"}


def test_thinking_message_keeps_signed_blocks_and_cache_usage(examples: dict[str, Any]) -> None:
    result = parse(examples["message_thinking_tool_use"])
    message = result.choices[0].message
    assert message.content is None  # only tool calls, as OpenAI reports it
    assert message.reasoning is not None
    assert message.reasoning.content == "The user wants the weather in Paris. I should call get_weather."
    blocks = message.model_dump()["thinking_blocks"]
    assert blocks == [
        {
            "type": "thinking",
            "thinking": "The user wants the weather in Paris. I should call get_weather.",
            "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
        },
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
    ]
    usage = result.usage
    assert usage is not None
    assert usage.prompt_tokens == 50 + 2048 + 100
    assert usage.total_tokens == 50 + 2048 + 100 + 120
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 2048
    assert usage.prompt_tokens_details.model_dump()["cache_creation_tokens"] == 100
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 80


def test_usage_without_cache_fields_has_no_details(examples: dict[str, Any]) -> None:
    usage = parse(examples["message_tool_use"]).usage
    assert usage is not None
    assert usage.prompt_tokens == 384
    assert usage.prompt_tokens_details is None


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("pause_turn", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
    ],
)
def test_finish_reasons(examples: dict[str, Any], stop_reason: str, finish: str) -> None:
    data = examples["message_text"]
    data["stop_reason"] = stop_reason
    assert parse(data).choices[0].finish_reason == finish
    assert FINISH_REASONS[stop_reason] == finish


def test_stop_sequence_kept(examples: dict[str, Any]) -> None:
    data = examples["message_text"]
    data.update(stop_reason="stop_sequence", stop_sequence="END")
    choice = parse(data).choices[0]
    assert choice.model_dump()["stop_sequence"] == "END"


def test_multiple_text_blocks_joined_and_server_blocks_ignored(examples: dict[str, Any]) -> None:
    data = examples["message_text"]
    data["content"] = [
        {"type": "text", "text": "Hello "},
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"q": "x"}},
        {"type": "text", "text": "world"},
    ]
    message = parse(data).choices[0].message
    assert message.content == "Hello world"
    assert message.tool_calls is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"id": "x"}',
        b'{"content": []}',
        b'{"id": "m", "content": [{"type": "tool_use", "input": {}}]}',
    ],
)
def test_malformed_bodies_raise_response_validation_error(body: bytes) -> None:
    with pytest.raises(errors.ResponseValidationError):
        AnthropicProvider().parse_completion(body, PARAMS)


def test_error_object_in_200_body_raises_typed_error(examples: dict[str, Any]) -> None:
    with pytest.raises(errors.ProviderError) as info:
        parse(examples["error_overloaded"])
    assert info.value.request_id == "req_011CSHoEeqs5C35K2UUqR7Fy"


# -- error responses -------------------------------------------------------------------------------


def _error(kind: str, message: str, request_id: str | None = None) -> bytes:
    body: dict[str, Any] = {"type": "error", "error": {"type": kind, "message": message}}
    if request_id:
        body["request_id"] = request_id
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("status", "kind", "message", "cls"),
    [
        (400, "invalid_request_error", "messages: roles must alternate", errors.InvalidRequestError),
        (
            400,
            "invalid_request_error",
            "prompt is too long: 208310 tokens > 200000 maximum",
            errors.ContextLengthExceededError,
        ),
        (
            400,
            "invalid_request_error",
            "input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000",
            errors.ContextLengthExceededError,
        ),
        (401, "authentication_error", "invalid x-api-key", errors.AuthenticationError),
        (403, "permission_error", "no access", errors.AuthenticationError),
        (404, "not_found_error", "model: claude-x", errors.ModelNotFoundError),
        (413, "request_too_large", "Request exceeds the maximum allowed number of bytes", errors.InvalidRequestError),
        (429, "rate_limit_error", "Number of request tokens has exceeded your rate limit", errors.RateLimitError),
        (500, "api_error", "Internal server error", errors.ProviderError),
        (529, "overloaded_error", "Overloaded", errors.ProviderError),
    ],
)
def test_parse_error(status: int, kind: str, message: str, cls: type[errors.AnyLLMError]) -> None:
    err = AnthropicProvider().parse_error(status, {"request-id": "req_123"}, _error(kind, message))
    assert type(err) is cls
    assert err.status_code == status
    assert err.request_id == "req_123"
    assert err.message == message
    assert err.provider == "anthropic"


def test_parse_error_retry_after_and_body_request_id() -> None:
    err = AnthropicProvider().parse_error(429, {"retry-after": "7"}, _error("rate_limit_error", "slow", "req_9"))
    assert isinstance(err, errors.RateLimitError)
    assert err.retry_after == 7.0
    assert err.request_id == "req_9"


def test_parse_error_non_json_body() -> None:
    err = AnthropicProvider().parse_error(502, {}, b"<html>Bad gateway</html>")
    assert isinstance(err, errors.ProviderError)
    assert "Bad gateway" in err.message


@pytest.mark.parametrize(
    ("kind", "cls", "status"),
    [
        ("overloaded_error", errors.ProviderError, 529),
        ("rate_limit_error", errors.RateLimitError, 429),
        ("api_error", errors.ProviderError, 500),
        ("invalid_request_error", errors.InvalidRequestError, 400),
        ("authentication_error", errors.AuthenticationError, 401),
        ("some_new_error", errors.ProviderError, 500),
    ],
)
def test_error_events_without_status(kind: str, cls: type[errors.AnyLLMError], status: int) -> None:
    err = error_for({"type": "error", "error": {"type": kind, "message": "boom"}})
    assert type(err) is cls
    assert err.status_code == status


# -- models ----------------------------------------------------------------------------------------


def test_list_models_request_and_parse(check: Any, examples: dict[str, Any]) -> None:
    provider = AnthropicProvider(api_key="k" * 12)
    request = provider.build_list_models_request({})
    assert (request.method, request.url, request.params) == ("GET", "v1/models", {"limit": "1000"})
    assert request.headers == {"anthropic-version": "2023-06-01"}
    assert provider.build_list_models_request({"limit": 5, "after_id": "m1"}).params == {"limit": "5", "after_id": "m1"}
    check("ListModelsResponse", examples["models"])
    models = provider.parse_list_models(json.dumps(examples["models"]).encode())
    assert [m.id for m in models] == ["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"]
    assert models[0].created == 1747872000
    assert models[1].created == 1729555200
    assert models[0].owned_by == "anthropic"
    assert models[0].object == "model"
    assert models[0].model_dump()["display_name"] == "Claude Sonnet 4"
    assert models[1].model_dump()["max_tokens"] == 8192


def test_list_models_bad_body() -> None:
    with pytest.raises(errors.ResponseValidationError):
        AnthropicProvider().parse_list_models(b'{"models": []}')


def test_embeddings_unsupported() -> None:
    assert AnthropicProvider.capabilities()["embedding"] is False
    with pytest.raises(errors.UnsupportedCapabilityError):
        AnthropicProvider().build_embedding_request("m", ["x"], {})


@pytest.mark.parametrize(
    ("value", "epoch"),
    [
        ("2024-10-22T00:00:00Z", 1729555200),
        ("2024-10-22T00:00:00.123Z", 1729555200),
        ("2024-10-22T00:00:00.1234567+02:00", 1729548000),
        ("2024-10-22T00:00:00", 1729555200),
        ("not a date", 0),
        (None, 0),
    ],
)
def test_model_created_at_parsing(value: Any, epoch: int) -> None:
    body = json.dumps({"data": [{"type": "model", "id": "m", "display_name": "M", "created_at": value}]}).encode()
    assert AnthropicProvider().parse_list_models(body)[0].created == epoch
