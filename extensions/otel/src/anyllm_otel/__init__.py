"""OpenTelemetry for anyllm: one CLIENT span and two GenAI metrics per call, by the GenAI semantic conventions.

Installing ``anyllm-otel`` is enough: this module is an anyllm call-hook plugin (``anyllm_hooks`` entry
point), loaded at the first call. It uses the global tracer and meter providers, which are no-ops until the
application (or ``opentelemetry-instrument``) configures OpenTelemetry. It is also an OpenTelemetry
instrumentor (:class:`anyllm_otel.instrumentor.AnyLLMInstrumentor`), so ``opentelemetry-instrument python
app.py`` picks it up, and ``AnyLLMInstrumentor().instrument(tracer_provider=..., meter_provider=...)`` works.

Per call: a span named ``"{gen_ai.operation.name} {gen_ai.request.model}"`` (kind CLIENT) carrying the
request parameters, response model/id/finish reasons, token usage, ``server.address``/``server.port``; on
failure status ERROR and ``error.type`` (the anyllm error class name). A streamed call's span ends when the
stream ends or is closed. Each retried attempt is a span event (``gen_ai.client.attempt``). Metrics:
``gen_ai.client.operation.duration`` (s) and ``gen_ai.client.token.usage`` ({token}) histograms.

Message content is recorded (``gen_ai.input.messages`` / ``gen_ai.output.messages``) only when
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``. No header, key or URL query is ever recorded.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind, Status, StatusCode

from any_llm import hookimpl

if TYPE_CHECKING:
    from opentelemetry.metrics import Histogram, MeterProvider
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from any_llm.callhooks import AttemptInfo, CallInfo

__all__ = ["CAPTURE_ENV", "__version__", "configure"]
__version__ = "0.1.0"

CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_KEY = "anyllm-otel"
"""This plugin's key in ``CallInfo.data``."""

PROVIDER_NAMES = {
    "anthropic": "anthropic",
    "azureopenai": "azure.ai.openai",
    "bedrock": "aws.bedrock",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "gemini": "gcp.gemini",
    "groq": "groq",
    "mistral": "mistral_ai",
    "openai": "openai",
    "perplexity": "perplexity",
    "vertexai": "gcp.vertex_ai",
    "watsonx": "ibm.watsonx.ai",
    "xai": "x_ai",
}
"""anyllm provider → the semantic conventions' well-known ``gen_ai.provider.name``; others keep their name."""

_REQUEST_ATTRS = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "max_tokens": "gen_ai.request.max_tokens",
    "max_completion_tokens": "gen_ai.request.max_tokens",
    "max_output_tokens": "gen_ai.request.max_tokens",
    "seed": "gen_ai.request.seed",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "n": "gen_ai.request.choice.count",
    "top_k": "gen_ai.request.top_k",
}
_DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
_TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)


class _State:
    """Tracer and instruments, made on first use from the configured (or global) providers."""

    def __init__(self) -> None:
        self.enabled = True
        self.tracer_provider: TracerProvider | None = None
        self.meter_provider: MeterProvider | None = None
        self.tracer: Tracer | None = None
        self.duration: Histogram | None = None
        self.tokens: Histogram | None = None

    def setup(self) -> Tracer:
        from opentelemetry import metrics, trace

        tracer = self.tracer = trace.get_tracer(__name__, __version__, tracer_provider=self.tracer_provider)
        meter = metrics.get_meter(__name__, __version__, meter_provider=self.meter_provider)
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=list(_DURATION_BUCKETS),
        )
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used",
            explicit_bucket_boundaries_advisory=list(_TOKEN_BUCKETS),
        )
        return tracer


_state = _State()


def configure(
    tracer_provider: TracerProvider | None = None, meter_provider: MeterProvider | None = None, enabled: bool = True
) -> None:
    """Use these providers instead of the global ones (None: global), or turn recording off."""
    _state.tracer_provider = tracer_provider
    _state.meter_provider = meter_provider
    _state.tracer = None
    _state.enabled = enabled


def _capture() -> bool:
    return os.environ.get(CAPTURE_ENV, "").strip().lower() == "true"


def _provider_name(call: CallInfo) -> str:
    return PROVIDER_NAMES.get(call.provider, call.provider)


def _base_attributes(call: CallInfo) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": call.operation,
        "gen_ai.provider.name": _provider_name(call),
    }
    if call.model:
        attrs["gen_ai.request.model"] = call.model
    if call.server_address:
        attrs["server.address"] = call.server_address
    if call.server_port:
        attrs["server.port"] = call.server_port
    return attrs


def _route_attributes(call: CallInfo, attrs: dict[str, Any]) -> None:
    """Which anyllm method, and (a router's call) which deployment and which try of the routed call."""
    if call.api:
        attrs["anyllm.api"] = call.api
    route = call.route
    if route is not None:
        attrs["anyllm.router.group"] = route.group
        attrs["anyllm.router.deployment"] = route.deployment
        attrs["anyllm.router.attempt"] = route.attempt
        attrs["anyllm.router.fallback"] = route.fallback


# -- hooks --------------------------------------------------------------------------------------------


