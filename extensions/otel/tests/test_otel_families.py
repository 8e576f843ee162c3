"""Spans for the calls beside chat completions: Responses and Messages (native and translated, streamed),
rerank, image generation, a batch job, a raw stream closed unparsed, and a router's deployment tries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyllm_otel
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from any_llm import AnyLLM, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.api_conformance import openai_responses_exchanges
from any_llm.testing.conformance import completion_json, openai_exchanges
from any_llm.testing.families import BATCH_LINES, RERANK_DOCUMENTS, RERANK_QUERY, openai_family_exchanges

KEY = "sk-otel-fam-SECRETSECRET"
MSG = [{"role": "user", "content": "what is the capital of France"}]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    plugins.reset()
    anyllm_otel.configure(tp, MeterProvider(metric_readers=[InMemoryMetricReader()]))
    plugins.register_plugin(anyllm_otel, name="anyllm-otel")
    yield exporter
    plugins.unregister_plugin(anyllm_otel)
    anyllm_otel.configure()
    plugins.reset()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


@pytest.fixture
def clients() -> Iterator[list[AnyLLM]]:
    made: list[AnyLLM] = []
    yield made
    for client in made:
        client.close()


def make(clients: list[AnyLLM], provider: str, server: MockServer, path: str = "/v1") -> AnyLLM:
    client = AnyLLM.create(provider, api_key=KEY, api_base=server.url + path, max_retries=0)
    clients.append(client)
    return client


def one(spans: InMemorySpanExporter) -> dict[str, Any]:
    (span,) = spans.get_finished_spans()
    return attributes(span)


def attributes(span: ReadableSpan) -> dict[str, Any]:
    assert span.kind is SpanKind.CLIENT
    attrs = dict(span.attributes or {})
    assert KEY not in json.dumps(attrs, default=str)
    return attrs


USAGE = (12, 7)  # the conformance kit's usage, in every answer below


def kit(reply: Reply | list[Reply]) -> Reply:
    assert isinstance(reply, Reply)
    return reply


def check_chat(attrs: dict[str, Any], api: str, model: str, finish: str) -> None:
    assert attrs["gen_ai.operation.name"] == "chat" and attrs["anyllm.api"] == api
    assert attrs["gen_ai.request.model"] == model
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == USAGE
    assert tuple(attrs["gen_ai.response.finish_reasons"]) == (finish,)
    assert attrs["gen_ai.request.stream"] is True and "gen_ai.response.stream_closed_early" not in attrs


def test_responses_native_streamed(spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM]) -> None:
    server.queue(kit(openai_responses_exchanges()["stream"]))
    stream = make(clients, "openai", server).responses("gpt-resp", "hi", stream=True, max_output_tokens=30)
    next(stream)
    assert spans.get_finished_spans() == ()  # open while the stream is read
    list(stream)
    attrs = one(spans)
    check_chat(attrs, "responses", "gpt-resp", "completed")
    assert attrs["gen_ai.provider.name"] == "openai" and attrs["gen_ai.request.max_tokens"] == 30
    assert attrs["gen_ai.response.id"] == "resp_kit" and attrs["gen_ai.response.model"] == "test-model"


def test_responses_translated_streamed(spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM]) -> None:
    server.queue(kit(openai_exchanges()["stream"]))
    events = list(make(clients, "mistral", server).responses("mistral-small", "hi", stream=True))
    assert events[-1].type == "response.completed"
    attrs = one(spans)
    check_chat(attrs, "responses", "mistral-small", "stop")
    assert attrs["gen_ai.provider.name"] == "mistral_ai"


def test_messages_native_streamed_and_plain(
    spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM]
) -> None:
    from anyllm_anthropic.testing import TEXT_BLOCKS, message_reply, stream_reply

    server.queue(stream_reply(TEXT_BLOCKS, "end_turn"), message_reply([{"type": "text", "text": "Paris"}], "end_turn"))
    client = make(clients, "anthropic", server, "")
    assert [e.type for e in client.messages("claude-x", MSG, 50, stream=True)][-1] == "message_stop"
    assert client.messages("claude-x", MSG, 50).text == "Paris"
    streamed, answered = (attributes(s) for s in spans.get_finished_spans())
    check_chat(streamed, "messages", "claude-x", "end_turn")
    assert streamed["gen_ai.request.max_tokens"] == 50 and streamed["gen_ai.response.id"].startswith("msg_")
    assert (answered["gen_ai.usage.input_tokens"], answered["gen_ai.usage.output_tokens"]) == USAGE
    assert tuple(answered["gen_ai.response.finish_reasons"]) == ("end_turn",)
    assert answered["gen_ai.provider.name"] == "anthropic" and "gen_ai.request.stream" not in answered


def test_rerank_span(spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM]) -> None:
    server.queue(openai_family_exchanges()["rerank"])  # type: ignore[arg-type]
    make(clients, "cohere", server, "").rerank("rerank-v3.5", RERANK_QUERY, RERANK_DOCUMENTS, top_n=2)
    (span,) = spans.get_finished_spans()
    attrs = attributes(span)
    assert span.name == "rerank rerank-v3.5"
    assert attrs["gen_ai.operation.name"] == "rerank" and attrs["gen_ai.provider.name"] == "cohere"
    assert span.status.status_code is StatusCode.UNSET


def test_image_generation_span(spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM]) -> None:
    server.queue(openai_family_exchanges()["image_generation"])  # type: ignore[arg-type]
    make(clients, "openai", server).image_generation("gpt-image-1", "a red circle", n=1)
    (span,) = spans.get_finished_spans()
    assert span.name == "image_generation gpt-image-1"
    assert attributes(span)["server.port"] == server.port


def test_image_generation_error_span(spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM]) -> None:
    from any_llm import errors

    server.queue(Reply.json({"error": {"message": "bad size", "type": "invalid_request_error"}}, status=400))
    with pytest.raises(errors.InvalidRequestError):
        make(clients, "openai", server).image_generation("gpt-image-1", "a red circle", size="1x1")
    (span,) = spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert attributes(span)["error.type"] == "InvalidRequestError"


def test_batch_create_is_one_span_with_its_requests(
    spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM], tmp_path: Path
) -> None:
    batch_file = tmp_path / "batch.jsonl"
    batch_file.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    server.queue(*openai_family_exchanges()["batch"][:2])  # type: ignore[misc]
    batch = make(clients, "openai", server).create_batch(str(batch_file), "/v1/chat/completions")
    assert batch.id == "batch_kit"
    (span,) = spans.get_finished_spans()
    attrs = attributes(span)
    assert span.name == "create_batch" and attrs["gen_ai.operation.name"] == "create_batch"
    events = [e for e in span.events if e.name == "gen_ai.client.attempt"]
    assert [e.attributes["gen_ai.client.attempt.number"] for e in events] == [2]  # the second request
    assert attrs["gen_ai.response.id"] == "batch_kit"


@pytest.mark.parametrize("how", ["close", "with", "garbage"])
def test_unparsed_raw_stream_ends_its_span(
    how: str, spans: InMemorySpanExporter, server: MockServer, clients: list[AnyLLM]
) -> None:
    import gc

    server.queue(kit(openai_exchanges()["stream"]))
    raw = make(clients, "openai", server).with_raw_response.completion("gpt-4o", MSG, stream=True)
    assert raw.status_code == 200 and spans.get_finished_spans() == ()
    if how == "close":
        raw.close()
    elif how == "with":
        with raw:
            pass
    else:
        del raw
        gc.collect()
    attrs = one(spans)
    assert attrs["gen_ai.response.stream_closed_early"] is True


def test_router_tries_are_spans_naming_their_deployment(spans: InMemorySpanExporter) -> None:
    from any_llm.api import close_clients
    from any_llm.router import Router

    with MockServer() as a, MockServer() as b:
        a.queue(Reply.json({"error": {"message": "slow down"}}, status=429))
        b.queue(Reply.json(completion_json({"content": "from b"})))
        deployments = [
            {"group": "primary", "model": "openai:m", "api_key": KEY, "api_base": a.url, "name": "a"},
            {"group": "backup", "model": "openai:m", "api_key": KEY, "api_base": b.url, "name": "b"},
        ]
        Router(deployments, fallbacks={"primary": ["backup"]}).completion(model="primary", messages=MSG)
        close_clients()
    failed, served = (attributes(s) for s in spans.get_finished_spans())
    assert (failed["anyllm.router.deployment"], failed["anyllm.router.attempt"]) == ("a", 1)
    assert failed["error.type"] == "RateLimitError" and failed["anyllm.router.fallback"] is False
    assert (served["anyllm.router.deployment"], served["anyllm.router.attempt"]) == ("b", 2)
    assert served["anyllm.router.group"] == "primary" and served["anyllm.router.fallback"] is True
