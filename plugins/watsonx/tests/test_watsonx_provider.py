"""watsonx specifics the conformance kit does not cover: body mapping, project resolution, IAM errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_watsonx import DEFAULT_IAM_URL, IAMTokenAuth, WatsonxProvider

from any_llm import errors, plugins
from any_llm.client import AnyLLM
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import KEY, MESSAGES, TEXT
from any_llm.testing.schema import schema_errors

from .conftest import PROJECT, SPEC, IAMServer
from .test_watsonx_conformance import MODEL, answer, error, item, stream

pytestmark = pytest.mark.usefixtures("iam")


def body_of(**args: Any) -> dict[str, Any]:
    extra = args.pop("extra", {})
    provider = WatsonxProvider(api_key=KEY, api_base="https://us-south.ml.cloud.ibm.com")
    request = provider.build_completion_request(build_params(MODEL, MESSAGES, args, extra))
    body: dict[str, Any] = request.json
    assert not schema_errors(SPEC, "TextChatRequest", body), schema_errors(SPEC, "TextChatRequest", body)
    return body


def test_declarations() -> None:
    assert get_provider_class("watsonx") is WatsonxProvider
    assert WatsonxProvider.api_key_env == ("WATSONX_API_KEY",)
    assert WatsonxProvider.api_base_env[0] == "WATSONX_SERVICE_URL"
    assert DEFAULT_IAM_URL == "https://iam.cloud.ibm.com/identity/token"


def test_iam_url_defaults_to_ibm_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATSONX_IAM_URL")
    auth = WatsonxProvider(api_key=KEY).token_auth()
    assert isinstance(auth, IAMTokenAuth)
    request = next(auth.token_flow())
    assert request.url == DEFAULT_IAM_URL
    assert KEY not in repr(auth) + repr(request)


def test_body_mapping() -> None:
    body = body_of(stop="END", tool_choice="required", tools=[{"type": "function", "function": {"name": "f"}}])
    assert body["model_id"] == MODEL and "model" not in body and "stream" not in body
    assert body["project_id"] == PROJECT
    assert body["stop"] == ["END"]
    assert body["tool_choice_option"] == "required" and "tool_choice" not in body
    named = {"type": "function", "function": {"name": "f"}}
    body = body_of(tool_choice=named, tools=[{"type": "function", "function": {"name": "f"}}])
    assert body["tool_choice"] == named and "tool_choice_option" not in body


def test_project_and_space_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    assert body_of(extra={"project_id": "p-call"})["project_id"] == "p-call"
    monkeypatch.delenv("WATSONX_PROJECT_ID")
    with pytest.raises(errors.ConfigurationError, match="WATSONX_PROJECT_ID"):
        body_of()
    assert body_of(extra={"space_id": "s-1"})["space_id"] == "s-1"
    monkeypatch.setenv("WATSONX_SPACE_ID", "s-env")
    assert body_of()["space_id"] == "s-env"


def test_version_stream_path_and_client_options(iam: IAMServer) -> None:
    with plugins.registered(WatsonxProvider), MockServer() as server:
        server.queue(answer({"content": TEXT}, "stop"), stream([item({"content": TEXT}, "stop", usage=True)]))
        client = AnyLLM.create(
            "watsonx", api_key=KEY, api_base=server.url, project_id="p-client", api_version="2024-05-31"
        )
        assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
        chunks = list(client.completion(MODEL, MESSAGES, stream=True, api_version="2025-01-01"))
        client.close()
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == TEXT
    first, second = server.requests
    assert first.path == "/ml/v1/text/chat?version=2024-05-31"
    assert second.path == "/ml/v1/text/chat_stream?version=2025-01-01"
    assert first.json["project_id"] == second.json["project_id"] == "p-client"
    assert "api_version" not in second.json
    assert first.headers["authorization"] == second.headers["authorization"] == f"Bearer {iam.issued[-1]}"


def test_wrong_api_key_is_iams_message_without_the_key(iam: IAMServer) -> None:
    with plugins.registered(WatsonxProvider), MockServer() as server:
        client = AnyLLM.create("watsonx", api_key="wrong-ibm-cloud-key-123456", api_base=server.url)
        with pytest.raises(errors.AuthenticationError) as info:
            client.completion(MODEL, MESSAGES)
        client.close()
    assert "Provided API key could not be found" in str(info.value)
    assert "wrong-ibm-cloud-key-123456" not in str(info.value) + repr(info.value)
    assert server.requests == []


def test_iam_url_client_option_overrides_env(iam: IAMServer) -> None:
    with plugins.registered(WatsonxProvider), MockServer() as server, MockServer() as other_iam:
        other_iam.queue(Reply.json({"access_token": "other-iam-token-0001", "expires_in": 3600}))
        server.queue(answer({"content": TEXT}, "stop"))
        client = AnyLLM.create("watsonx", api_key=KEY, api_base=server.url, iam_url=other_iam.url + "/identity/token")
        client.completion(MODEL, MESSAGES)
        client.close()
    assert server.requests[0].headers["authorization"] == "Bearer other-iam-token-0001"
    assert other_iam.requests[0].path == "/identity/token"


def run(*replies: Reply, stream_call: bool = False) -> Any:
    with plugins.registered(WatsonxProvider), MockServer() as server:
        server.queue(*replies)
        client = AnyLLM.create("watsonx", api_key=KEY, api_base=server.url, max_retries=0)
        try:
            if stream_call:
                return list(client.completion(MODEL, MESSAGES, stream=True))
            return client.completion(MODEL, MESSAGES)
        finally:
            client.close()


def test_time_limit_reads_as_length_and_error_finish_raises() -> None:
    assert run(answer({"content": "cut"}, "time_limit")).choices[0].finish_reason == "length"
    with pytest.raises(errors.ProviderError, match="finish_reason='error'"):
        run(answer({"content": ""}, "error"))


def test_error_event_in_stream() -> None:
    failure = {"errors": [{"code": "model_no_support_for_function", "message": "no tools here"}], "status_code": 400}
    frames = [
        f"id: 1\nevent: message\ndata: {json.dumps(item({'content': 'a'})[1])}\n\n".encode(),
        f"id: 2\nevent: error\ndata: {json.dumps(failure)}\n\n".encode(),
    ]
    with pytest.raises(errors.InvalidRequestError, match="no tools here"):
        run(Reply(200, {"content-type": "text/event-stream"}, frames), stream_call=True)


def test_404_model_not_found() -> None:
    with pytest.raises(errors.ModelNotFoundError, match="does not exist"):
        run(error(404, "model_not_supported", "Model 'x' does not exist or is not supported"))
