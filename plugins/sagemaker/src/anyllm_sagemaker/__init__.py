"""Amazon SageMaker endpoints serving OpenAI's chat format (TGI, vLLM, LMI containers) for anyllm.

Declarations only: the body is core's OpenAI-compatible translation, the signature core's SigV4
(service ``sagemaker``), the stream core's event-stream decoder. What is SageMaker's own:

- the model is the **endpoint name**: ``POST /endpoints/{name}/invocations`` (and
  ``/invocations-response-stream`` for streams); the body carries no ``model`` field (the container
  serves one model; vLLM and TGI fall back to it);
- a stream is event-stream ``PayloadPart`` frames whose bytes are the container's own stream (SSE
  ``data:`` lines, or JSON lines), cut anywhere: they are reassembled, then parsed as OpenAI chunks;
- a container's error arrives as ``424 ModelError`` wrapping the container's status and message
  (``OriginalStatusCode``, ``OriginalMessage``): classified by those, like any OpenAI-compatible error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from any_llm import errors, hookimpl
from any_llm.aws import AWSProvider, aws_error, error_type
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, StreamEvent, StreamParser
from any_llm.streaming import NDJSONDecoder, SSEDecoder
from any_llm.types.completion import ChatCompletionChunk
from any_llm.types.embedding import CreateEmbeddingResponse, Embedding
from any_llm.wire import error_details_from_json, errors_from_status, loads

__all__ = ["ROUTING_HEADERS", "SageMakerProvider", "SageMakerStreamParser"]

_STREAM_EXCEPTIONS = {"ModelStreamError": 424, "InternalStreamFailure": 500}
ROUTING_HEADERS = {
    "inference_component": "X-Amzn-SageMaker-Inference-Component",
    "target_variant": "X-Amzn-SageMaker-Target-Variant",
    "target_container_hostname": "X-Amzn-SageMaker-Target-Container-Hostname",
    "custom_attributes": "X-Amzn-SageMaker-Custom-Attributes",
    "inference_id": "X-Amzn-SageMaker-Inference-Id",
    "session_id": "X-Amzn-SageMaker-Session-Id",
}
"""Keywords that are InvokeEndpoint options (HTTP headers), not body fields: which component, variant
or container answers, and the request's ids."""


class SageMakerProvider(AWSProvider, OpenAICompatibleProvider):
    """InvokeEndpoint / InvokeEndpointWithResponseStream with OpenAI chat bodies, SigV4-signed."""

    name = "sagemaker"
    display_name = "AWS SageMaker"
    api_base_env = ("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "AWS_ENDPOINT_URL")
    default_api_base = "https://runtime.sagemaker.{region}.amazonaws.com"
    docs_url = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"
    aws_service = "sagemaker"
    stream_format = "aws-eventstream"
    supports_images = True
    supports_embedding = True
    supports_list_models = False
    think_tags = True

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        body = self.build_body(params)
        body.pop("model", None)  # the endpoint name is in the URL; the container serves one model
        headers = {} if params.stream else {"Accept": "application/json"}
        for keyword, header in ROUTING_HEADERS.items():  # SageMaker's own request options are headers
            if keyword in body:
                headers[header] = str(body.pop(keyword))
        action = "invocations-response-stream" if params.stream else "invocations"
        return HTTPRequest(
            "POST",
            f"endpoints/{quote(params.model, safe='')}/{action}",
            json=body,
            headers=headers,
            stream=bool(params.stream),
        )

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        """An embedding endpoint (Text Embeddings Inference, or a container taking the same body):
        ``{"inputs": [...]}`` in one request."""
        headers = {"Accept": "application/json"}
        body = {"inputs": inputs, **extra}
        for keyword, header in ROUTING_HEADERS.items():
            if keyword in body:
                headers[header] = str(body.pop(keyword))
        return HTTPRequest("POST", f"endpoints/{quote(model, safe='')}/invocations", json=body, headers=headers)

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        """TEI's ``[[...], ...]``, ``{"embeddings": [...]}``, or OpenAI's ``{"data": [...]}`` (vLLM)."""
        data = loads(body, self.name)
        if isinstance(data, dict) and "data" in data:
            return OpenAICompatibleProvider.parse_embedding(self, body, model)
        vectors = data["embeddings"] if isinstance(data, dict) else data
        if vectors and not isinstance(vectors[0], list):  # one input, one flat vector
            vectors = [vectors]
        return CreateEmbeddingResponse(
            data=[Embedding(embedding=[float(x) for x in v], index=i) for i, v in enumerate(vectors)], model=model
        )

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return SageMakerStreamParser(self, OpenAICompatibleProvider.stream_parser(self, params))

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        data = _json_object(body)
        if error_type(headers, data) == "ModelError" and isinstance(data.get("OriginalStatusCode"), int):
            return _container_error(self.name, data, headers)
        return aws_error(self.name, status_code, headers, body)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body) if body else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _container_error(provider: str, data: dict[str, Any], headers: Mapping[str, str]) -> errors.AnyLLMError:
    """The container's own error (status and body) out of SageMaker's ModelError wrapper."""
    status = int(data["OriginalStatusCode"])
    original = str(data.get("OriginalMessage") or data.get("Message") or "")
    message, code = error_details_from_json(original.encode())
    return errors_from_status(
        provider, status, headers, original.encode(), message or original or f"HTTP {status}", code
    )


class SageMakerStreamParser(StreamParser):
    """``PayloadPart`` frames → the container's byte stream → OpenAI chunks (core's parser).

    The payload bytes are cut anywhere (a frame may hold half an SSE line); an inner SSE decoder (or
    NDJSON, when the container streams JSON lines) reassembles them. Stream exceptions
    (``ModelStreamError``, ``InternalStreamFailure``) raise typed errors.
    """

    def __init__(self, provider: SageMakerProvider, inner: StreamParser) -> None:
        self.provider = provider
        self.inner = inner
        self.decoder: SSEDecoder | NDJSONDecoder | None = None

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        headers = event.headers or {}
        if headers.get(":message-type", "event") != "event":
            name = str(event.event or "InternalStreamFailure")
            data = _json_object(event.data)
            if isinstance(data.get("OriginalStatusCode"), int):
                raise _container_error(self.provider.name, data, {})
            raise aws_error(self.provider.name, _STREAM_EXCEPTIONS.get(name, 500), {}, event.data, kind=name)
        if event.event != "PayloadPart" or not event.data:
            return []
        if self.decoder is None:
            start = event.data.lstrip()[:1]
            self.decoder = (
                NDJSONDecoder(self.provider.name) if start in (b"{", b"[") else SSEDecoder(self.provider.name)
            )
        return self._inner(self.decoder.feed(event.data))

    def _inner(self, events: list[StreamEvent]) -> list[ChatCompletionChunk]:
        out: list[ChatCompletionChunk] = []
        for inner_event in events:
            if inner_event.data == b"[DONE]":
                self.inner.done = True
            else:
                out.extend(self.inner.feed(inner_event))
            if self.inner.done:
                self.done = True
                break
        return out

    def finish(self) -> Iterable[ChatCompletionChunk]:
        out: list[ChatCompletionChunk] = []
        if not self.done and self.decoder is not None:
            out.extend(self._inner(self.decoder.flush()))
        out.extend(self.inner.finish())
        self.done = self.done or self.inner.done
        return out

    def may_end(self) -> bool:
        return self.done or self.inner.may_end()


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(SageMakerProvider)
