"""Pure translation: declarations and request bodies checked against OpenAI's spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anyllm_lmstudio import LmstudioProvider

from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import build_request

MESSAGES = [{"role": "user", "content": "Hello"}]


def body_of(**args: Any) -> dict[str, Any]:
    params = build_params("qwen2.5-7b-instruct", MESSAGES, args, args.pop("kwargs", {}))
    return build_request(LmstudioProvider(), params).json


def test_declarations_match_any_llm() -> None:
    cls = get_provider_class("lmstudio")
    assert cls is LmstudioProvider
    assert cls.requires_api_key is False
    assert cls.api_key_env == ("LM_STUDIO_API_KEY",) and cls.api_base_env == ("LM_STUDIO_API_BASE",)
    assert cls.default_api_base == "http://localhost:1234/v1"
    chat = ("completion", "streaming", "tools", "structured_output", "reasoning", "images", "embedding", "list_models")
    assert all(cls.capabilities()[c] for c in chat)


def test_response_formats(openai_spec_errors: Callable[..., list[str]]) -> None:
    as_schema = body_of(response_format={"type": "json_object"})
    assert as_schema["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "json_object", "schema": {"type": "object"}},
    }
    assert openai_spec_errors("CreateChatCompletionRequest", as_schema) == []
    schema = {"type": "json_schema", "json_schema": {"name": "A", "schema": {"type": "object"}, "strict": True}}
    assert body_of(response_format=schema)["response_format"] == schema
    assert body_of(response_format={"type": "text"})["response_format"] == {"type": "text"}


def test_other_parameters_unchanged(openai_spec_errors: Callable[..., list[str]]) -> None:
    body = body_of(max_tokens=20, temperature=0.1, stream=True, kwargs={"ttl": 300})
    assert body == {
        "model": "qwen2.5-7b-instruct",
        "messages": MESSAGES,
        "max_tokens": 20,
        "temperature": 0.1,
        "stream": True,
        "stream_options": {"include_usage": True},
        "ttl": 300,
    }
    body.pop("ttl")
    assert openai_spec_errors("CreateChatCompletionRequest", body) == []
