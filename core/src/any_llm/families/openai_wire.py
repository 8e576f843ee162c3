"""The families in OpenAI's wire protocol, once, for every service that speaks it.

:class:`OpenAIFamilyWire` is mixed into :class:`~any_llm.openai_compat.OpenAICompatibleProvider`: a
compatible plugin turns a family on with its ``supports_<family>`` flag and gets OpenAI's
``/moderations``, ``/images/generations``, ``/audio/speech``, ``/audio/transcriptions``, ``/files`` +
``/batches`` and the Jina/Cohere-style ``/rerank`` that vLLM, llama.cpp and Together serve. Its real
differences are declarations (paths, unsupported parameters) or small overrides
(:meth:`~OpenAIFamilyWire.family_route` for Azure's deployment URLs, the batch hooks for Mistral).

The parse functions are module-level too, so a native provider (Cohere's rerank) reuses them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from any_llm import errors
from any_llm.provider import HTTPRequest
from any_llm.wire import loads, loads_object

if TYPE_CHECKING:
    from collections.abc import Mapping

    from any_llm.families.flow import Flow
    from any_llm.families.params import (
        BatchParams,
        ImageGenerationParams,
        ModerationParams,
        RerankParams,
        SpeechParams,
        TranscriptionParams,
    )
    from any_llm.types.audio import Transcription
    from any_llm.types.batch import Batch, BatchResult, BatchResultItem
    from any_llm.types.files import FileObject
    from any_llm.types.image import ImagesResponse
    from any_llm.types.moderation import ModerationResponse
    from any_llm.types.rerank import RerankResponse
    from any_llm.uploads import FilePart

__all__ = [
    "OpenAIFamilyWire",
    "batch_output_items",
    "parse_batch_output_line",
    "parse_moderation_json",
    "parse_rerank_json",
    "validated",
]

RESULTS_READY = frozenset({"completed", "expired", "cancelled"})
"""Statuses whose output file (complete, or partial for expired/cancelled) holds results."""


def validated(model: type[Any], data: Any, provider: str, what: str, body: bytes) -> Any:
    """``model.model_validate(data)``, raising ResponseValidationError (with the body) on a wrong shape."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise errors.ResponseValidationError(
            f"{provider} sent {what} of the wrong shape: {exc.errors()[0].get('msg')}",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        ) from None


def parse_rerank_json(body: bytes, provider: str, documents: list[str]) -> RerankResponse:
    """Cohere's / Jina's rerank answer (``results`` of index + relevance_score; Voyage calls the list
    ``data``), sorted best first."""
    from any_llm.types.rerank import RerankResponse

    data = loads_object(body, provider, "a rerank answer")
    results = data.get("results", data.get("data"))
    if not isinstance(results, list):
        raise errors.ResponseValidationError(
            f"{provider} rerank answer has no 'results' array", provider=provider, body=body.decode("utf-8", "replace")
        )
    items = []
    for item in results:
        if not isinstance(item, dict):
            raise errors.ResponseValidationError(
                f"{provider} rerank result is not an object", provider=provider, body=body.decode("utf-8", "replace")
            )
        doc = item.get("document")
        text = doc.get("text") if isinstance(doc, dict) else doc if isinstance(doc, str) else None
        score = item.get("relevance_score", item.get("score"))
        items.append({"index": item.get("index"), "relevance_score": score, "document": text})
    usage = data.get("usage")
    meta = data.get("meta")
    out = {
        "id": str(data.get("id") or ""),
        "results": items,
        "meta": meta if isinstance(meta, dict) else None,
        "usage": {"total_tokens": usage.get("total_tokens")} if isinstance(usage, dict) else None,
    }
    response: RerankResponse = validated(RerankResponse, out, provider, "a rerank answer", body)
    for result in response.results:
        if not 0 <= result.index < len(documents):
            raise errors.ResponseValidationError(
                f"{provider} ranked document index {result.index}, but {len(documents)} were sent", provider=provider
            )
    response.results.sort(key=lambda r: r.relevance_score, reverse=True)
    return response


