"""Claude on Vertex: the conformance kit (with a ready access token as api_key), the Vertex request
shape (model in the URL, anthropic_version in the body, validated against the anthropic plugin's
Messages schema), and Application Default Credentials through a JWT-verifying token endpoint."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_anthropic.testing import error_reply, messages_exchanges
from anyllm_vertexai.testing import PROJECT, GoogleTokenServer
from anyllm_vertexaianthropic import VertexaianthropicProvider

from any_llm import api, errors, plugins
from any_llm.client import AnyLLM
from any_llm.params import build_params
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MESSAGES, TEXT, ProviderConformance
from any_llm.testing.schema import schema_errors

MODEL = "claude-sonnet-4@20250514"
PATH = f"/v1/projects/{PROJECT}/locations/us-east5/publishers/anthropic/models/{MODEL}"


EXCHANGES: dict[str, Reply] = messages_exchanges(
    model="claude-sonnet-4-20250514",
    # Vertex, not Claude, refuses a bad access token (Google's error shape) and meters the quota
    error_401=Reply.json(
        {
            "error": {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED",
            }
        },
        401,
    ),
    error_429=error_reply(
        429, "rate_limit_error", "Quota exceeded for aiplatform.googleapis.com", {"retry-after": "7"}
    ),
)


@pytest.fixture(autouse=True)
def project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_VERTEX_PROJECT_ID", PROJECT)
    monkeypatch.delenv("CLOUD_ML_REGION", raising=False)


class TestVertexaianthropicConformance(ProviderConformance):
    provider_class = VertexaianthropicProvider
    model = MODEL

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return EXCHANGES[scenario]

    def messages_exchange(self, scenario: str) -> Reply | list[Reply]:
        """messages() is native here: the Messages-shaped answers of the completion scenarios serve it."""
        return EXCHANGES[scenario]

    def test_key_and_base_url_from_env(self, sa_file: Path, google: GoogleTokenServer) -> None:  # type: ignore[override]
        """No key env var here: ADC supplies the token; ANTHROPIC_VERTEX_BASE_URL the endpoint."""
        with plugins.registered(VertexaianthropicProvider), MockServer() as server, pytest.MonkeyPatch.context() as mp:
            server.queue(EXCHANGES["plain"])
            mp.setenv("ANTHROPIC_VERTEX_BASE_URL", server.url)
            api.close_clients(self.provider_class.name)
            try:
                out: Any = api.completion(model=MODEL, provider="vertexaianthropic", messages=MESSAGES)
            finally:
                api.close_clients(self.provider_class.name)
        assert out.choices[0].message.content == TEXT
        assert server.requests[0].headers["authorization"] == f"Bearer {google.issued[0]}"


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"stream": True, "max_tokens": 100, "temperature": 0.2, "stop": ["END"]},
        {
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
            "tool_choice": "required",
        },
        {"reasoning_effort": "low"},
    ],
)
def test_body_is_the_messages_body_with_vertex_version_and_no_model(messages_spec: Path, args: dict[str, Any]) -> None:
    provider = VertexaianthropicProvider(api_key="ya29.ready-token-0000000", api_base="https://x.invalid")
    request = provider.build_completion_request(build_params(MODEL, MESSAGES, dict(args), {}))
    body = request.json
    assert "model" not in body and body["anthropic_version"] == "vertex-2023-10-16"
    method = "streamRawPredict" if args.get("stream") else "rawPredict"
    assert request.url == f"https://x.invalid{PATH}:{method}"
    assert request.stream is bool(args.get("stream"))
    standard = {k: v for k, v in body.items() if k != "anthropic_version"} | {"model": MODEL}
    assert not schema_errors(messages_spec, "CreateMessageRequest", standard)


def test_default_endpoint_and_location_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_ML_REGION", "europe-west1")
    provider = VertexaianthropicProvider(
        api_key="ya29.ready-token-0000000", api_base=VertexaianthropicProvider.default_api_base
    )
    url = provider.build_completion_request(build_params(MODEL, MESSAGES, {}, {})).url
    assert url.startswith(
        f"https://europe-west1-aiplatform.googleapis.com/v1/projects/{PROJECT}/locations/europe-west1/"
    )


def test_service_account_through_the_token_endpoint(sa_file: Path, google: GoogleTokenServer) -> None:
    with plugins.registered(VertexaianthropicProvider), MockServer() as server:
        server.queue(EXCHANGES["plain"], EXCHANGES["stream"])
        client = AnyLLM.create("vertexaianthropic", api_base=server.url)
        assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT

        async def streamed() -> str:
            out = []
            async for chunk in await client.acompletion(MODEL, MESSAGES, stream=True):
                out.append(chunk.choices[0].delta.content or "" if chunk.choices else "")
            return "".join(out)

        assert asyncio.run(streamed()) == TEXT
        client.close()
    assert len(google.verified) == 1
    assert [r.path for r in server.requests] == [f"{PATH}:rawPredict", f"{PATH}:streamRawPredict"]
    assert all(r.headers["authorization"] == f"Bearer {google.issued[0]}" for r in server.requests)
    assert all(r.json["anthropic_version"] == "vertex-2023-10-16" for r in server.requests)


def test_list_models_is_a_declared_gap() -> None:
    provider = VertexaianthropicProvider(api_key="ya29.ready-token-0000000", api_base="https://x.invalid")
    with pytest.raises(errors.UnsupportedCapabilityError):
        provider.build_list_models_request({})


def test_messages_natively_on_vertex(sa_file: Path, google: GoogleTokenServer) -> None:
    with plugins.registered(VertexaianthropicProvider), MockServer() as server:
        server.queue(EXCHANGES["plain"])
        with AnyLLM.create("vertexaianthropic", api_base=server.url, max_retries=0) as client:
            result = client.messages(MODEL, [{"role": "user", "content": "hi"}], 64, top_k=5, betas=["b-1"])
    assert result.text == TEXT
    (request,) = server.requests
    assert request.path == f"{PATH}:rawPredict"
    assert request.json == {
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "hi"}],
        "top_k": 5,
        "anthropic_version": "vertex-2023-10-16",
        "anthropic_beta": ["b-1"],
    }
    assert "anthropic-version" not in request.headers
    assert request.headers["authorization"] == f"Bearer {google.issued[0]}"


COUNT_FIELDS = ["model", "messages", "system", "tool_choice", "tools", "thinking"]
"""Anthropic's CountMessageTokensRequest: these CreateMessageRequest fields, model and messages required."""


