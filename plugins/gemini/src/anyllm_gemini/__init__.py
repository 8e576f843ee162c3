"""Google Gemini API (generativelanguage v1beta) for anyllm: generateContent, streaming, embeddings, models.

Pure translation both ways; the key travels only in the ``x-goog-api-key`` header, never in the URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

from any_llm import errors, hookimpl
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, Provider, StreamParser
from any_llm.types.completion import ChatCompletion
from any_llm.types.embedding import CreateEmbeddingResponse, Embedding
from any_llm.types.model import Model
from any_llm.wire import loads
from anyllm_gemini import _batch, _images
from anyllm_gemini._request import build_body, model_path
from anyllm_gemini._response import GeminiStreamParser, gemini_error, parse_completion

if TYPE_CHECKING:
    from any_llm.families.flow import Flow
    from any_llm.families.params import BatchParams, ImageGenerationParams
    from any_llm.types.batch import Batch, BatchResult
    from any_llm.types.image import ImagesResponse

__all__ = ["GeminiProvider"]

_EMBED_RENAMES = {
    "dimensions": "outputDimensionality",
    "output_dimensionality": "outputDimensionality",
    "task_type": "taskType",
}


class GeminiProvider(Provider):
    """generativelanguage.googleapis.com, spoken natively (not through its OpenAI-compatible layer)."""

    name = "gemini"
    single_token_limit = True
    display_name = "Google Gemini"
    api_key_env: ClassVar[tuple[str, ...]] = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    api_base_env: ClassVar[tuple[str, ...]] = ("GOOGLE_GEMINI_BASE_URL",)
    default_api_base = "https://generativelanguage.googleapis.com/v1beta"
    docs_url = "https://ai.google.dev/api/generate-content"
    supports_reasoning = True
    supports_images = True
    supports_audio = True
    supports_documents = True
    supports_embedding = True
    supports_list_models = True
    supports_image_generation = True
    supports_batch = True
    supports_count_tokens = True
    unsupported_params = frozenset({"logit_bias", "user", "service_tier", "prompt_cache_key"})
    batch_inline_limit: ClassVar[int] = _batch.INLINE_LIMIT
    """A batch whose inlined create request would be larger (bytes) is uploaded as a JSONL file instead."""

    def __init__(self, api_key: str | None = None, api_base: str | None = None) -> None:
        super().__init__(api_key, api_base)
        # Google's SDK convention (and GOOGLE_GEMINI_BASE_URL) is a host without the version
        if urlsplit(self.api_base).path in ("", "/"):
            self.api_base = f"{self.api_base.rstrip('/')}/v1beta"

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key.get()} if self.api_key else {}

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        if params.parallel_tool_calls is False:
            raise errors.UnsupportedParameterError(
                "parallel_tool_calls", self.name, "Gemini cannot turn parallel function calls off"
            )
        if params.top_logprobs is not None and not params.logprobs:
            raise errors.ConfigurationError("top_logprobs needs logprobs=True")

    # -- completion ---------------------------------------------------------------------------

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        body = build_body(params, self.name)
        path = model_path(params.model)
        if params.stream:
            return HTTPRequest("POST", f"{path}:streamGenerateContent", json=body, params={"alt": "sse"}, stream=True)
        return HTTPRequest("POST", f"{path}:generateContent", json=body)

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        return parse_completion(body, params, self.name)

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return GeminiStreamParser(self.name, params)

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        return gemini_error(self.name, status_code, headers, body)

    # -- images (Imagen's :predict, or a Gemini image model's generateContent) ------------------

    def build_image_generation_request(self, params: ImageGenerationParams) -> HTTPRequest:
        return _images.build_image_request(params, self.name)

    def parse_image_generation(self, body: bytes, params: ImageGenerationParams) -> ImagesResponse:
        return _images.parse_images(body, params, self.name)

    # -- batch jobs (see anyllm_gemini._batch) -------------------------------------------------------

    def _batch_request(self, params: CompletionParams) -> dict[str, Any]:
        from any_llm.params import check_request

        check_request(self, params)  # what core checks before any completion, for each line
        return build_body(params, self.name)

    def _service_url(self, kind: str, tail: str) -> str:
        """``https://host/<kind>/v1beta/<tail>``: the Files API's upload and download routes sit beside the API."""
        parts = urlsplit(self.api_base)
        return f"{parts.scheme}://{parts.netloc}/{kind}{parts.path.rstrip('/')}/{tail}"

    def create_batch_flow(self, params: BatchParams) -> Flow[Batch]:
        from any_llm.uploads import StreamBody

        scan = _batch.scan_input(params, self._batch_request)
        create = f"{model_path(scan.model)}:batchGenerateContent"
        if scan.inline_bytes <= self.batch_inline_limit:
            body = StreamBody(lambda: _batch.request_body(params, self._batch_request), "application/json")
            answer = yield HTTPRequest("POST", create, upload=body)
            return _batch.batch_from_operation(answer.content, self.name)
        file_name = yield from self._upload_batch_file(params, scan.file_bytes)
        answer = yield HTTPRequest("POST", create, json=_batch.file_batch_body(params, file_name))
        return _batch.batch_from_operation(answer.content, self.name)

    def _upload_batch_file(self, params: BatchParams, size: int) -> Flow[str]:
        """The Files API's resumable upload: start (metadata, declared size), then one ``upload, finalize``
        of the translated lines, streamed; a retry regenerates them from the input file."""
        from any_llm.uploads import StreamBody

        display = _batch.file_batch_body(params, "")["batch"]["displayName"]
        answer = yield HTTPRequest(
            "POST",
            self._service_url("upload", "files"),
            json={"file": {"displayName": f"{display}-input"}},
            headers={
                "X-Goog-Upload-Protocol": "resumable",
                "X-Goog-Upload-Command": "start",
                "X-Goog-Upload-Header-Content-Length": str(size),
                "X-Goog-Upload-Header-Content-Type": "application/jsonl",
            },
        )
        session = answer.headers.get("x-goog-upload-url") or ""
        here, there = urlsplit(self.api_base), urlsplit(session)
        if (there.scheme, there.netloc) != (here.scheme, here.netloc):
            # the key goes with every request: never to an origin other than the configured one
            raise errors.ResponseValidationError(
                f"{self.name} answered the upload start without an upload URL on {here.scheme}://{here.netloc} "
                f"(x-goog-upload-url: {there.scheme}://{there.netloc or '-'})",
                provider=self.name,
            )
        lines = StreamBody(lambda: _batch.file_lines(params, self._batch_request), "application/jsonl", size)
        answer = yield HTTPRequest(
            "POST",
            session,
            upload=lines,
            headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
        )
        return _batch.uploaded_file_name(answer.content, self.name)

    def retrieve_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        answer = yield HTTPRequest("GET", _batch.batch_path(batch_id))
        return _batch.batch_from_operation(answer.content, self.name)

    def cancel_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        yield HTTPRequest("POST", f"{_batch.batch_path(batch_id)}:cancel")  # answers {}: read the batch again
        return (yield from self.retrieve_batch_flow(batch_id, extra))

    def list_batches_flow(self, after: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[Batch]]:
        """Every page (``pageToken``); ``after`` skips up to that batch, ``limit`` caps the count."""
        out: list[Batch] = []
        token: str | None = None
        skipping = after is not None
        while True:
            query = {"pageSize": "1000", **{k: str(v) for k, v in extra.items()}}
            if token:
                query["pageToken"] = token
            answer = yield HTTPRequest("GET", "batches", params=query)
            data = loads(answer.content, self.name)
            operations = data.get("operations") or [] if isinstance(data, dict) else []
            for operation in operations:
                batch = _batch.batch_from_operation(json.dumps(operation).encode(), self.name)
                if skipping:
                    skipping = batch.id not in (after, f"batches/{after}")
                    continue
                out.append(batch)
            token = data.get("nextPageToken") if isinstance(data, dict) else None
            if (limit is not None and len(out) >= limit) or not token or not operations:
                return out[:limit] if limit is not None else out

    def batch_results_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[BatchResult]:
        from any_llm.types.batch import BatchResult

        answer = yield HTTPRequest("GET", _batch.batch_path(batch_id))
        batch = _batch.batch_from_operation(answer.content, self.name)
        if batch.status != "completed":
            raise errors.BatchNotCompleteError(batch_id, batch.status, provider=self.name)
        params = CompletionParams(model=str(getattr(batch, "model", "") or ""), messages=[])
        parse = lambda body: self.parse_completion(body, params)  # noqa: E731
        output = _batch.responses_file(answer.content, self.name)
        if output is None:
            return BatchResult(results=_batch.result_items(answer.content, self.name, parse))
        tail = f"{quote(output, safe='/-._~')}:download"
        answer = yield HTTPRequest("GET", self._service_url("download", tail), params={"alt": "media"})
        return BatchResult(results=_batch.file_result_items(answer.content, self.name, parse))

    # -- embeddings and models ----------------------------------------------------------------

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        """One ``batchEmbedContents`` call; ``dimensions``/``task_type`` (or Gemini's own names) apply to each."""
        path = model_path(model)
        options = {_EMBED_RENAMES.get(k, k): v for k, v in extra.items()}
        name = model.strip() if model.strip().startswith(("models/", "tunedModels/")) else f"models/{model.strip()}"
        requests = [{"model": name, "content": {"parts": [{"text": text}]}, **options} for text in inputs]
        return HTTPRequest("POST", f"{path}:batchEmbedContents", json={"requests": requests})

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        data = loads(body, self.name)
        items = data.get("embeddings") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(e, dict) and isinstance(e.get("values"), list) for e in items
        ):
            raise errors.ResponseValidationError(
                f"{self.name} embeddings answer has no embeddings[].values",
                provider=self.name,
                body=body.decode("utf-8", "replace"),
            )
        return CreateEmbeddingResponse(
            data=[Embedding(embedding=e["values"], index=i) for i, e in enumerate(items)], model=model
        )

    def build_count_tokens_request(self, params: CompletionParams) -> HTTPRequest:
        """``models/<id>:countTokens`` with the whole generateContent request, so system and tools count."""
        request = {"model": model_path(params.model), **build_body(params, self.name)}
        return HTTPRequest("POST", f"{model_path(params.model)}:countTokens", json={"generateContentRequest": request})

    def parse_count_tokens(self, body: bytes) -> int:
        data = loads(body, self.name)
        count = data.get("totalTokens", 0) if isinstance(data, dict) else None  # proto3 omits a zero
        if not isinstance(count, int) or isinstance(count, bool):
            raise errors.ResponseValidationError(
                f"{self.name} countTokens reply has no integer totalTokens",
                provider=self.name,
                body=body.decode("utf-8", "replace"),
            )
        return count

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        """The first page of 1000 (the core follows ``nextPageToken``); extra kwargs go in the query."""
        return HTTPRequest("GET", "models", params={"pageSize": "1000", **{k: str(v) for k, v in extra.items()}})

    def next_list_models_request(self, previous: HTTPRequest, body: bytes) -> HTTPRequest | None:
        """Pages chain by ``nextPageToken`` → ``pageToken``."""
        from any_llm.families.pages import next_page

        data = loads(body, self.name)
        token = data.get("nextPageToken") if isinstance(data, dict) else None
        return next_page(previous, pageToken=token) if isinstance(token, str) and token else None

    def parse_list_models(self, body: bytes) -> list[Model]:
        data = loads(body, self.name)
        items = data.get("models", []) if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) for m in items
        ):
            raise errors.ResponseValidationError(
                f"{self.name} model list has no models[].name", provider=self.name, body=body.decode("utf-8", "replace")
            )
        return [
            Model(
                id=m["name"].removeprefix("models/"),
                owned_by="google",
                **{k: v for k, v in m.items() if k not in ("name", "id", "object", "created", "owned_by")},
            )
            for m in items
        ]


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(GeminiProvider)
