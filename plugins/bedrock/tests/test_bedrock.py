"""The bedrock plugin passes the conformance kit with Converse / ConverseStream wire answers, and signs
with SigV4 what a local Bedrock verifies with botocore (credentials from arguments, env vars, a profile
file and botocore's chain; every retry re-signed; exceptions inside the event stream typed).

Bodies are shaped like the Converse API reference (``output.message.content`` blocks, ``stopReason``,
``usage``); streams are binary event-stream frames, cut into 37-byte pieces so frames straddle reads.
Errors carry AWS's ``x-amzn-ErrorType`` header and ``{"message": ...}`` body. The kit authenticates
with ``api_key`` (a Bedrock API key, sent as a bearer token).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from anyllm_bedrock import BedrockProvider

from any_llm import AnyLLM, api, errors
from any_llm.testing import Reply
from any_llm.testing.aws import SigV4Server, converse_frames, eventstream_reply, exception_frame
from any_llm.testing.conformance import (
    CITY,
    EMBEDDINGS,
    MODEL_IDS,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    USAGE,
    ProviderConformance,
)

SPEC = Path(__file__).parent / "specs" / "bedrock-runtime.json"
TOOL_ID = "tooluse_kQ3mBRA1SUmWYH3b9TEbtw"
REQUEST_ID = {"x-amzn-requestid": "4a9c1f3e-5d7b-4c1a-9e2f-0b8d6a3c7e11"}


def usage() -> dict[str, int]:
    return {"inputTokens": USAGE[0], "outputTokens": USAGE[1], "totalTokens": sum(USAGE)}


def converse(content: list[dict[str, Any]], stop: str) -> Reply:
    return Reply.json(
        {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": usage(),
            "metrics": {"latencyMs": 412},
        },
        headers=REQUEST_ID,
    )


def stream(blocks: list[tuple[str, Any]], stop: str) -> Reply:
    events = [
        ("messageStart", {"role": "assistant"}),
        *blocks,
        ("messageStop", {"stopReason": stop}),
        ("metadata", {"usage": usage(), "metrics": {"latencyMs": 390}}),
    ]
    return eventstream_reply(converse_frames(events), split=37, headers=REQUEST_ID)


def aws_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json(
        {"message": message},
        status,
        headers={
            "x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
            **REQUEST_ID,
            **(headers or {}),
        },
    )


def exchanges() -> dict[str, Reply | list[Reply]]:
    words = ["The", " capital", " of", " France", " is", " Paris", "."]
    text_blocks = [("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": w}}) for w in words]
    text_blocks.append(("contentBlockStop", {"contentBlockIndex": 0}))
    args = json.dumps(TOOL_ARGS)
    tool_blocks: list[tuple[str, Any]] = [
        (
            "contentBlockStart",
            {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": TOOL_ID, "name": TOOL_NAME}}},
        ),
        *[
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": args[i : i + 6]}}})
            for i in range(0, len(args), 6)
        ],
        ("contentBlockStop", {"contentBlockIndex": 0}),
    ]
    return {
        "plain": converse([{"text": TEXT}], "end_turn"),
        "stream": stream(text_blocks, "end_turn"),
        "stream_usage": stream(text_blocks, "end_turn"),
        "tool_call": converse([{"toolUse": {"toolUseId": TOOL_ID, "name": TOOL_NAME, "input": TOOL_ARGS}}], "tool_use"),
        "stream_tool_call": stream(tool_blocks, "tool_use"),
        "tool_round_trip": converse([{"text": TEXT}], "end_turn"),
        "structured": converse([{"text": json.dumps(CITY)}], "end_turn"),
        # AWS answers a bad token with 403; the kit's responses/messages scenarios require 401 exactly, and
        # the class comes from the error type either way (403 is covered by the SigV4 tests below)
        "error_401": aws_error(
            401, "UnrecognizedClientException", "The security token included in the request is invalid."
        ),
        "error_429": aws_error(
            429, "ThrottlingException", "Too many requests, please wait before trying again.", {"retry-after": "7"}
        ),
        "error_context_length": aws_error(400, "ValidationException", "Input is too long for requested model."),
        "error_5xx": aws_error(500, "InternalServerException", "The server encountered an internal error."),
        "embedding": Reply.json(
            {"id": "emb-1", "embeddings": EMBEDDINGS, "texts": ["a", "b"], "response_type": "embeddings_floats"}
        ),
        "list_models": Reply.json(
            {
                "modelSummaries": [
                    {"modelId": m, "providerName": "Kit", "modelName": m, "inputModalities": ["TEXT"]}
                    for m in MODEL_IDS
                ]
            }
        ),
    }


class TestBedrockConformance(ProviderConformance):
    provider_class = BedrockProvider
    model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    request_schema: ClassVar[tuple[str | Path, str] | None] = (SPEC, "ConverseRequest")

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return exchanges()[scenario]


# -- SigV4 end to end: a local Bedrock that verifies every signature with botocore ----------------------

AKID = "AKIDBEDROCKTEST00001"
SECRET = "bedrock-secret/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "session-token-FwoGZXIvYXdzEBYaDEXAMPLE0123456789"
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


def _ok(server: SigV4Server, n: int) -> None:
    assert server.verdicts == [None] * n, server.verdicts


def test_env_credentials_with_session_token_sign_plain_and_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    with SigV4Server({AKID: SECRET}, "bedrock", tokens={AKID: TOKEN}) as server:
        server.script += [exchanges()["plain"], exchanges()["stream"]]
        out = api.completion(model=MODEL, provider="bedrock", messages=MESSAGES, api_base=server.url)
        assert out.choices[0].message.content == TEXT
        chunks = list(
            api.completion(model=MODEL, provider="bedrock", messages=MESSAGES, api_base=server.url, stream=True)
        )
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == TEXT
        _ok(server, 2)
        first = server.requests[0]
        assert "/eu-central-1/bedrock/aws4_request" in first.headers["authorization"]
        assert first.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
        assert server.requests[1].headers["accept"] == "application/vnd.amazon.eventstream"
        assert SECRET not in repr(first.headers)


def test_profile_file_supplies_keys_and_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "credentials").write_text(f"[team]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n")
    (tmp_path / "config").write_text("[profile team]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_PROFILE", "team")
    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        server.script.append(exchanges()["plain"])
        client = AnyLLM.create("bedrock", api_base=server.url)
        assert client.provider.region == "ap-southeast-2"  # type: ignore[attr-defined]
        assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
        client.close()
        _ok(server, 1)
        assert "/ap-southeast-2/bedrock/" in server.requests[0].headers["authorization"]


def test_named_profile_from_client_args_and_a_missing_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text(
        f"[profile dev]\nregion = us-west-2\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        server.script.append(exchanges()["plain"])
        client = AnyLLM.create("bedrock", api_base=server.url, profile_name="dev", max_retries=0)
        client.completion(MODEL, MESSAGES)
        client.close()
        _ok(server, 1)
        assert "/us-west-2/bedrock/" in server.requests[0].headers["authorization"]
    with pytest.raises(errors.ConfigurationError, match="profile 'nope' is not in"):
        AnyLLM.create("bedrock", api_base="http://127.0.0.1:9", profile_name="nope")


def test_botocore_chain_resolves_a_credential_process_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile our own file reader cannot use (credential_process) goes through botocore, which only
    resolves the keys: the request is still built, signed and sent by anyllm."""
    payload = json.dumps({"Version": 1, "AccessKeyId": AKID, "SecretAccessKey": SECRET, "SessionToken": TOKEN})
    script = tmp_path / "creds.py"
    script.write_text(f"print({payload!r})\n")
    (tmp_path / "config").write_text(f"[profile proc]\ncredential_process = {sys.executable} {script}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_PROFILE", "proc")
    with SigV4Server({AKID: SECRET}, "bedrock", tokens={AKID: TOKEN}) as server:
        server.script.append(exchanges()["plain"])
        client = AnyLLM.create("bedrock", api_base=server.url)
        client.completion(MODEL, MESSAGES)
        client.close()
        _ok(server, 1)


