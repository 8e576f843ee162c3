"""The real OTLP/HTTP exporters sending to a receiver on 127.0.0.1 that decodes the protobuf it gets;
the instrumentor, the ``anyllm_hooks`` entry point and ``opentelemetry-instrument`` end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyllm_otel
import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from any_llm import AnyLLM, callhooks, errors, plugins
from any_llm.testing import MockServer, Reply

KEY = "sk-otlp-test-SECRETSECRET"
MSG = [{"role": "user", "content": "hi"}]
OK = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-4o-mini-2024",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
}


class Receiver:
    """A minimal OTLP/HTTP collector: keeps every POSTed body by path, answers 200 with an empty message."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, bytes, str]] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                received.append((self.path, body, self.headers.get("content-type", "")))
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def spans(self) -> list[Span]:
        out = []
        for path, body, _ in self.bodies:
            if path == "/v1/traces":
                request = ExportTraceServiceRequest.FromString(body)
                for rs in request.resource_spans:
                    for ss in rs.scope_spans:
                        out.extend(ss.spans)
        return out

    def metric_names(self) -> set[str]:
        names = set()
        for path, body, _ in self.bodies:
            if path == "/v1/metrics":
                request = ExportMetricsServiceRequest.FromString(body)
                for rm in request.resource_metrics:
                    for sm in rm.scope_metrics:
                        names.update(m.name for m in sm.metrics)
        return names


def attributes(span: Span) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in span.attributes:
        which = kv.value.WhichOneof("value")
        value = getattr(kv.value, which)
        if which == "array_value":
            value = [getattr(v, v.WhichOneof("value")) for v in value.values]
        out[kv.key] = value
    return out


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


@pytest.fixture
def clean() -> Iterator[None]:
    plugins.reset()
    yield
    plugins.unregister_plugin(anyllm_otel)
    anyllm_otel.configure()
    plugins.reset()


def test_otlp_http_exporter_to_local_receiver(receiver: Receiver, server: MockServer, clean: None) -> None:
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=receiver.url + "/v1/traces")))
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=receiver.url + "/v1/metrics"), export_interval_millis=3_600_000
    )
    mp = MeterProvider(metric_readers=[reader])
    anyllm_otel.configure(tp, mp)
    plugins.register_plugin(anyllm_otel, name="anyllm-otel")
    server.queue(Reply.json(OK), Reply.json({"error": {"message": f"bad key {KEY}"}}, status=401))
    with AnyLLM.create("openai", api_key=KEY, api_base=server.url + "/v1") as c:
        c.completion("gpt-4o-mini", MSG, temperature=0.5)
        with pytest.raises(errors.AuthenticationError):
            c.completion("gpt-4o-mini", MSG)
    tp.force_flush()
    mp.force_flush()
    ok, failed = receiver.spans()
    assert ok.name == failed.name == "chat gpt-4o-mini"
    assert ok.kind == Span.SPAN_KIND_CLIENT
    got = attributes(ok)
    assert got["gen_ai.provider.name"] == "openai"
    assert got["gen_ai.request.temperature"] == 0.5
    assert got["gen_ai.usage.input_tokens"] == 5 and got["gen_ai.usage.output_tokens"] == 1
    assert got["gen_ai.response.finish_reasons"] == ["stop"]
    assert failed.status.code == Status.STATUS_CODE_ERROR
    assert attributes(failed)["error.type"] == "AuthenticationError"
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage"} <= receiver.metric_names()
    assert all(ctype == "application/x-protobuf" for _, _, ctype in receiver.bodies)
    assert not any(KEY.encode() in body for _, body, _ in receiver.bodies)
    tp.shutdown()
    mp.shutdown()


def test_installed_entry_point_is_enough(server: MockServer, clean: None) -> None:
    """No register_plugin call: the anyllm_hooks entry point of the installed distribution loads it."""
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    anyllm_otel.configure(tp, MeterProvider(metric_readers=[InMemoryMetricReader()]))
    server.queue(Reply.json(OK))
    with AnyLLM.create("openai", api_key=KEY, api_base=server.url + "/v1") as c:
        c.completion("gpt-4o-mini", MSG)
    assert [s.name for s in exporter.get_finished_spans()] == ["chat gpt-4o-mini"]


def test_instrumentor_instrument_and_uninstrument(server: MockServer, clean: None) -> None:
    from anyllm_otel.instrumentor import AnyLLMInstrumentor

    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    os.environ["ANYLLM_DISABLE_PLUGINS"] = "anyllm-otel"  # only the instrumentor may turn it on here
    try:
        plugins.reset()
        server.queue(Reply.json(OK), Reply.json(OK), Reply.json(OK))
        with AnyLLM.create("openai", api_key=KEY, api_base=server.url + "/v1") as c:
            c.completion("m", MSG)
            assert callhooks.ACTIVE is False and exporter.get_finished_spans() == ()
            instrumentor = AnyLLMInstrumentor()
            instrumentor.instrument(tracer_provider=tp, meter_provider=MeterProvider())
            c.completion("m", MSG)
            assert len(exporter.get_finished_spans()) == 1
            instrumentor.uninstrument()
            assert callhooks.ACTIVE is False  # back to the zero-cost path
            c.completion("m", MSG)
            assert len(exporter.get_finished_spans()) == 1
    finally:
        del os.environ["ANYLLM_DISABLE_PLUGINS"]


APP = """
import sys
from any_llm import completion
from any_llm.testing import MockServer, Reply
from anyllm_otel.instrumentor import AnyLLMInstrumentor

OK = {ok!r}
with MockServer() as server:
    server.queue(Reply.json(OK))
    completion(model="gpt-4o-mini", provider="openai", messages=[{{"role": "user", "content": "hi"}}],
               api_key={key!r}, api_base=server.url + "/v1")
print("instrumented:", AnyLLMInstrumentor().is_instrumented_by_opentelemetry)
"""


def test_opentelemetry_instrument_cli(receiver: Receiver, tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent(APP.format(ok=OK, key=KEY)))
    cli = Path(sys.executable).parent / "opentelemetry-instrument"
    env = {
        **os.environ,
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_SERVICE_NAME": "anyllm-test-app",
    }
    out = subprocess.run(
        [str(cli), sys.executable, str(app)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "instrumented: True" in out.stdout
    spans = receiver.spans()
    assert [s.name for s in spans] == ["chat gpt-4o-mini"]
    assert "gen_ai.client.operation.duration" in receiver.metric_names()
    assert not any(KEY.encode() in body for _, body, _ in receiver.bodies)
