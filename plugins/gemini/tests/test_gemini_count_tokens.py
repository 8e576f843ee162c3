"""count_tokens(): POST models/<id>:countTokens with the generateContent request, checked against the spec."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import any_llm
from any_llm import errors
from any_llm.testing import MockServer, Reply
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "gemini-native.json"


@pytest.fixture(scope="module")
def count_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trimmed spec plus CountTokensRequest as the official one defines it (contents | generateContentRequest)."""
    spec = json.loads(SPEC.read_text())
    schemas = spec["components"]["schemas"]
    schemas["CountTokensRequest"] = {
        "type": "object",
        "properties": {
            "contents": {"type": "array", "items": {"$ref": "#/components/schemas/Content"}},
            "generateContentRequest": {"$ref": "#/components/schemas/GenerateContentRequest"},
        },
        "additionalProperties": False,
    }
    path = tmp_path_factory.mktemp("spec") / "gemini-count.json"
    path.write_text(json.dumps(spec))
    return path


@pytest.fixture
def srv() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


def test_count_tokens_request_and_reply(srv: MockServer, count_spec: Path) -> None:
    srv.queue(Reply.json({"totalTokens": 31, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 31}]}))
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "weather in Paris?"},
    ]
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}
    n = any_llm.count_tokens(
        "gemini-2.0-flash",
        messages,
        provider="gemini",
        api_key="AIza-test-key-123",
        api_base=srv.url + "/v1beta",
        tools=[tool],
    )
    assert n == 31
    (request,) = srv.requests
    assert request.path == "/v1beta/models/gemini-2.0-flash:countTokens"
    assert "key=" not in request.path and request.headers["x-goog-api-key"] == "AIza-test-key-123"
    inner = request.json["generateContentRequest"]
    assert inner["model"] == "models/gemini-2.0-flash"  # required by the API inside generateContentRequest
    assert inner["systemInstruction"] and inner["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"
    # the trimmed spec's GenerateContentRequest leaves out `model` (a path parameter for generateContent)
    body = {"generateContentRequest": {k: v for k, v in inner.items() if k != "model"}}
    problems = schema_errors(count_spec, "CountTokensRequest", body)
    assert not problems, problems


def test_zero_is_omitted_by_proto3_and_garbage_is_an_error(srv: MockServer) -> None:
    srv.queue(Reply.json({}), Reply.json({"totalTokens": "many"}))
    kw: dict[str, Any] = {"provider": "gemini", "api_key": "AIza-test-key-123", "api_base": srv.url + "/v1beta"}
    assert any_llm.count_tokens("gemini-2.0-flash", [{"role": "user", "content": ""}], **kw) == 0
    with pytest.raises(errors.ResponseValidationError, match="totalTokens"):
        any_llm.count_tokens("gemini-2.0-flash", [{"role": "user", "content": "hi"}], **kw)
