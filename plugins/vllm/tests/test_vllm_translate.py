"""Pure translation: declarations, request bodies checked against OpenAI's spec, vLLM's error bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from anyllm_vllm import VllmProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import build_request

MESSAGES = [{"role": "user", "content": "Hello"}]


def body_of(**args: Any) -> dict[str, Any]:
    params = build_params("Qwen/Qwen2.5-1.5B-Instruct", MESSAGES, args, args.pop("kwargs", {}))
    return build_request(VllmProvider(), params).json


def test_declarations_match_any_llm() -> None:
    cls = get_provider_class("vllm")
    assert cls is VllmProvider
    assert cls.requires_api_key is False
    assert cls.api_key_env == ("VLLM_API_KEY",) and cls.api_base_env == ("VLLM_API_BASE",)
    assert cls.default_api_base == "http://localhost:8000/v1"
    chat = ("completion", "streaming", "tools", "structured_output", "reasoning", "images", "embedding", "list_models")
    assert all(cls.capabilities()[c] for c in chat)


def test_openai_parameters_go_through_unchanged(openai_spec_errors: Callable[..., list[str]]) -> None:
    assert body_of() == {"model": "Qwen/Qwen2.5-1.5B-Instruct", "messages": MESSAGES}  # nothing added
    body = body_of(
        max_completion_tokens=64,
        n=2,
        logprobs=True,
        top_logprobs=3,
        tool_choice="required",
        tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        response_format={"type": "json_schema", "json_schema": {"name": "A", "schema": {"type": "object"}}},
        kwargs={"top_k": 20, "guided_decoding_backend": "xgrammar"},
    )
    assert body["max_completion_tokens"] == 64 and body["n"] == 2 and body["tool_choice"] == "required"
    assert body["response_format"]["type"] == "json_schema"
    assert body["top_k"] == 20 and body["guided_decoding_backend"] == "xgrammar"
    body.pop("top_k")
    body.pop("guided_decoding_backend")
    assert openai_spec_errors("CreateChatCompletionRequest", body) == []


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        # vLLM < 0.10: a flat ErrorResponse; newer: {"error": {...}}
        (
            400,
            {
                "object": "error",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
                "message": "This model's maximum context length is 2048 tokens. However, you requested 3000 tokens "
                "(2990 in the messages, 10 in the completion).",
            },
            errors.ContextLengthExceededError,
        ),
        (
            400,
            {
                "error": {
                    "type": "BadRequestError",
                    "param": None,
                    "code": 400,
                    "message": "'max_tokens' or 'max_completion_tokens' is too large: 4096. This model's maximum "
                    "context length is 4096 tokens and your request has 20 input tokens",
                }
            },
            errors.ContextLengthExceededError,
        ),
        (
            404,
            {"object": "error", "type": "NotFoundError", "code": 404, "message": "The model `gpt-4` does not exist."},
            errors.ModelNotFoundError,
        ),
        (
            400,
            {
                "object": "error",
                "type": "BadRequestError",
                "code": 400,
                "message": '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
            },
            errors.InvalidRequestError,
        ),
        (401, {"error": "Unauthorized"}, errors.AuthenticationError),
    ],
)
def test_errors(status: int, body: dict[str, Any], cls: type[Exception]) -> None:
    err = VllmProvider().parse_error(status, {}, json.dumps(body).encode())
    assert type(err) is cls
    message = body.get("message") or body["error"]
    assert err.message == (message if isinstance(message, str) else message["message"])
