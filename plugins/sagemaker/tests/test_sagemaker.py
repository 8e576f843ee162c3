"""The sagemaker plugin: the conformance kit with OpenAI answers wrapped the way SageMaker sends them
(event-stream PayloadPart frames cutting the container's SSE anywhere, ModelError wrappers), and
SigV4 (service ``sagemaker``) verified by a local endpoint with botocore."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from anyllm_sagemaker import SageMakerProvider
from hypothesis import given, settings
from hypothesis import strategies as st

from any_llm import AnyLLM, errors
from any_llm.eventstream import encode_message
from any_llm.testing import Reply
from any_llm.testing.aws import SigV4Server, eventstream_reply
from any_llm.testing.conformance import (
    OPENAI_SPEC,
    TEXT,
    ProviderConformance,
    chunk_json,
    openai_exchanges,
    request_body,
)
from any_llm.testing.server import sse_events
from any_llm.testing.translation import make_params, run_stream

AKID = "AKIDSAGEMAKERTEST001"
SECRET = "sagemaker-secret/K7MDENG+bPxRfiCYEXAMPLEKEY"
ENDPOINT = "llama-3-8b-instruct-2024-05-01"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


def payload_part(data: bytes) -> bytes:
    return encode_message(
        {":event-type": "PayloadPart", ":content-type": "application/octet-stream", ":message-type": "event"}, data
    )


def wrap_stream(container_bytes: bytes, part: int = 23) -> Reply:
    """The container's stream cut into PayloadPart frames of ``part`` bytes (lines split mid-way),
    the frames themselves arriving in 29-byte reads."""
    parts = [container_bytes[i : i + part] for i in range(0, len(container_bytes), part)]
    return eventstream_reply([payload_part(p) for p in parts], split=29)


def model_error(status: int, original: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    """SageMaker's wrapper around a container error."""
    text = json.dumps(original)
    return Reply.json(
        {
            "ErrorCode": "CLIENT_ERROR_FROM_MODEL" if status < 500 else "SERVER_ERROR_FROM_MODEL",
            "OriginalStatusCode": status,
            "OriginalMessage": text,
            "Message": f'Received client error ({status}) from primary with message "{text}".',
            "LogStreamArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/x",
        },
        424,
        headers={
            "x-amzn-errortype": "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/",
            **(headers or {}),
        },
    )


def exchanges() -> dict[str, Reply | list[Reply]]:
    base = openai_exchanges()
    out: dict[str, Reply | list[Reply]] = {}
    for name, reply in base.items():
        if not isinstance(reply, Reply):  # a multi-request family scenario (batch): SageMaker declares none
            continue
        if reply.headers.get("content-type") == "text/event-stream":
            out[name] = wrap_stream(b"".join(reply.chunks))
        else:
            out[name] = reply
    out["error_401"] = Reply.json(
        {"message": "The security token included in the request is invalid."},
        401,  # AWS sends 403; the kit's responses/messages scenarios want 401 (the class comes from the type)
        headers={"x-amzn-errortype": "UnrecognizedClientException"},
    )
    out["error_429"] = Reply.json(
        {"message": "Rate exceeded"}, 429, headers={"x-amzn-errortype": "ThrottlingException", "retry-after": "7"}
    )
    out["error_context_length"] = model_error(
        400,
        {
            "object": "error",
            "message": "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
            "type": "BadRequestError",
            "code": 400,
        },
    )
    out["error_5xx"] = model_error(500, {"error": "Request failed during generation: CUDA out of memory"})
    return out


class TestSageMakerConformance(ProviderConformance):
    provider_class = SageMakerProvider
    model = ENDPOINT
    request_schema: ClassVar[tuple[str | Path, str] | None] = None  # no "model" in the body: checked below

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return exchanges()[scenario]

    @pytest.fixture(autouse=True)
    def _aws_keys(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """SageMaker has no key env var: the kit's env test runs with AWS keys in the environment."""
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)


def test_body_is_openai_chat_without_model_and_valid_against_openai_spec() -> None:
    body = request_body(SageMakerProvider, model=ENDPOINT, temperature=0.3, max_tokens=64, stream=True)
    assert "model" not in body
    assert body["stream_options"] == {"include_usage": True}
    from any_llm.testing.schema import schema_errors

    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", {"model": ENDPOINT, **body}) == []


def test_sigv4_verified_plain_and_stream_with_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    with SigV4Server({AKID: SECRET}, "sagemaker") as server:
        server.script += [exchanges()["plain"], exchanges()["stream"]]
        client = AnyLLM.create("sagemaker", api_base=server.url)
        assert client.completion(ENDPOINT, MESSAGES).choices[0].message.content == TEXT
        chunks = list(
            client.completion(ENDPOINT, MESSAGES, stream=True, inference_component="llama-ic-1", target_variant="blue")
        )
        client.close()
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == TEXT
        assert server.verdicts == [None, None]
        assert server.requests[0].path == f"/endpoints/{ENDPOINT}/invocations"
        assert server.requests[1].path == f"/endpoints/{ENDPOINT}/invocations-response-stream"
        assert "/us-west-2/sagemaker/aws4_request" in server.requests[0].headers["authorization"]
        assert server.requests[1].headers["x-amzn-sagemaker-inference-component"] == "llama-ic-1"
        assert server.requests[1].headers["x-amzn-sagemaker-target-variant"] == "blue"
        assert not {"inference_component", "target_variant"} & set(server.requests[1].json)
        assert server.requests[1].headers["accept"] == "application/vnd.amazon.eventstream"