def test_count_tokens_on_vertex(sa_file: Path, google: GoogleTokenServer, messages_spec: Path) -> None:
    schemas = json.loads(messages_spec.read_text())
    create = schemas["components"]["schemas"]["CreateMessageRequest"]
    schemas["components"]["schemas"]["CountMessageTokensRequest"] = {
        "type": "object",
        "properties": {k: v for k, v in create["properties"].items() if k in COUNT_FIELDS},
        "required": ["model", "messages"],
        "additionalProperties": False,
    }
    count_spec = sa_file.parent / "count-spec.json"
    count_spec.write_text(json.dumps(schemas))
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    with plugins.registered(VertexaianthropicProvider), MockServer() as server:
        server.queue(Reply.json({"input_tokens": 42}), Reply.json({"input_tokens": 7}))
        with AnyLLM.create("vertexaianthropic", api_base=server.url, max_retries=0) as client:
            n = client.count_tokens(MODEL, [{"role": "system", "content": "be brief"}, *MESSAGES], tools=[tool])
            m = asyncio.run(client.acount_tokens(MODEL, MESSAGES))
    assert (n, m) == (42, 7)
    count_path = f"/v1/projects/{PROJECT}/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict"
    assert [r.path for r in server.requests] == [count_path, count_path]
    body = server.requests[0].json
    assert body["model"] == MODEL and body["anthropic_version"] == "vertex-2023-10-16"
    assert body["system"] and body["tools"][0]["name"] == "get_weather"
    assert "anthropic-version" not in server.requests[0].headers
    assert server.requests[0].headers["authorization"] == f"Bearer {google.issued[0]}"
    standard = {k: v for k, v in body.items() if k != "anthropic_version"}
    assert not schema_errors(count_spec, "CountMessageTokensRequest", standard)


def test_batch_is_declared_off_and_says_why(tmp_path: Path) -> None:
    with plugins.registered(VertexaianthropicProvider), MockServer() as server:
        client = AnyLLM.create("vertexaianthropic", api_key="ya29.ready-token-0000000", api_base=server.url)
        with client, pytest.raises(errors.UnsupportedCapabilityError, match="Cloud Storage or BigQuery"):
            client.create_batch(str(tmp_path / "in.jsonl"), endpoint="/v1/chat/completions")
        assert server.requests == []
