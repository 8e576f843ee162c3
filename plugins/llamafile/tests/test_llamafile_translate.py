"""Pure translation: declarations, request bodies checked against OpenAI's spec, error bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from anyllm_llamafile import LlamafileProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import build_request

MESSAGES = [{"role": "user", "content": "Hello"}]


def body_of(**args: Any) -> dict[str, Any]:
    params = build_params("LLaMA_CPP", MESSAGES, args, args.pop("kwargs", {}))
    return build_request(LlamafileProvider(), params).json


def test_declarations_match_any_llm() -> None:
    cls = get_provider_class("llamafile")
    assert cls is LlamafileProvider
    assert cls.requires_api_key is False
    assert cls.api_base_env == ("LLAMAFILE_API_BASE",)
    assert cls.default_api_base == "http://127.0.0.1:8080/v1"
    caps = cls.capabilities()
    assert caps["streaming"] and caps["tools"] and caps["structured_output"] and caps["list_models"]
    assert not caps["embedding"]  # llamafile's /v1/embedding is not OpenAI's /embeddings


def test_body(openai_spec_errors: Callable[..., list[str]]) -> None:
    body = body_of(temperature=0.2, top_p=0.9, max_completion_tokens=32, stop="\n", seed=1, user="u1")
    assert body == {
        "model": "LLaMA_CPP",
        "messages": MESSAGES,
        "temperature": 0.2,
        "top_p": 0.9,
        "max_tokens": 32,
        "stop": "\n",
        "seed": 1,
        "user": "u1",
    }
    assert openai_spec_errors("CreateChatCompletionRequest", body) == []


def test_json_schema_becomes_json_object_with_schema(openai_spec_errors: Callable[..., list[str]]) -> None:
    schema = {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}
    body = body_of(response_format={"type": "json_schema", "json_schema": {"name": "X", "schema": schema}})
    assert body["response_format"] == {"type": "json_object", "schema": schema}
    assert openai_spec_errors("CreateChatCompletionRequest", body) == []
    assert body_of(response_format={"type": "json_object"})["response_format"] == {"type": "json_object"}


def test_refusals() -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        body_of(n=3)
    assert info.value.parameter_name == "n"
    with pytest.raises(errors.ConfigurationError, match="not both"):
        body_of(max_tokens=1, max_completion_tokens=2)


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, "prompt too big for model context size\r\n", errors.ContextLengthExceededError),
        (
            400,
            json.dumps(
                {
                    "error": {
                        "code": 400,
                        "type": "exceed_context_size_error",
                        "message": "request (5000 tokens) exceeds the available context size (4096 tokens)",
                    }
                }
            ),
            errors.ContextLengthExceededError,
        ),
        (400, "OpenAI logprobs field not supported\r\n", errors.InvalidRequestError),
        (500, "llama_decode prefill failed\r\n", errors.ProviderError),
    ],
)
def test_errors(status: int, body: str, cls: type[Exception]) -> None:
    err = LlamafileProvider().parse_error(status, {}, body.encode())
    assert type(err) is cls
    assert err.status_code == status
