"""Spans, events and metrics from real calls over three protocols, read back with the SDK's in-memory exporters."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyllm_otel
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from any_llm import AnyLLM, errors, plugins
from any_llm.testing import MockServer, Reply

KEY = "sk-otel-test-SECRETSECRET"
MSG = [{"role": "user", "content": "what is the capital of France"}]


@dataclass
class Protocol:
    provider: str
    path: str
    reply: dict[str, Any]
    stream: list[Any]
    usage: tuple[int, int]
    finish: str
    response_model: str
    response_id: str


def _oa(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-9",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "gpt-4o-mini-2024",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _gem(text: str, finish: str | None, usage: dict[str, int]) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return {"candidates": [cand], "usageMetadata": usage, "modelVersion": "gemini-2.0-flash-001", "responseId": "g-1"}


PROTOCOLS = {
    "openai": Protocol(
        "openai",
        "/v1",
        {
            "id": "chatcmpl-9",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4o-mini-2024",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 2, "total_tokens": 13},
        },
        [
            _oa({"role": "assistant", "content": "Par"}),
            _oa({"content": "is"}),
            _oa({}, "stop"),
            {**_oa({}), "choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 2, "total_tokens": 13}},
        ],
        (11, 2),
        "stop",
        "gpt-4o-mini-2024",
        "chatcmpl-9",
    ),
    "anthropic": Protocol(
        "anthropic",
        "",
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-x-2025",
            "content": [{"type": "text", "text": "Paris"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 11, "output_tokens": 2},
        },
        [
            (
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_1",
                        "type": "message",
                        "role": "assistant",
                        "model": "claude-x-2025",
                        "content": [],
                        "stop_reason": None,
                        "usage": {"input_tokens": 11, "output_tokens": 1},
                    },
                },
            ),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            ),
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Paris"}},
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}},
            ),
            ("message_stop", {"type": "message_stop"}),
        ],
        (11, 2),
        "stop",
        "claude-x-2025",
        "msg_1",
    ),
    "gemini": Protocol(
        "gemini",
        "/v1beta",
        _gem("Paris", "STOP", {"promptTokenCount": 11, "candidatesTokenCount": 2, "totalTokenCount": 13}),
        [
            _gem("Par", None, {"promptTokenCount": 11, "totalTokenCount": 11}),
            _gem("is", "STOP", {"promptTokenCount": 11, "candidatesTokenCount": 2, "totalTokenCount": 13}),
        ],
        (11, 2),
        "stop",
        "gemini-2.0-flash-001",
        "g-1",
    ),
}


@dataclass
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> list[Any]:
        data = self.metrics.get_metrics_data()
        out = []
        for rm in data.resource_metrics if data else []:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == name:
                        out.extend(metric.data.data_points)
        return out


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    mp = MeterProvider(metric_readers=[reader])
    plugins.reset()
    anyllm_otel.configure(tp, mp)
    plugins.register_plugin(anyllm_otel, name="anyllm-otel")
    yield Telemetry(exporter, reader)
    plugins.unregister_plugin(anyllm_otel)
    anyllm_otel.configure()
    plugins.reset()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda s: None)


def client(proto: Protocol, server: MockServer, **kw: Any) -> AnyLLM:
    return AnyLLM.create(proto.provider, api_key=KEY, api_base=server.url + proto.path, **kw)


def assert_no_key(span: ReadableSpan) -> None:
    blob = json.dumps(
        {
            "name": span.name,
            "attrs": dict(span.attributes or {}),
            "events": [(e.name, dict(e.attributes or {})) for e in span.events],
            "status": span.status.description,
        },
        default=str,
    )
    assert KEY not in blob


def check_common(span: ReadableSpan, proto: Protocol, server: MockServer, model: str) -> dict[str, Any]:
    attrs = dict(span.attributes or {})
    assert span.kind is SpanKind.CLIENT
    assert span.name == f"chat {model}"
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == anyllm_otel.PROVIDER_NAMES[proto.provider]
    assert attrs["gen_ai.request.model"] == model
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["server.port"] == server.port
    assert_no_key(span)
    return attrs


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_plain_call(name: str, telemetry: Telemetry, server: MockServer) -> None:
    proto = PROTOCOLS[name]
    server.queue(Reply.json(proto.reply))
    with client(proto, server) as c:
        seed = {} if name == "anthropic" else {"seed": 7}  # Anthropic has no seed
        c.completion("the-model", MSG, temperature=0.3, top_p=0.9, max_tokens=50, stop=["END"], **seed)
    (span,) = telemetry.finished()
    attrs = check_common(span, proto, server, "the-model")
    assert attrs["gen_ai.request.temperature"] == 0.3
    assert attrs["gen_ai.request.top_p"] == 0.9
    assert attrs["gen_ai.request.max_tokens"] == 50
    assert attrs.get("gen_ai.request.seed") == (None if name == "anthropic" else 7)
    assert tuple(attrs["gen_ai.request.stop_sequences"]) == ("END",)
    assert attrs["gen_ai.response.model"] == proto.response_model
    assert attrs["gen_ai.response.id"] == proto.response_id
    assert tuple(attrs["gen_ai.response.finish_reasons"]) == (proto.finish,)
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == proto.usage
    assert span.status.status_code is StatusCode.UNSET
    assert "gen_ai.input.messages" not in attrs and "gen_ai.output.messages" not in attrs
    (duration,) = telemetry.points("gen_ai.client.operation.duration")
    assert duration.count == 1 and duration.sum > 0
    assert duration.attributes["gen_ai.request.model"] == "the-model"
    assert duration.attributes["gen_ai.response.model"] == proto.response_model
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in telemetry.points("gen_ai.client.token.usage")}
    assert tokens == {"input": proto.usage[0], "output": proto.usage[1]}


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_streamed_call_span_ends_at_stream_end(name: str, telemetry: Telemetry, server: MockServer) -> None:
    proto = PROTOCOLS[name]
    server.queue(Reply.sse(proto.stream, done=name == "openai"))
    with client(proto, server) as c:
        stream = c.completion("the-model", MSG, stream=True)
        first = next(stream)
        assert first is not None
        assert telemetry.finished() == []  # the span is still open while the stream is read
        rest = list(stream)
    (span,) = telemetry.finished()
    attrs = check_common(span, proto, server, "the-model")
    assert attrs["gen_ai.request.stream"] is True
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == proto.usage
    assert tuple(attrs["gen_ai.response.finish_reasons"]) == (proto.finish,)
    assert attrs["gen_ai.response.time_to_first_chunk"] > 0
    assert "gen_ai.response.stream_closed_early" not in attrs
    assert len(rest) >= 1
    assert len(telemetry.points("gen_ai.client.token.usage")) == 2


def test_stream_closed_early_ends_span(telemetry: Telemetry, server: MockServer) -> None:
    proto = PROTOCOLS["openai"]
    server.queue(Reply.sse(proto.stream))
    with client(proto, server) as c:
        with c.completion("the-model", MSG, stream=True) as stream:
            next(stream)
        (span,) = telemetry.finished()
    assert span.attributes["gen_ai.response.stream_closed_early"] is True
    assert span.status.status_code is StatusCode.UNSET


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_failed_call(name: str, telemetry: Telemetry, server: MockServer) -> None:
    proto = PROTOCOLS[name]
    server.queue(Reply.json({"error": {"message": f"invalid key {KEY}", "type": "authentication_error"}}, status=401))
    with client(proto, server) as c, pytest.raises(errors.AuthenticationError):
        c.completion("the-model", MSG)
    (span,) = telemetry.finished()
    attrs = check_common(span, proto, server, "the-model")
    assert span.status.status_code is StatusCode.ERROR
    assert attrs["error.type"] == "AuthenticationError"
    assert attrs["http.response.status_code"] == 401
    (duration,) = telemetry.points("gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == "AuthenticationError"
    assert telemetry.points("gen_ai.client.token.usage") == []


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_retried_call_has_attempt_events(name: str, telemetry: Telemetry, server: MockServer, no_sleep: None) -> None:
    proto = PROTOCOLS[name]
    server.queue(
        Reply.json({"error": {"message": "overloaded"}}, status=503),
        Reply.json({"error": {"message": "slow down"}}, status=429, headers={"retry-after": "0"}),
        Reply.json(proto.reply),
    )
    with client(proto, server, max_retries=2) as c:
        c.completion("the-model", MSG)
    (span,) = telemetry.finished()
    check_common(span, proto, server, "the-model")
    events = [e for e in span.events if e.name == "gen_ai.client.attempt"]
    assert [e.attributes["gen_ai.client.attempt.number"] for e in events] == [1, 2, 3]
    assert [e.attributes.get("http.response.status_code") for e in events] == [503, 429, 200]
    assert events[0].attributes["error.type"] == "ProviderError"
    assert events[1].attributes["error.type"] == "RateLimitError"
    assert "error.type" not in events[2].attributes
    assert span.status.status_code is StatusCode.UNSET


def test_content_only_when_asked(telemetry: Telemetry, server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    proto = PROTOCOLS["openai"]
    monkeypatch.setenv(anyllm_otel.CAPTURE_ENV, "true")
    server.queue(Reply.json(proto.reply), Reply.sse(proto.stream))
    with client(proto, server) as c:
        c.completion("the-model", MSG)
        list(c.completion("the-model", MSG, stream=True))
    plain, streamed = telemetry.finished()
    for span in (plain, streamed):
        assert json.loads(span.attributes["gen_ai.input.messages"]) == MSG
        (out,) = json.loads(span.attributes["gen_ai.output.messages"])
        assert out["parts"][0]["content"] == "Paris" and out["finish_reason"] == "stop"


def test_embeddings_span(telemetry: Telemetry, server: MockServer) -> None:
    server.queue(
        Reply.json(
            {
                "object": "list",
                "model": "text-embedding-3-small",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
                "usage": {"prompt_tokens": 3, "total_tokens": 3},
            }
        )
    )
    with client(PROTOCOLS["openai"], server) as c:
        c.embedding("text-embedding-3-small", "hello")
    (span,) = telemetry.finished()
    assert span.name == "embeddings text-embedding-3-small"
    assert span.attributes["gen_ai.usage.input_tokens"] == 3
    assert "gen_ai.usage.output_tokens" not in span.attributes


def test_async_stream(telemetry: Telemetry, server: MockServer) -> None:
    import asyncio

    proto = PROTOCOLS["anthropic"]
    server.queue(Reply.sse(proto.stream, done=False))

    async def main() -> None:
        async with client(proto, server) as c:
            stream = await c.acompletion("the-model", MSG, stream=True)
            async for _ in stream:
                pass

    asyncio.run(main())
    (span,) = telemetry.finished()
    assert span.attributes["gen_ai.usage.output_tokens"] == 2