@hookimpl
def anyllm_call_start(call: CallInfo) -> None:
    if not _state.enabled:
        return
    tracer = _state.tracer or _state.setup()
    attrs = _base_attributes(call)
    _route_attributes(call, attrs)
    for name, value in call.parameters.items():
        key = _REQUEST_ATTRS.get(name)
        if key is not None and value is not None:
            attrs[key] = value
    stop = call.parameters.get("stop")
    if stop:
        attrs["gen_ai.request.stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    response_format = call.parameters.get("response_format")
    if isinstance(response_format, dict):
        json_types = ("json_object", "json_schema")
        attrs["gen_ai.output.type"] = "json" if response_format.get("type") in json_types else "text"
    if call.stream:
        attrs["gen_ai.request.stream"] = True
    capture = _capture()
    if capture and call.messages is not None:
        attrs["gen_ai.input.messages"] = _json(call.messages)
    if capture and call.stream:
        call.output_parts = []  # core collects the streamed text: no per-chunk hook needed
    name = f"{call.operation} {call.model}" if call.model else call.operation
    span = tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attrs, start_time=int(call.started_at * 1e9))
    call.data[_KEY] = _Call(span, capture)


class _Call:
    __slots__ = ("capture", "span")

    def __init__(self, span: Span, capture: bool) -> None:
        self.span = span
        self.capture = capture


@hookimpl
def anyllm_call_attempt(call: CallInfo, attempt: AttemptInfo) -> None:
    state: _Call | None = call.data.get(_KEY)
    if state is None or not (attempt.will_retry or attempt.number > 1):
        return  # a single successful attempt is the span itself
    attrs: dict[str, Any] = {"gen_ai.client.attempt.number": attempt.number}
    if attempt.status_code is not None:
        attrs["http.response.status_code"] = attempt.status_code
    if attempt.error is not None:
        attrs["error.type"] = type(attempt.error).__name__
    if attempt.retry_delay is not None:
        attrs["gen_ai.client.attempt.retry_delay"] = attempt.retry_delay
    state.span.add_event("gen_ai.client.attempt", attributes=attrs)


@hookimpl
def anyllm_call_response(call: CallInfo) -> None:
    _finish(call)


@hookimpl
def anyllm_stream_end(call: CallInfo) -> None:
    _finish(call)


@hookimpl
def anyllm_call_error(call: CallInfo) -> None:
    _finish(call)


def _finish(call: CallInfo) -> None:
    state: _Call | None = call.data.pop(_KEY, None)
    if state is None:
        return
    span = state.span
    attrs: dict[str, Any] = {}
    if call.response_model:
        attrs["gen_ai.response.model"] = call.response_model
    if call.response_id:
        attrs["gen_ai.response.id"] = call.response_id
    if call.finish_reasons:
        attrs["gen_ai.response.finish_reasons"] = list(call.finish_reasons)
    usage = call.usage
    input_tokens = call.input_tokens
    output_tokens = call.output_tokens if call.operation != "embeddings" else None
    if input_tokens is not None:
        attrs["gen_ai.usage.input_tokens"] = input_tokens
    if output_tokens is not None:
        attrs["gen_ai.usage.output_tokens"] = output_tokens
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None)
    if cached:
        attrs["gen_ai.usage.cache_read.input_tokens"] = cached
    if call.time_to_first_chunk is not None:
        attrs["gen_ai.response.time_to_first_chunk"] = call.time_to_first_chunk
    if call.status_code is not None:
        attrs["http.response.status_code"] = call.status_code
    if call.stream and not call.completed and call.error is None:
        attrs["gen_ai.response.stream_closed_early"] = True
    if state.capture:
        output = _output_messages(call, state)
        if output is not None:
            attrs["gen_ai.output.messages"] = output
    error_type = call.error_type
    if error_type is not None:
        attrs["error.type"] = error_type
        span.set_status(Status(StatusCode.ERROR, _describe(call.error)))
    span.set_attributes(attrs)
    span.end()
    _record_metrics(call, input_tokens, output_tokens, error_type)


def _record_metrics(call: CallInfo, input_tokens: int | None, output_tokens: int | None, error: str | None) -> None:
    attrs = _base_attributes(call)
    if call.response_model:
        attrs["gen_ai.response.model"] = call.response_model
    if error is not None:
        attrs["error.type"] = error
    if _state.duration is not None and call.duration is not None:
        _state.duration.record(call.duration, attrs)
    if _state.tokens is not None and error is None:
        if input_tokens is not None:
            _state.tokens.record(input_tokens, {**attrs, "gen_ai.token.type": "input"})
        if output_tokens is not None:
            _state.tokens.record(output_tokens, {**attrs, "gen_ai.token.type": "output"})


def _describe(error: BaseException | None) -> str:
    from any_llm.errors import redact

    return redact(str(error))[:500] if error is not None else ""


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return json.dumps(str(value))


def _output_messages(call: CallInfo, state: _Call) -> str | None:
    if call.stream:
        if not call.output_parts:
            return None
        text = {"type": "text", "content": "".join(call.output_parts)}
        reason = call.finish_reasons[0] if call.finish_reasons else None
        return _json([{"role": "assistant", "parts": [text], "finish_reason": reason}])
    choices = getattr(call.result, "choices", None)
    if not choices:
        return None
    out = []
    for choice in choices:
        message = choice.message
        parts: list[dict[str, Any]] = []
        if message.content:
            parts.append({"type": "text", "content": message.content})
        for tool_call in message.tool_calls or []:
            function = getattr(tool_call, "function", None)
            parts.append(
                {
                    "type": "tool_call",
                    "id": getattr(tool_call, "id", None),
                    "name": getattr(function, "name", None),
                    "arguments": getattr(function, "arguments", None),
                }
            )
        out.append({"role": "assistant", "parts": parts, "finish_reason": choice.finish_reason})
    return _json(out)