def test_explicit_keys_beat_the_bearer_env_var_and_bearer_signs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-ABSKQmVkcm9ja0FQSUtleQ")
    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        server.script.append(exchanges()["plain"])
        client = AnyLLM.create("bedrock", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        client.completion(MODEL, MESSAGES)
        client.close()
        _ok(server, 1)
        bearer = AnyLLM.create("bedrock", api_base=server.url, max_retries=0)
        with pytest.raises(errors.AuthenticationError):  # this server only takes signatures
            bearer.completion(MODEL, MESSAGES)
        bearer.close()
        assert server.requests[1].headers["authorization"] == "Bearer bedrock-api-key-ABSKQmVkcm9ja0FQSUtleQ"
        assert "x-amz-date" not in server.requests[1].headers


def test_wrong_secret_is_an_authentication_error_without_the_secret() -> None:
    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        wrong = "wrong-secret-0123456789"
        client = AnyLLM.create(
            "bedrock", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=wrong, max_retries=0
        )
        with pytest.raises(errors.AuthenticationError) as info:
            client.completion(MODEL, MESSAGES)
        client.close()
        assert server.verdicts == ["signature mismatch"]
        assert wrong not in f"{info.value} {info.value!r} {vars(info.value)} {client.provider!r}"


def test_every_retry_is_signed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import any_llm.transport

    monkeypatch.setattr(any_llm.transport, "backoff", lambda attempt: 0.0)
    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        server.script += [
            Reply.json({"message": "Model is not ready"}, 429, headers={"x-amzn-errortype": "ModelNotReadyException"}),
            Reply.json({"message": "unavailable"}, 503, headers={"x-amzn-errortype": "ServiceUnavailableException"}),
            exchanges()["plain"],
        ]
        client = AnyLLM.create("bedrock", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        assert client.completion(MODEL, MESSAGES).choices[0].message.content == TEXT
        client.close()
        _ok(server, 3)


def test_async_stream_with_an_exception_inside_the_event_stream() -> None:
    frames = [
        *converse_frames(
            [
                ("messageStart", {"role": "assistant"}),
                ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "The"}}),
            ]
        ),
        exception_frame("throttlingException", "Too many tokens, please wait before trying again."),
    ]

    async def run(url: str) -> list[str]:
        client = AnyLLM.create("bedrock", api_base=url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        seen: list[str] = []
        try:
            async for chunk in await client.acompletion(MODEL, MESSAGES, stream=True):
                seen.append(chunk.choices[0].delta.content or "")
        finally:
            await client.aclose()
        return seen

    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        server.script.append(eventstream_reply(frames, split=11))
        with pytest.raises(errors.RateLimitError, match="ThrottlingException"):
            asyncio.run(run(server.url))
        _ok(server, 1)


def test_list_models_and_embeddings_are_signed() -> None:
    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        server.script += [
            exchanges()["list_models"],
            Reply.json({"embedding": EMBEDDINGS[0], "inputTextTokenCount": 3}),
        ]
        client = AnyLLM.create("bedrock", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        assert [m.id for m in client.list_models(byProvider="Anthropic Inc")] == MODEL_IDS
        emb = client.embedding("amazon.titan-embed-text-v2:0", "hello", dimensions=256)
        assert emb.data[0].embedding == EMBEDDINGS[0]
        assert emb.usage.prompt_tokens == 3
        with pytest.raises(errors.UnsupportedParameterError):
            client.embedding("amazon.titan-embed-text-v2:0", ["a", "b"])
        client.close()
        _ok(server, 2)
        assert server.requests[0].path == "/foundation-models?byProvider=Anthropic%20Inc"
        assert server.requests[1].path == "/model/amazon.titan-embed-text-v2%3A0/invoke"
        assert server.requests[1].json == {"inputText": "hello", "dimensions": 256}


def test_no_credentials_at_all_names_the_ways_to_give_them() -> None:
    with pytest.raises(errors.MissingApiKeyError, match="AWS_BEARER_TOKEN_BEDROCK or AWS_ACCESS_KEY_ID"):
        AnyLLM.create("bedrock")


def test_default_endpoint_follows_the_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    client = AnyLLM.create("bedrock", api_key="bedrock-api-key-0123456789")
    assert client.provider.api_base == "https://bedrock-runtime.eu-west-3.amazonaws.com"
    request = client.provider.build_list_models_request({})
    assert request.url == "https://bedrock.eu-west-3.amazonaws.com/foundation-models"
    client.close()


def test_no_secret_or_session_token_in_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    with SigV4Server({AKID: SECRET}, "bedrock", tokens={AKID: TOKEN}) as server:
        server.script += [
            Reply.json({"message": "slow down"}, 429, headers={"x-amzn-errortype": "ThrottlingException"}),
            exchanges()["plain"],
        ]
        client = AnyLLM.create(
            "bedrock",
            api_base=server.url,
            aws_access_key_id=AKID,
            aws_secret_access_key=SECRET,
            aws_session_token=TOKEN,
            max_retries=1,
            timeout=10,
        )
        import any_llm.transport

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(any_llm.transport, "backoff", lambda attempt: 0.0)
            out = client.completion(MODEL, MESSAGES)
        client.close()
        _ok(server, 2)
    logged = caplog.text + repr(out) + repr(client) + repr(client.provider)
    assert SECRET not in logged
    assert TOKEN not in logged
    assert "429" in caplog.text  # the retry was logged, just without credentials


def test_per_call_headers_are_sent_before_signing() -> None:
    """extra_headers join the request before core signs it: an x-amz-* header is covered by the signature."""
    with SigV4Server({AKID: SECRET}, "bedrock") as server:
        server.script.append(exchanges()["plain"])
        client = AnyLLM.create("bedrock", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        client.completion(MODEL, MESSAGES, extra_headers={"X-Amz-Meta-Tenant": "blue", "X-Trace": "t-1"})
        client.close()
        _ok(server, 1)
        request = server.requests[0]
        assert request.headers["x-amz-meta-tenant"] == "blue"
        assert "x-amz-meta-tenant" in request.headers["authorization"]
