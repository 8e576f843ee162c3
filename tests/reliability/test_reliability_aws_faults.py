"""Fault injection for the AWS providers (bedrock, sagemaker): the faults the text-stream protocols get
in test_reliability_faults.py, over a local endpoint that checks every request's SigV4 signature
with botocore and answers in AWS event-stream frames.

Each retried attempt must carry a valid signature (a request is signed again per attempt, over the
exact bytes sent); 5xx and 429 are retried, honouring Retry-After; a connection reset before the
answer is retried; a stream cut in the middle of a binary frame, a frame with a bad checksum, a
stream that ends before the protocol's end, and an exception frame each end in a typed error after
the chunks already received; a stalled stream times out within the read timeout.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("botocore")

from rel_support import MARGIN, TIMEOUT, FaultServer

from any_llm import errors
from any_llm.eventstream import encode_message
from any_llm.plugins import get_provider_class_or_none
from any_llm.testing import RecordedRequest, Reply
from any_llm.testing.aws import converse_frames, exception_frame, verify_sigv4
from any_llm.testing.server import sse_events

AKID = "AKIDRELIABILITY00001"
SECRET = "reliability-secret/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
EVENTSTREAM = {"content-type": "application/vnd.amazon.eventstream"}
CONN = errors.APIConnectionError
TIMEOUT_ERR = errors.APITimeoutError
INVALID = errors.ResponseValidationError


class SignedFaultServer(FaultServer):
    """The reliability suite's fault server, verifying SigV4 (botocore) before each scripted reply."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self.verdicts: list[str | None] = []

    def _next_reply(self, request: RecordedRequest) -> Reply:
        verdict = verify_sigv4(request, {AKID: SECRET}, service=self.service, region=REGION)
        self.verdicts.append(verdict)
        if verdict is not None:
            return Reply.json(
                {"message": f"The request signature we calculated does not match ({verdict})"},
                403,
                headers={"x-amzn-errortype": "InvalidSignatureException"},
            )
        return super()._next_reply(request)


# -- the two protocols ----------------------------------------------------------------------------


@dataclass
class AWSProtocol:
    name: str
    service: str
    model: str
    ok: Callable[[], Reply]
    frames: Callable[[], list[bytes]]
    """A complete stream answering "echo:rid-0", one frame per list item."""
    truncated: Callable[[], list[bytes]]
    """Whole frames that stop before the protocol's end (the first one yields text)."""
    exception: bytes
    """An exception frame as the service sends it mid-stream."""
    exception_error: type[errors.AnyLLMError]
    throttle: Callable[[dict[str, str]], Reply]
    server_error: Callable[[int], Reply]
    path: str
    stream_path: str


def _aws_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json(
        {"message": message},
        status,
        headers={"x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/", **(headers or {})},
    )