def test_default_endpoint_and_missing_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(errors.MissingApiKeyError, match="AWS_ACCESS_KEY_ID"):
        AnyLLM.create("sagemaker")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    client = AnyLLM.create("sagemaker", region_name="eu-north-1")
    assert client.provider.api_base == "https://runtime.sagemaker.eu-north-1.amazonaws.com"
    assert SECRET not in repr(client.provider)
    client.close()


def test_json_lines_container_stream_cut_anywhere() -> None:
    lines = [
        chunk_json({"role": "assistant", "content": ""}),
        *[chunk_json({"content": w}) for w in ["The capital", " of France", " is Paris."]],
        chunk_json({}, "stop"),
    ]
    raw = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
    with SigV4Server({AKID: SECRET}, "sagemaker") as server:
        server.script.append(wrap_stream(raw, part=7))
        client = AnyLLM.create("sagemaker", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        chunks = list(client.completion(ENDPOINT, MESSAGES, stream=True, stream_options={"include_usage": False}))
        client.close()
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == TEXT
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_model_stream_error_inside_the_stream() -> None:
    head = b"".join(sse_events([chunk_json({"role": "assistant", "content": "The"})], done=False))
    error = encode_message(
        {":exception-type": "ModelStreamError", ":content-type": "application/json", ":message-type": "exception"},
        json.dumps({"Message": "Your model stream failed", "ErrorCode": "ModelStreamError"}).encode(),
    )
    with SigV4Server({AKID: SECRET}, "sagemaker") as server:
        server.script.append(eventstream_reply([payload_part(head), error], split=13))
        client = AnyLLM.create("sagemaker", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        with pytest.raises(errors.ProviderError, match="ModelStreamError"):
            list(client.completion(ENDPOINT, MESSAGES, stream=True))
        client.close()


@pytest.mark.parametrize(
    ("status", "original", "expected"),
    [
        (
            400,
            {"error": {"message": "maximum context length is 4096 tokens", "type": "invalid_request_error"}},
            errors.ContextLengthExceededError,
        ),
        (429, {"error": "Model is overloaded"}, errors.RateLimitError),
        (422, {"error": "Input validation error: `temperature` must be strictly positive"}, errors.InvalidRequestError),
        (503, {"error": "Model is loading"}, errors.ProviderError),
    ],
)
def test_model_error_is_classified_by_the_container_status(
    status: int, original: dict[str, Any], expected: type
) -> None:
    reply = model_error(status, original)
    provider = SageMakerProvider(api_key="gateway-token-0123456789", api_base="https://x.invalid")
    err = provider.parse_error(reply.status, reply.headers, reply.chunks[0])
    assert type(err) is expected, err
    assert err.status_code == status


def test_embeddings_from_a_text_embeddings_inference_endpoint() -> None:
    with SigV4Server({AKID: SECRET}, "sagemaker") as server:
        server.script += [Reply.json([[0.25, -0.5], [0.125, 1.0]]), Reply.json({"embeddings": [0.5, 0.5]})]
        client = AnyLLM.create("sagemaker", api_base=server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET)
        out = client.embedding("bge-large-tei", ["a", "b"], truncate=True)
        assert [d.embedding for d in out.data] == [[0.25, -0.5], [0.125, 1.0]]
        assert [d.embedding for d in client.embedding("bge-large-tei", "c").data] == [[0.5, 0.5]]
        client.close()
        assert server.verdicts == [None, None]
        assert server.requests[0].path == "/endpoints/bge-large-tei/invocations"
        assert server.requests[0].json == {"inputs": ["a", "b"], "truncate": True}


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(1, 2000), max_size=12), read=st.integers(1, 64), json_lines=st.booleans())
def test_payload_parts_cut_anywhere_give_the_same_chunks(cuts: list[int], read: int, json_lines: bool) -> None:
    """However SageMaker cuts the container's stream into PayloadPart frames, and however the frames
    arrive, the caller gets the same text, finish reason and usage."""
    events = [
        chunk_json({"role": "assistant", "content": ""}),
        *[chunk_json({"content": w}) for w in ["The capital", " of France", " is Paris."]],
        chunk_json({}, "stop"),
        chunk_json(usage={"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}),
    ]
    lines = [json.dumps(e).encode() + b"\n" for e in events]
    raw = b"".join(lines) if json_lines else b"".join(sse_events(events))
    points = sorted({c % len(raw) for c in cuts} | {0, len(raw)})
    frames = [payload_part(raw[a:b]) for a, b in itertools.pairwise(points) if b > a]
    provider = SageMakerProvider(api_key="gateway-token-0123456789", api_base="https://x.invalid")
    chunks = run_stream(provider, make_params(ENDPOINT, stream=True), b"".join(frames), split=read)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == TEXT
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 19