def parse_moderation_json(body: bytes, provider: str, include_raw: bool) -> ModerationResponse:
    """OpenAI's moderation answer; ``flagged`` is derived from the categories when absent (Mistral)."""
    from any_llm.types.moderation import ModerationResponse

    data = loads_object(body, provider, "a moderation answer")
    results = data.get("results")
    if not isinstance(results, list):
        raise errors.ResponseValidationError(
            f"{provider} moderation answer has no 'results' array",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        )
    out = []
    for raw in results:
        if not isinstance(raw, dict):
            raise errors.ResponseValidationError(f"{provider} moderation result is not an object", provider=provider)
        categories = {k: bool(v) for k, v in (raw.get("categories") or {}).items() if v is not None}
        scores = {k: v for k, v in (raw.get("category_scores") or {}).items() if v is not None}
        flagged = raw.get("flagged")
        out.append(
            {
                "flagged": any(categories.values()) if flagged is None else flagged,
                "categories": categories,
                "category_scores": scores,
                "category_applied_input_types": raw.get("category_applied_input_types"),
                "provider_raw": raw if include_raw else None,
            }
        )
    shaped = {"id": str(data.get("id") or ""), "model": str(data.get("model") or ""), "results": out}
    response: ModerationResponse = validated(ModerationResponse, shaped, provider, "a moderation answer", body)
    return response


def parse_batch_output_line(line: bytes, provider: str) -> BatchResultItem:
    """One line of an OpenAI batch output or error file."""
    from any_llm.types.batch import BatchResultItem
    from any_llm.types.completion import ChatCompletion

    data = loads_object(line, provider, "a batch output line")
    custom_id = str(data.get("custom_id") or "")
    error = data.get("error")
    response = data.get("response") if isinstance(data.get("response"), dict) else None
    if isinstance(error, dict) and (error.get("message") or error.get("code")):
        return BatchResultItem(
            custom_id=custom_id,
            error={"code": str(error.get("code") or "error"), "message": str(error.get("message") or "")},
        )
    if response is None:
        return BatchResultItem(custom_id=custom_id, error={"code": "no_response", "message": "no response recorded"})
    body = response.get("body")
    status = response.get("status_code", 200)
    if isinstance(status, int) and status >= 400:
        err = body.get("error") if isinstance(body, dict) else None
        err = err if isinstance(err, dict) else {}
        return BatchResultItem(
            custom_id=custom_id,
            error={
                "code": str(err.get("code") or err.get("type") or f"http_{status}"),
                "message": str(err.get("message") or body),
            },
        )
    if isinstance(body, dict) and body.get("object") == "chat.completion":
        completion = validated(ChatCompletion, body, provider, "a batch result", line)
        return BatchResultItem(custom_id=custom_id, result=completion)
    return BatchResultItem(custom_id=custom_id, result=body if isinstance(body, dict) else {"body": body})


