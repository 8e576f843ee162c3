"""count_tokens(): POST /v1/messages/count_tokens, the body checked against the spec, the reply parsed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import any_llm
from any_llm import errors
from any_llm.testing import MockServer, Reply
from any_llm.testing.schema import schema_errors

COUNT_FIELDS = ["model", "messages", "system", "tool_choice", "tools", "thinking"]
"""CountMessageTokensRequest in Anthropic's OpenAPI: these fields of a messages request, model + messages required."""


@pytest.fixture(scope="module")
def count_spec(tmp_path_factory: pytest.TempPathFactory, spec_path: Path) -> Path:
    """conftest's extended spec plus CountMessageTokensRequest, made of CreateMessageRequest's own fields."""
    spec = json.loads(spec_path.read_text())
    schemas = spec["components"]["schemas"]
    create = schemas["CreateMessageRequest"]
    schemas["CountMessageTokensRequest"] = {
        "type": "object",
        "properties": {k: v for k, v in create["properties"].items() if k in COUNT_FIELDS},
        "required": ["model", "messages"],
        "additionalProperties": False,
    }
    path = tmp_path_factory.mktemp("spec") / "anthropic-count.json"
    path.write_text(json.dumps(spec))
    return path


TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}


def test_count_tokens_request_and_reply(server: MockServer, count_spec: Path) -> None:
    server.queue(Reply.json({"input_tokens": 42}))
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "weather in Paris?"},
    ]
    n = any_llm.count_tokens(
        "claude-sonnet-4-5",
        messages,
        provider="anthropic",
        api_key="sk-ant-xxxxxxxxxx",
        api_base=server.url,
        tools=[TOOL],
        max_tokens=100,
        temperature=0.5,
    )
    assert n == 42
    (request,) = server.requests
    assert request.method == "POST" and request.path == "/v1/messages/count_tokens"
    assert request.headers["anthropic-version"] and request.headers["x-api-key"] == "sk-ant-xxxxxxxxxx"
    body = request.json
    assert body["system"] and body["tools"][0]["name"] == "get_weather"
    assert "max_tokens" not in body and "temperature" not in body  # not fields of the counting request
    problems = schema_errors(count_spec, "CountMessageTokensRequest", body)
    assert not problems, problems


def test_count_tokens_async_and_bad_reply(server: MockServer) -> None:
    import asyncio

    server.queue(Reply.json({"input_tokens": 7}), Reply.json({"tokens": 7}))
    kw: dict[str, Any] = {"provider": "anthropic", "api_key": "sk-ant-xxxxxxxxxx", "api_base": server.url}
    msgs = [{"role": "user", "content": "hi"}]
    assert asyncio.run(any_llm.acount_tokens("claude-sonnet-4-5", msgs, **kw)) == 7
    with pytest.raises(errors.ResponseValidationError, match="input_tokens"):
        any_llm.count_tokens("claude-sonnet-4-5", msgs, **kw)


def test_other_providers_say_unsupported_before_sending(server: MockServer) -> None:
    from any_llm import plugins
    from any_llm.openai_compat import OpenAICompatibleProvider

    class NoCounting(OpenAICompatibleProvider):  # in process: this plugin's tests run with it alone installed
        name = "no-counting"

    with plugins.registered(NoCounting), pytest.raises(errors.UnsupportedCapabilityError, match="count_tokens"):
        any_llm.count_tokens(
            "gpt-4o",
            [{"role": "user", "content": "hi"}],
            provider="no-counting",
            api_key="sk-x",
            api_base=server.url + "/v1",
        )
    assert server.requests == []