def _bedrock_events() -> list[tuple[str, Any]]:
    return [
        ("messageStart", {"role": "assistant"}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "echo:"}}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "rid-0"}}),
        ("contentBlockStop", {"contentBlockIndex": 0}),
        ("messageStop", {"stopReason": "end_turn"}),
        ("metadata", {"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}, "metrics": {"latencyMs": 1}}),
    ]


BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
BEDROCK = AWSProtocol(
    name="bedrock",
    service="bedrock",
    model=BEDROCK_MODEL,
    ok=lambda: Reply.json(
        {
            "output": {"message": {"role": "assistant", "content": [{"text": "echo:rid-0"}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
            "metrics": {"latencyMs": 1},
        }
    ),
    frames=lambda: converse_frames(_bedrock_events()),
    truncated=lambda: converse_frames(_bedrock_events()[:3]),
    exception=exception_frame("throttlingException", "Too many tokens, please wait before trying again."),
    exception_error=errors.RateLimitError,
    throttle=lambda headers: _aws_error(429, "ThrottlingException", "Too many requests", headers),
    server_error=lambda status: _aws_error(
        status, "ServiceUnavailableException" if status == 503 else "InternalServerException", "try again"
    ),
    path=f"/model/{BEDROCK_MODEL.replace(':', '%3A')}/converse",
    stream_path=f"/model/{BEDROCK_MODEL.replace(':', '%3A')}/converse-stream",
)


def _openai_chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-rel",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _payload_parts(container: bytes, part: int = 37) -> list[bytes]:
    """The container's SSE bytes in PayloadPart frames of ``part`` bytes (SSE lines split across frames)."""
    return [
        encode_message(
            {":event-type": "PayloadPart", ":content-type": "application/octet-stream", ":message-type": "event"},
            container[i : i + part],
        )
        for i in range(0, len(container), part)
    ]


_SSE = [
    _openai_chunk({"role": "assistant", "content": "echo:"}),
    _openai_chunk({"content": "rid-0"}),
    _openai_chunk({}, "stop"),
]

ENDPOINT = "llama-3-8b-instruct-endpoint"
SAGEMAKER = AWSProtocol(
    name="sagemaker",
    service="sagemaker",
    model=ENDPOINT,
    ok=lambda: Reply.json(
        {
            "id": "chatcmpl-rel",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "echo:rid-0"}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        }
    ),
    frames=lambda: _payload_parts(b"".join(sse_events(_SSE, done=True))),
    # the container's stream stops after its first chunk: no finish_reason, no [DONE]
    truncated=lambda: _payload_parts(b"".join(sse_events(_SSE[:1], done=False)), part=10_000),
    exception=encode_message(
        {":exception-type": "ModelStreamError", ":content-type": "application/json", ":message-type": "exception"},
        json.dumps({"Message": "the model container failed", "ErrorCode": "ModelStreamError"}).encode(),
    ),
    exception_error=errors.ProviderError,
    throttle=lambda headers: _aws_error(429, "ThrottlingException", "Rate exceeded", headers),
    server_error=lambda status: _aws_error(
        status, "ServiceUnavailable" if status == 503 else "InternalFailure", "try again"
    ),
    path=f"/endpoints/{ENDPOINT}/invocations",
    stream_path=f"/endpoints/{ENDPOINT}/invocations-response-stream",
)

PROTOCOLS = [p for p in (BEDROCK, SAGEMAKER) if get_provider_class_or_none(p.name) is not None]


@pytest.fixture(params=PROTOCOLS, ids=[p.name for p in PROTOCOLS])
def aws(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> AWSProtocol:
    import os

    for var in list(os.environ):
        if var.startswith("AWS_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    proto: AWSProtocol = request.param
    return proto


@pytest.fixture
def server(aws: AWSProtocol) -> Iterator[SignedFaultServer]:
    with SignedFaultServer(aws.service) as srv:
        yield srv


def run(mode: str, aws: AWSProtocol, server: SignedFaultServer, stream: bool, retries: int) -> tuple[Any, Any, float]:
    """(the completion or the chunks received so far, the exception or None, seconds taken)."""
    from any_llm import acompletion, completion

    kwargs: dict[str, Any] = {
        "model": aws.model,
        "provider": aws.name,
        "api_base": server.url,
        "messages": [{"role": "user", "content": "rid-0"}],
        "stream": stream,
        "client_args": {"timeout": TIMEOUT, "max_retries": retries},
    }
    chunks: list[Any] = []
    start = time.monotonic()

    async def run_async() -> Any:
        result = await acompletion(**kwargs)
        if not stream:
            return result
        async for chunk in result:
            chunks.append(chunk)
        return chunks

    try:
        if mode == "async":
            result = asyncio.run(run_async())
        else:
            result = completion(**kwargs)
            if stream:
                chunks.extend(result)
                result = chunks
    except Exception as exc:
        return chunks, exc, time.monotonic() - start
    return result, None, time.monotonic() - start


def text(result: Any) -> str:
    if isinstance(result, list):
        return "".join(c.choices[0].delta.content or "" for c in result if c.choices)
    return str(result.choices[0].message.content)


def answer(aws: AWSProtocol, stream: bool, split: int = 0) -> Reply:
    if not stream:
        return aws.ok()
    data = b"".join(aws.frames())
    chunks = [data[i : i + split] for i in range(0, len(data), split)] if split else [data]
    return Reply(200, dict(EVENTSTREAM), chunks)


def check(
    aws: AWSProtocol,
    server: SignedFaultServer,
    outcome: tuple[Any, Any, float],
    expect: type[BaseException] | None,
    requests: int,
    limit: float,
    stream: bool,
) -> Any:
    result, exc, elapsed = outcome
    if expect is None:
        assert exc is None, f"expected success, got {exc!r}"
        assert text(result) == "echo:rid-0"
    else:
        assert type(exc) is expect, f"expected {expect.__name__}, got {exc!r}"
        assert exc.provider == aws.name
        assert SECRET not in str(exc) and AKID not in str(exc)
    assert len(server.requests) == requests, "retries not bounded as configured"
    assert server.verdicts == [None] * requests, f"a request was not validly signed: {server.verdicts}"
    assert {r.path.split("?")[0] for r in server.requests} == {aws.stream_path if stream else aws.path}
    assert elapsed <= limit + MARGIN, f"took {elapsed:.2f}s, allowed {limit + MARGIN:.2f}"
    return result


MODES = ("sync", "async")
BOTH = [pytest.param(s, m, id=f"{'stream' if s else 'plain'}-{m}") for s in (False, True) for m in MODES]
SOME = [pytest.param(False, "sync", id="plain-sync"), pytest.param(True, "async", id="stream-async")]


def one_mode(aws: AWSProtocol, flip: bool = False) -> str:
    """For the slow cases (real waits): bedrock runs sync and sagemaker async, or the other way round."""
    return MODES[(aws.name == "sagemaker") != flip]


@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize(("stream", "mode"), BOTH)
def test_reset_before_headers_is_retried_and_re_signed(
    stream: bool, mode: str, aws: AWSProtocol, server: SignedFaultServer
) -> None:
    server.queue(Reply(fault="reset"), answer(aws, stream))
    check(aws, server, run(mode, aws, server, stream, 1), None, 2, 2 * TIMEOUT, stream)
    server.requests.clear()
    server.verdicts.clear()
    server.queue(Reply(fault="reset"), Reply(fault="reset"))
    check(aws, server, run(mode, aws, server, stream, 1), CONN, 2, 2 * TIMEOUT, stream)


@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize(
    ("status", "stream", "mode"),
    [
        pytest.param(st, s, m, id=f"{st}-{'stream' if s else 'plain'}-{m}")
        for st, (s, m) in zip(
            (500, 503, 500, 503), ((False, "sync"), (True, "async"), (True, "sync"), (False, "async"))
        )
    ],
)
def test_5xx_burst_recovers_and_a_storm_is_a_provider_error(
    status: int, stream: bool, mode: str, aws: AWSProtocol, server: SignedFaultServer
) -> None:
    server.queue(aws.server_error(status), aws.server_error(status), answer(aws, stream))
    check(aws, server, run(mode, aws, server, stream, 2), None, 3, 3 * TIMEOUT, stream)
    server.requests.clear()
    server.verdicts.clear()
    server.queue(*[aws.server_error(status)] * 4)
    check(aws, server, run(mode, aws, server, stream, 2), errors.ProviderError, 3, 3 * TIMEOUT, stream)


@pytest.mark.parametrize(("stream", "mode"), SOME)
def test_429_waits_for_retry_after_ms(stream: bool, mode: str, aws: AWSProtocol, server: SignedFaultServer) -> None:
    server.queue(aws.throttle({"retry-after-ms": "300"}), answer(aws, stream))
    outcome = run(mode, aws, server, stream, 1)
    check(aws, server, outcome, None, 2, 2 * TIMEOUT + 0.3, stream)
    assert outcome[2] >= 0.29


def test_429_waits_for_retry_after_seconds_then_the_storm_is_typed(aws: AWSProtocol, server: SignedFaultServer) -> None:
    """Retry-After in whole seconds (bedrock; sagemaker takes the same core path, checked with 300 ms)."""
    mode = one_mode(aws)
    wait = 1.0 if aws.name == "bedrock" else 0.3
    hint = {"retry-after": "1"} if aws.name == "bedrock" else {"retry-after-ms": "300"}
    server.queue(aws.throttle(hint), answer(aws, True))
    outcome = run(mode, aws, server, True, 1)
    check(aws, server, outcome, None, 2, 2 * TIMEOUT + wait, True)
    assert outcome[2] >= wait - 0.05  # signed again after the wait: a valid date on the second attempt
    server.requests.clear()
    server.verdicts.clear()
    server.queue(*[aws.throttle({"retry-after-ms": "10"})] * 3)
    _, exc, _ = run(mode, aws, server, False, 2)
    assert type(exc) is errors.RateLimitError and exc.status_code == 429
    assert len(server.requests) == 3


def test_stream_cut_mid_frame_is_a_connection_error_after_the_chunks(
    aws: AWSProtocol, server: SignedFaultServer
) -> None:
    mode = one_mode(aws, flip=False)
    frames = aws.frames()
    whole = b"".join(frames[:-1])
    cut = whole[: len(whole) - len(frames[-2]) // 2]  # in the middle of the last frame sent
    assert len(cut) > len(frames[0])
    server.queue(Reply(200, dict(EVENTSTREAM), [cut], fault="cut"))
    chunks = check(aws, server, run(mode, aws, server, True, 2), CONN, 1, TIMEOUT, True)
    assert chunks, "the chunks before the cut were not delivered"
    assert "echo:".startswith(text(chunks)) or text(chunks).startswith("echo:")


def test_stream_cut_inside_the_prelude(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws, flip=True)
    frames = aws.frames()
    server.queue(Reply(200, dict(EVENTSTREAM), [frames[0] + frames[1][:7]], fault="cut"))
    check(aws, server, run(mode, aws, server, True, 2), CONN, 1, TIMEOUT, True)


def test_stream_that_ends_cleanly_before_the_protocols_end(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws, flip=False)
    server.queue(Reply(200, dict(EVENTSTREAM), aws.truncated()))
    chunks = check(aws, server, run(mode, aws, server, True, 2), CONN, 1, TIMEOUT, True)
    assert chunks


def test_a_frame_with_a_bad_checksum_is_invalid(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws, flip=True)
    frames = aws.frames()
    bad = bytearray(frames[1])
    bad[-6] ^= 0x55  # a payload byte: the message CRC no longer matches
    server.queue(Reply(200, dict(EVENTSTREAM), [frames[0], bytes(bad), *frames[2:]]))
    check(aws, server, run(mode, aws, server, True, 2), INVALID, 1, TIMEOUT, True)


def test_an_exception_frame_mid_stream_is_typed(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws, flip=False)
    server.queue(Reply(200, dict(EVENTSTREAM), [*aws.truncated(), aws.exception]))
    chunks = check(aws, server, run(mode, aws, server, True, 2), aws.exception_error, 1, TIMEOUT, True)
    assert chunks


def test_a_stalled_stream_times_out(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws)
    server.queue(Reply(200, dict(EVENTSTREAM), aws.truncated(), fault="stall"))
    result, exc, elapsed = run(mode, aws, server, True, 2)
    check(aws, server, (result, exc, elapsed), TIMEOUT_ERR, 1, TIMEOUT, True)
    assert elapsed >= TIMEOUT


def test_headers_then_silence_times_out(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws, flip=True)
    server.queue(Reply(200, dict(EVENTSTREAM), [b"", b""], fault="hang_after_headers"))  # chunked: no length
    check(aws, server, run(mode, aws, server, True, 0), TIMEOUT_ERR, 1, TIMEOUT, True)


def test_a_slow_drip_under_the_read_timeout_succeeds(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws, flip=True)
    data = b"".join(aws.frames())
    size = -(-len(data) // 6)
    server.queue(
        Reply(200, dict(EVENTSTREAM), [data[i : i + size] for i in range(0, len(data), size)], chunk_delay=0.1)
    )
    outcome = run(mode, aws, server, True, 0)
    check(aws, server, outcome, None, 1, TIMEOUT + 6 * 0.1, True)
    assert outcome[2] >= 0.5


@pytest.mark.usefixtures("fast_backoff")
def test_a_plain_body_cut_mid_json_is_retried(aws: AWSProtocol, server: SignedFaultServer) -> None:
    mode = one_mode(aws, flip=True)
    body = aws.ok().chunks[0]
    server.queue(Reply(200, {"content-type": "application/json"}, [body[: len(body) // 2]], fault="cut"), aws.ok())
    check(aws, server, run(mode, aws, server, False, 1), None, 2, 2 * TIMEOUT, False)


def test_a_refused_signature_is_an_authentication_error(
    aws: AWSProtocol, server: SignedFaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The endpoint really verifies: signed with another secret, the request is refused (403), not retried."""
    mode = one_mode(aws, flip=False)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret/0000000000000000000000000")
    _, exc, _ = run(mode, aws, server, False, 2)
    assert type(exc) is errors.AuthenticationError
    assert server.verdicts == ["signature mismatch"]


@pytest.mark.usefixtures("fast_backoff")
def test_retries_and_cuts_log_no_secret_or_signature(
    aws: AWSProtocol, server: SignedFaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, the retried and cut requests log what happened, never the secret key, the session token
    or the request's signature."""
    import logging

    caplog.set_level(logging.DEBUG, logger="any_llm")
    caplog.set_level(logging.DEBUG, logger="httpx")
    frames = aws.frames()
    server.queue(
        Reply(fault="reset"),
        aws.server_error(503),
        Reply(200, dict(EVENTSTREAM), [frames[0] + frames[1][:9]], fault="cut"),
    )
    _, exc, _ = run("sync", aws, server, True, 2)
    assert type(exc) is CONN and len(server.requests) == 3
    logged = caplog.text + repr(exc) + str(exc)
    assert caplog.records, "nothing was logged: the check would prove nothing"
    assert SECRET not in logged and "Signature=" not in logged and "AWS4-HMAC-SHA256" not in logged