def batch_output_items(content: bytes, provider: str) -> list[BatchResultItem]:
    return [parse_batch_output_line(line, provider) for line in content.splitlines() if line.strip()]


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class OpenAIFamilyWire:
    """OpenAI-protocol build/parse pairs for every family; gated by the ``supports_<family>`` flags."""

    name: ClassVar[str]
    extra_headers: ClassVar[Mapping[str, str]] = {}

    rerank_path: ClassVar[str] = "rerank"
    moderation_path: ClassVar[str] = "moderations"
    image_generation_path: ClassVar[str] = "images/generations"
    speech_path: ClassVar[str] = "audio/speech"
    transcription_path: ClassVar[str] = "audio/transcriptions"
    files_path: ClassVar[str] = "files"
    batches_path: ClassVar[str] = "batches"
    batch_file_purpose: ClassVar[str] = "batch"
    rerank_max_tokens_field: ClassVar[str | None] = None
    """The body field for ``max_tokens_per_doc``; None: the service has none and the parameter is refused."""
    image_unsupported_params: ClassVar[frozenset[str]] = frozenset()
    """image_generation parameters this service cannot honour (refused before sending)."""
    transcription_unsupported_params: ClassVar[frozenset[str]] = frozenset()
    """transcription parameters this service cannot honour (refused before sending)."""
    form_list_suffix: ClassVar[str] = "[]"
    """How a list goes into a multipart form: OpenAI repeats ``name[]``; "" repeats ``name``."""
    moderation_takes_parts: ClassVar[bool] = True
    """Whether moderation input may be content-part dicts (OpenAI's omni models) or only strings."""
    batch_endpoints: ClassVar[frozenset[str]] = frozenset(
        {"/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses", "/v1/moderations"}
    )

    def family_route(self, path: str, model: str | None, extra: dict[str, Any]) -> tuple[str, dict[str, str] | None]:
        """(URL path, query) of a family request; Azure overrides it for deployment URLs and api-version."""
        return path, None

    def _request(self, method: str, path: str, model: str | None, extra: dict[str, Any], **kw: Any) -> HTTPRequest:
        url, query = self.family_route(path, model, extra)
        return HTTPRequest(method, url, params=query, headers=dict(self.extra_headers), **kw)

    # -- rerank ---------------------------------------------------------------------------------

    def build_rerank_request(self, params: RerankParams) -> HTTPRequest:
        extra = dict(params.extra)
        body: dict[str, Any] = {"model": params.model, "query": params.query, "documents": params.documents}
        if params.top_n is not None:
            body["top_n"] = params.top_n
        if params.max_tokens_per_doc is not None:
            if self.rerank_max_tokens_field is None:
                raise errors.UnsupportedParameterError("max_tokens_per_doc", self.name)
            body[self.rerank_max_tokens_field] = params.max_tokens_per_doc
        request = self._request("POST", self.rerank_path, params.model, extra)
        request.json = {**body, **extra}
        return request

    def parse_rerank(self, body: bytes, params: RerankParams) -> RerankResponse:
        return parse_rerank_json(body, self.name, params.documents)

    # -- moderation -----------------------------------------------------------------------------

    def build_moderation_request(self, params: ModerationParams) -> HTTPRequest:
        if not self.moderation_takes_parts and any(not isinstance(i, str) for i in params.items()):
            raise errors.UnsupportedParameterError(
                "input", self.name, "moderation takes a string or a list of strings here, not content parts"
            )
        extra = dict(params.extra)
        request = self._request("POST", self.moderation_path, params.model, extra)
        request.json = {"model": params.model, "input": params.input, **extra}
        return request

    def parse_moderation(self, body: bytes, params: ModerationParams) -> ModerationResponse:
        return parse_moderation_json(body, self.name, params.include_raw)

    # -- images ---------------------------------------------------------------------------------

    def build_image_generation_request(self, params: ImageGenerationParams) -> HTTPRequest:
        given = params.given()
        for name in given:
            if name in self.image_unsupported_params:
                raise errors.UnsupportedParameterError(name, self.name)
        extra = dict(params.extra)
        request = self._request("POST", self.image_generation_path, params.model, extra)
        request.json = {"model": params.model, "prompt": params.prompt, **given, **extra}
        return request

    def parse_image_generation(self, body: bytes, params: ImageGenerationParams) -> ImagesResponse:
        from any_llm.types.image import ImagesResponse

        data = loads_object(body, self.name, "an images answer")
        response: ImagesResponse = validated(ImagesResponse, data, self.name, "an images answer", body)
        return response

    # -- audio ----------------------------------------------------------------------------------

    def build_speech_request(self, params: SpeechParams) -> HTTPRequest:
        extra = dict(params.extra)
        request = self._request("POST", self.speech_path, params.model, extra, download=True)
        request.json = {
            "model": params.model,
            "input": params.input,
            "voice": params.voice,
            **params.given(),
            **extra,
        }
        return request

    def build_transcription_request(self, params: TranscriptionParams) -> HTTPRequest:
        from any_llm.uploads import Multipart

        given = params.given()
        for name in given:
            if name in self.transcription_unsupported_params:
                raise errors.UnsupportedParameterError(name, self.name)
        extra = dict(params.extra)
        request = self._request("POST", self.transcription_path, params.model, extra)
        fields: dict[str, str | list[str]] = {"model": params.model}
        for name, value in {**given, **extra}.items():
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                fields[f"{name}{self.form_list_suffix}"] = list(value)
            else:
                fields[name] = _form_value(value)
        request.upload = Multipart(fields=fields, files={"file": params.file})
        return request

    def parse_transcription(
        self, body: bytes, headers: Mapping[str, str], params: TranscriptionParams
    ) -> Transcription:
        from any_llm.types.audio import Transcription

        if params.response_format in ("text", "srt", "vtt") or "json" not in headers.get("content-type", "json"):
            return Transcription(text=body.decode("utf-8", "replace"))
        data = loads_object(body, self.name, "a transcription")
        result: Transcription = validated(Transcription, data, self.name, "a transcription", body)
        return result

    # -- files ----------------------------------------------------------------------------------

    def build_upload_file_request(self, file: FilePart, purpose: str, extra: dict[str, Any]) -> HTTPRequest:
        from any_llm.uploads import Multipart

        extra = dict(extra)
        request = self._request("POST", self.files_path, None, extra)
        fields: dict[str, str | list[str]] = {"purpose": purpose, **{k: _form_value(v) for k, v in extra.items()}}
        request.upload = Multipart(fields=fields, files={"file": file})
        return request

    def build_file_upload_request(self, params: BatchParams) -> HTTPRequest:
        """The batch input file as a multipart upload (``purpose`` = :attr:`batch_file_purpose`), streamed."""
        from any_llm.uploads import file_part

        part = file_part(params.input_file_path, content_type="application/jsonl", what="input_file_path")
        return self.build_upload_file_request(part, self.batch_file_purpose, {})

    def list_files_flow(self, purpose: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[FileObject]]:
        """``GET /files`` page after page (``after`` = the last id while ``has_more``)."""
        out: list[FileObject] = []
        cursor: str | None = None
        while True:
            query = {k: str(v) for k, v in extra.items()}
            if purpose:
                query["purpose"] = purpose
            if cursor:
                query["after"] = cursor
            request = self._request("GET", self.files_path, None, dict(extra))
            request.params = {**(request.params or {}), **query} or None
            answer = yield request
            data = loads_object(answer.content, self.name, "a file list")
            items = data.get("data")
            if not isinstance(items, list):
                raise errors.ResponseValidationError(f"{self.name} file list has no 'data' array", provider=self.name)
            page = [self.parse_file(json.dumps(item).encode()) for item in items]
            out.extend(page)
            cursor = (data.get("last_id") or (page[-1].id if page else None)) if data.get("has_more") else None
            if cursor is None or not page or (limit is not None and len(out) >= limit):
                return out[:limit] if limit is not None else out

    def build_file_request(self, method: str, file_id: str, extra: dict[str, Any]) -> HTTPRequest:
        return self._request(method, f"{self.files_path}/{_segment(file_id)}", None, dict(extra))

    def parse_file(self, body: bytes) -> FileObject:
        from any_llm.types.files import FileObject

        data = loads_object(body, self.name, "a file object")
        result: FileObject = validated(FileObject, data, self.name, "a file object", body)
        return result

    def build_file_content_request(self, file_id: str, extra: dict[str, Any]) -> HTTPRequest:
        return self._request("GET", f"{self.files_path}/{_segment(file_id)}/content", None, dict(extra))

    # -- batch ----------------------------------------------------------------------------------

    def check_batch_endpoint(self, endpoint: str) -> None:
        if endpoint not in self.batch_endpoints:
            allowed = ", ".join(sorted(self.batch_endpoints))
            raise errors.ConfigurationError(f"{self.name} batches serve {allowed}; got endpoint={endpoint!r}")

    def build_create_batch_request(self, file: FileObject, params: BatchParams) -> HTTPRequest:
        extra = dict(params.extra)
        request = self._request("POST", self.batches_path, None, extra)
        body: dict[str, Any] = {
            "input_file_id": file.id,
            "endpoint": params.endpoint,
            "completion_window": params.completion_window,
        }
        if params.metadata is not None:
            body["metadata"] = params.metadata
        request.json = {**body, **extra}
        return request

    def parse_batch(self, body: bytes) -> Batch:
        from any_llm.types.batch import Batch

        data = loads_object(body, self.name, "a batch")
        result: Batch = validated(Batch, data, self.name, "a batch", body)
        return result

    def build_list_batches_request(self, cursor: str | None, limit: int | None, extra: dict[str, Any]) -> HTTPRequest:
        extra = dict(extra)
        request = self._request("GET", self.batches_path, None, extra)
        query = dict(request.params or {})
        query.update({k: str(v) for k, v in extra.items()})
        if cursor:
            query["after"] = cursor
        if limit:
            query["limit"] = str(min(limit, 100))
        request.params = query or None
        return request

    def parse_batch_page(self, body: bytes) -> tuple[list[Batch], str | None]:
        """(batches, cursor of the next page or None)."""
        data = loads_object(body, self.name, "a batch list")
        items = data.get("data")
        if not isinstance(items, list):
            raise errors.ResponseValidationError(
                f"{self.name} batch list has no 'data' array", provider=self.name, body=body.decode("utf-8", "replace")
            )
        batches = [self.parse_batch(json.dumps(item).encode()) for item in items]
        more = data.get("has_more") and batches
        return batches, (data.get("last_id") or batches[-1].id) if more else None

    def batch_output_items(self, content: bytes) -> list[BatchResultItem]:
        return batch_output_items(content, self.name)

    def create_batch_flow(self, params: BatchParams) -> Flow[Batch]:
        self.check_batch_endpoint(params.endpoint)
        answer = yield self.build_file_upload_request(params)
        file = self.parse_file(answer.content)
        answer = yield self.build_create_batch_request(file, params)
        return self.parse_batch(answer.content)

    def retrieve_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        answer = yield self._request("GET", f"{self.batches_path}/{_segment(batch_id)}", None, dict(extra))
        return self.parse_batch(answer.content)

    def cancel_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        answer = yield self._request("POST", f"{self.batches_path}/{_segment(batch_id)}/cancel", None, dict(extra))
        return self.parse_batch(answer.content)

    def list_batches_flow(self, after: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[Batch]]:
        out: list[Batch] = []
        cursor = after
        while True:
            answer = yield self.build_list_batches_request(cursor, None if limit is None else limit - len(out), extra)
            page, cursor = self.parse_batch_page(answer.content)
            out.extend(page)
            if cursor is None or not page or (limit is not None and len(out) >= limit):
                return out[:limit] if limit is not None else out

    def batch_results_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[BatchResult]:
        from any_llm.types.batch import BatchResult

        batch = yield from self.retrieve_batch_flow(batch_id, dict(extra))
        files = [f for f in (batch.output_file_id, batch.error_file_id) if f]
        if batch.status not in RESULTS_READY or (batch.status != "completed" and not files):
            raise errors.BatchNotCompleteError(batch_id, batch.status, provider=self.name)
        items: list[BatchResultItem] = []
        for file_id in files:
            answer = yield self.build_file_content_request(file_id, extra)
            items.extend(self.batch_output_items(answer.content))
        return BatchResult(results=items)


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def iter_jsonl(path: str) -> Iterator[dict[str, Any]]:
    """The objects of a JSONL file, one line at a time (never the whole file in memory)."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = loads(line, "batch input")
            except errors.ResponseValidationError:
                raise errors.ConfigurationError(f"{path}:{number} is not JSON; the batch file must be JSONL") from None
            if not isinstance(obj, dict):
                raise errors.ConfigurationError(f"{path}:{number} is not a JSON object")
            yield obj
