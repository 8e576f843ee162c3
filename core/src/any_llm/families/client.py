"""The family methods of :class:`~any_llm.AnyLLM` (mixed into it): check → build → send → parse.

Like completion, each operation is a pure "prepare" step (capability flag first, then arguments,
then the provider's build function), the I/O through the client's transport, and the provider's pure
parse; the sync and async twins differ only in the middle line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TypeVar

from any_llm import errors
from any_llm.calls import CallOptions
from any_llm.families.flow import adrive, drive
from any_llm.families.params import (
    BatchParams,
    ImageGenerationParams,
    ModerationParams,
    RerankParams,
    SpeechParams,
    TranscriptionParams,
)

if TYPE_CHECKING:
    import httpx

    from any_llm.downloads import AsyncBinaryStream, BinaryStream
    from any_llm.families.flow import Flow
    from any_llm.provider import HTTPRequest, Provider
    from any_llm.transport import Transport
    from any_llm.types.audio import Transcription
    from any_llm.types.batch import Batch, BatchResult
    from any_llm.types.files import FileObject
    from any_llm.types.image import ImagesResponse
    from any_llm.types.moderation import ModerationResponse
    from any_llm.types.rerank import RerankResponse

__all__ = ["FamilyMethods"]

_R = TypeVar("_R")

Output = str | os.PathLike[str] | IO[bytes]


def _require(provider: Provider, capability: str) -> None:
    if not getattr(provider, f"supports_{capability}", False):
        raise errors.UnsupportedCapabilityError.declared(provider, capability)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise errors.ConfigurationError(f"{name} must be a non-empty string, got {value!r}")
    return value


class FamilyMethods:
    """Rerank, moderation, images, speech, transcription and batch jobs for one provider configuration."""

    provider: Provider
    transport: Transport

    def _call_parse(self, parse: Callable[..., _R], response: httpx.Response, *args: Any) -> _R:
        """A provider's parse of ``response``: whatever it raises reaches the caller typed (as for completion)."""
        from any_llm.wire import call_plugin

        body = response.content
        return call_plugin(self.provider.name, "a response", body, response.status_code, parse, body, *args)

    # -- rerank ---------------------------------------------------------------------------------

    def _rerank_request(
        self, model: str, query: str, documents: Any, kwargs: dict[str, Any]
    ) -> tuple[RerankParams, HTTPRequest, Any]:
        _require(self.provider, "rerank")
        if not isinstance(documents, list) or not documents or not all(isinstance(d, str) for d in documents):
            raise errors.ConfigurationError("documents must be a non-empty list of strings")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        top_n = kwargs.pop("top_n", None)
        max_tokens = kwargs.pop("max_tokens_per_doc", None)
        for name, value in (("top_n", top_n), ("max_tokens_per_doc", max_tokens)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise errors.ConfigurationError(f"{name} must be a positive integer, got {value!r}")
        params = RerankParams(_text(model, "model"), _text(query, "query"), documents, top_n, max_tokens, kwargs)
        return params, _applied(options, self.provider.build_rerank_request(params)), timeout

    def rerank(self, model: str, query: str, documents: list[str], **kwargs: Any) -> RerankResponse:
        """Order ``documents`` by relevance to ``query``; takes :func:`any_llm.rerank`'s parameters."""
        params, request, timeout = self._rerank_request(model, query, documents, kwargs)
        return self._call_parse(
            self.provider.parse_rerank, self.transport.send(self.provider, request, timeout), params
        )

    async def arerank(self, model: str, query: str, documents: list[str], **kwargs: Any) -> RerankResponse:
        """Async twin of :meth:`rerank`."""
        params, request, timeout = self._rerank_request(model, query, documents, kwargs)
        response = await self.transport.asend(self.provider, request, timeout)
        return self._call_parse(self.provider.parse_rerank, response, params)

    # -- moderation -----------------------------------------------------------------------------

    def _moderation_request(self, model: str, input: Any, kwargs: dict[str, Any]) -> Any:
        _require(self.provider, "moderation")
        ok = isinstance(input, str) or (
            isinstance(input, list)
            and input
            and (all(isinstance(i, str) for i in input) or all(isinstance(i, dict) for i in input))
        )
        if not ok:
            raise errors.ConfigurationError(
                "input must be a string, a non-empty list of strings, or a list of content-part dicts"
            )
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        include_raw = bool(kwargs.pop("include_raw", False))
        params = ModerationParams(_text(model, "model"), input, include_raw, kwargs)
        return params, _applied(options, self.provider.build_moderation_request(params)), timeout

    def moderation(self, model: str, input: Any, **kwargs: Any) -> ModerationResponse:
        """Classify ``input`` (a string, strings, or content parts) for harmful content."""
        params, request, timeout = self._moderation_request(model, input, kwargs)
        return self._call_parse(
            self.provider.parse_moderation, self.transport.send(self.provider, request, timeout), params
        )

    async def amoderation(self, model: str, input: Any, **kwargs: Any) -> ModerationResponse:
        """Async twin of :meth:`moderation`."""
        params, request, timeout = self._moderation_request(model, input, kwargs)
        response = await self.transport.asend(self.provider, request, timeout)
        return self._call_parse(self.provider.parse_moderation, response, params)

    # -- images ---------------------------------------------------------------------------------

    def _image_request(self, model: str, prompt: str, kwargs: dict[str, Any]) -> Any:
        _require(self.provider, "image_generation")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        named = {k: kwargs.pop(k, None) for k in ("n", "size", "quality", "style", "response_format", "user")}
        if named["n"] is not None and (
            isinstance(named["n"], bool) or not isinstance(named["n"], int) or named["n"] < 1
        ):
            raise errors.ConfigurationError(f"n must be a positive integer, got {named['n']!r}")
        if named["response_format"] not in (None, "url", "b64_json"):
            raise errors.ConfigurationError(
                f"response_format must be 'url' or 'b64_json', got {named['response_format']!r}"
            )
        params = ImageGenerationParams(_text(model, "model"), _text(prompt, "prompt"), **named, extra=kwargs)
        return params, _applied(options, self.provider.build_image_generation_request(params)), timeout

    def image_generation(self, model: str, prompt: str, **kwargs: Any) -> ImagesResponse:
        """Generate images from ``prompt``; each comes back as a URL or base64 (``response_format``)."""
        params, request, timeout = self._image_request(model, prompt, kwargs)
        response = self.transport.send(self.provider, request, timeout)
        return self._call_parse(self.provider.parse_image_generation, response, params)

    async def aimage_generation(self, model: str, prompt: str, **kwargs: Any) -> ImagesResponse:
        """Async twin of :meth:`image_generation`."""
        params, request, timeout = self._image_request(model, prompt, kwargs)
        response = await self.transport.asend(self.provider, request, timeout)
        return self._call_parse(self.provider.parse_image_generation, response, params)

    # -- speech ---------------------------------------------------------------------------------

    def _speech_request(self, model: str, input: str, voice: str, kwargs: dict[str, Any]) -> Any:
        _require(self.provider, "speech")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        stream = bool(kwargs.pop("stream", False))
        output = kwargs.pop("output_file", None)
        if stream and output is not None:
            raise errors.ConfigurationError("pass stream=True or output_file=..., not both")
        named = {k: kwargs.pop(k, None) for k in ("instructions", "response_format", "speed")}
        params = SpeechParams(
            _text(model, "model"), _text(input, "input"), _text(voice, "voice"), **named, extra=kwargs
        )
        request = self.provider.build_speech_request(params)
        request.download = True
        return _applied(options, request), timeout, stream, output

    def speech(self, model: str, input: str, voice: str, **kwargs: Any) -> bytes | int | BinaryStream:
        """Speak ``input``: the audio as bytes, or streamed (``stream=True`` gives a :class:`BinaryStream`,
        ``output_file=`` a path or binary file to write to, returning the bytes written)."""
        from any_llm.downloads import BinaryStream

        request, timeout, stream, output = self._speech_request(model, input, voice, kwargs)
        audio = BinaryStream(self.transport.send(self.provider, request, timeout), self.provider.name)
        if stream:
            return audio
        if output is not None:
            return audio.write_to(output)
        return audio.read()

    async def aspeech(self, model: str, input: str, voice: str, **kwargs: Any) -> bytes | int | AsyncBinaryStream:
        """Async twin of :meth:`speech` (``stream=True`` gives an :class:`AsyncBinaryStream`)."""
        from any_llm.downloads import AsyncBinaryStream

        request, timeout, stream, output = self._speech_request(model, input, voice, kwargs)
        audio = AsyncBinaryStream(await self.transport.asend(self.provider, request, timeout), self.provider.name)
        if stream:
            return audio
        if output is not None:
            return await audio.write_to(output)
        return await audio.read()

    # -- transcription --------------------------------------------------------------------------

    def _transcription_request(self, model: str, file: Any, kwargs: dict[str, Any]) -> Any:
        from any_llm.uploads import file_part

        _require(self.provider, "transcription")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        filename = kwargs.pop("filename", None)
        if filename is None and isinstance(file, (bytes, bytearray)):
            filename = _audio_name(bytes(file[:12]))  # services decide the format by the name's extension
        part = file_part(file, filename, kwargs.pop("mime_type", None), what="file")
        named = {
            k: kwargs.pop(k, None)
            for k in ("language", "prompt", "response_format", "temperature", "timestamp_granularities")
        }
        params = TranscriptionParams(_text(model, "model"), part, **named, extra=kwargs)
        return params, _applied(options, self.provider.build_transcription_request(params)), timeout

    def transcription(self, model: str, file: Any, **kwargs: Any) -> Transcription:
        """Transcribe audio from a path, bytes or a binary file; the file is streamed, not read whole."""
        params, request, timeout = self._transcription_request(model, file, kwargs)
        response = self.transport.send(self.provider, request, timeout)
        return self._call_parse(self.provider.parse_transcription, response, response.headers, params)

    async def atranscription(self, model: str, file: Any, **kwargs: Any) -> Transcription:
        """Async twin of :meth:`transcription`."""
        params, request, timeout = self._transcription_request(model, file, kwargs)
        response = await self.transport.asend(self.provider, request, timeout)
        return self._call_parse(self.provider.parse_transcription, response, response.headers, params)

    # -- files (what batch jobs need) ---------------------------------------------------------------

    def _file_request(self, op: str, file: Any, kwargs: dict[str, Any]) -> tuple[HTTPRequest, Any]:
        _require(self.provider, "batch")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        if op == "upload":
            from any_llm.uploads import file_part

            purpose = _text(kwargs.pop("purpose", "batch"), "purpose")
            part = file_part(file, kwargs.pop("filename", None), kwargs.pop("mime_type", None), what="file")
            return _applied(options, self.provider.build_upload_file_request(part, purpose, kwargs)), timeout
        file_id = _text(file, "file_id")
        if op == "content":
            request = self.provider.build_file_content_request(file_id, kwargs)
            request.download = True
            return _applied(options, request), timeout
        return _applied(
            options, self.provider.build_file_request("DELETE" if op == "delete" else "GET", file_id, kwargs)
        ), timeout

    def upload_file(self, file: Any, **kwargs: Any) -> FileObject:
        """Upload a path, bytes or binary file (streamed, ``purpose="batch"`` unless given)."""
        request, timeout = self._file_request("upload", file, kwargs)
        return self._call_parse(self.provider.parse_file, self.transport.send(self.provider, request, timeout))

    async def aupload_file(self, file: Any, **kwargs: Any) -> FileObject:
        request, timeout = self._file_request("upload", file, kwargs)
        return self._call_parse(self.provider.parse_file, await self.transport.asend(self.provider, request, timeout))

    def retrieve_file(self, file_id: str, **kwargs: Any) -> FileObject:
        request, timeout = self._file_request("retrieve", file_id, kwargs)
        return self._call_parse(self.provider.parse_file, self.transport.send(self.provider, request, timeout))

    async def aretrieve_file(self, file_id: str, **kwargs: Any) -> FileObject:
        request, timeout = self._file_request("retrieve", file_id, kwargs)
        return self._call_parse(self.provider.parse_file, await self.transport.asend(self.provider, request, timeout))

    def delete_file(self, file_id: str, **kwargs: Any) -> bool:
        """Delete ``file_id``; True when the provider says it is gone."""
        request, timeout = self._file_request("delete", file_id, kwargs)
        return _deleted(self.transport.send(self.provider, request, timeout).content, self.provider.name)

    async def adelete_file(self, file_id: str, **kwargs: Any) -> bool:
        request, timeout = self._file_request("delete", file_id, kwargs)
        return _deleted((await self.transport.asend(self.provider, request, timeout)).content, self.provider.name)

    def _files_flow(self, purpose: str | None, limit: int | None, kwargs: dict[str, Any]) -> tuple[Flow[Any], Any]:
        _require(self.provider, "batch")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise errors.ConfigurationError(f"limit must be a positive integer, got {limit!r}")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        return _each(options, self.provider.list_files_flow(purpose, limit, kwargs)), timeout

    def list_files(self, purpose: str | None = None, limit: int | None = None, **kwargs: Any) -> list[FileObject]:
        """Uploaded files (of ``purpose``), following the provider's pages to the end (or up to ``limit``)."""
        flow, timeout = self._files_flow(purpose, limit, kwargs)
        result: list[FileObject] = drive(self.transport, self.provider, flow, timeout)
        return result

    async def alist_files(
        self, purpose: str | None = None, limit: int | None = None, **kwargs: Any
    ) -> list[FileObject]:
        flow, timeout = self._files_flow(purpose, limit, kwargs)
        result: list[FileObject] = await adrive(self.transport, self.provider, flow, timeout)
        return result

    def file_content(self, file_id: str, **kwargs: Any) -> BinaryStream:
        """The file's bytes as a stream (iterate it, ``read()`` it, or ``write_to(path)``), never buffered whole."""
        from any_llm.downloads import BinaryStream

        request, timeout = self._file_request("content", file_id, kwargs)
        return BinaryStream(self.transport.send(self.provider, request, timeout), self.provider.name)

    async def afile_content(self, file_id: str, **kwargs: Any) -> AsyncBinaryStream:
        from any_llm.downloads import AsyncBinaryStream

        request, timeout = self._file_request("content", file_id, kwargs)
        return AsyncBinaryStream(await self.transport.asend(self.provider, request, timeout), self.provider.name)

    # -- batch ----------------------------------------------------------------------------------

    def _batch_create(self, input_file_path: Any, endpoint: str, kwargs: dict[str, Any]) -> Any:
        _require(self.provider, "batch")
        if not isinstance(input_file_path, (str, os.PathLike)) or not os.path.isfile(input_file_path):
            raise errors.ConfigurationError(
                f"input_file_path must be the path of an existing JSONL file, got {input_file_path!r}"
            )
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        window = kwargs.pop("completion_window", "24h")
        metadata = kwargs.pop("metadata", None)
        params = BatchParams(os.fspath(input_file_path), _text(endpoint, "endpoint"), window, metadata, kwargs)
        return _each(options, self.provider.create_batch_flow(params)), timeout

    def _batch_flow(self, op: str, batch_id: Any, kwargs: dict[str, Any]) -> tuple[Flow[Any], Any]:
        _require(self.provider, "batch")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        batch_id = _text(batch_id, "batch_id")
        if op == "retrieve":
            return _each(options, self.provider.retrieve_batch_flow(batch_id, kwargs)), timeout
        if op == "cancel":
            return _each(options, self.provider.cancel_batch_flow(batch_id, kwargs)), timeout
        return _each(options, self.provider.batch_results_flow(batch_id, kwargs)), timeout

    def _list_flow(self, after: str | None, limit: int | None, kwargs: dict[str, Any]) -> tuple[Flow[Any], Any]:
        _require(self.provider, "batch")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise errors.ConfigurationError(f"limit must be a positive integer, got {limit!r}")
        options = CallOptions.pop_from(kwargs)
        timeout = options.timeout
        return _each(options, self.provider.list_batches_flow(after, limit, kwargs)), timeout

    def create_batch(self, input_file_path: str, endpoint: str, **kwargs: Any) -> Batch:
        """Upload an OpenAI batch JSONL file (streamed) and start a batch job for ``endpoint``."""
        flow, timeout = self._batch_create(input_file_path, endpoint, kwargs)
        result: Batch = drive(self.transport, self.provider, flow, timeout)
        return result

    async def acreate_batch(self, input_file_path: str, endpoint: str, **kwargs: Any) -> Batch:
        flow, timeout = self._batch_create(input_file_path, endpoint, kwargs)
        result: Batch = await adrive(self.transport, self.provider, flow, timeout)
        return result

    def retrieve_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        flow, timeout = self._batch_flow("retrieve", batch_id, kwargs)
        result: Batch = drive(self.transport, self.provider, flow, timeout)
        return result

    async def aretrieve_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        flow, timeout = self._batch_flow("retrieve", batch_id, kwargs)
        result: Batch = await adrive(self.transport, self.provider, flow, timeout)
        return result

    def cancel_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        flow, timeout = self._batch_flow("cancel", batch_id, kwargs)
        result: Batch = drive(self.transport, self.provider, flow, timeout)
        return result

    async def acancel_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        flow, timeout = self._batch_flow("cancel", batch_id, kwargs)
        result: Batch = await adrive(self.transport, self.provider, flow, timeout)
        return result

    def list_batches(self, after: str | None = None, limit: int | None = None, **kwargs: Any) -> list[Batch]:
        """Batches newest first, following the provider's pages to the end (or up to ``limit``)."""
        flow, timeout = self._list_flow(after, limit, kwargs)
        result: list[Batch] = drive(self.transport, self.provider, flow, timeout)
        return result

    async def alist_batches(self, after: str | None = None, limit: int | None = None, **kwargs: Any) -> list[Batch]:
        flow, timeout = self._list_flow(after, limit, kwargs)
        result: list[Batch] = await adrive(self.transport, self.provider, flow, timeout)
        return result

    def retrieve_batch_results(self, batch_id: str, **kwargs: Any) -> BatchResult:
        """The per-request results of a finished batch; :class:`~any_llm.errors.BatchNotCompleteError` before."""
        flow, timeout = self._batch_flow("results", batch_id, kwargs)
        result: BatchResult = drive(self.transport, self.provider, flow, timeout)
        return result

    async def aretrieve_batch_results(self, batch_id: str, **kwargs: Any) -> BatchResult:
        flow, timeout = self._batch_flow("results", batch_id, kwargs)
        result: BatchResult = await adrive(self.transport, self.provider, flow, timeout)
        return result


def _deleted(body: bytes, provider: str) -> bool:
    from any_llm.wire import loads_object

    return bool(loads_object(body, provider, "a file deletion").get("deleted", True))


_AUDIO_MAGIC = ((b"ID3", "mp3"), (b"fLaC", "flac"), (b"OggS", "ogg"), (b"\x1a\x45\xdf\xa3", "webm"))


def _audio_name(head: bytes) -> str:
    """``audio.<ext>`` for audio bytes given without a name, from the container's signature."""
    for magic, ext in _AUDIO_MAGIC:
        if head.startswith(magic):
            return f"audio.{ext}"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio.wav"
    if head[4:8] == b"ftyp":
        return "audio.m4a"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio.mp3"
    return "audio"


def _applied(options: CallOptions, request: HTTPRequest) -> HTTPRequest:
    """The caller's per-call options (extra_headers / extra_query / extra_body) folded into ``request``."""
    if request.upload is not None and options.extra_body:
        raise errors.ConfigurationError("extra_body needs a JSON request body; this call uploads a file")
    options.apply(request)
    return request


def _each(options: CallOptions, flow: Flow[_R]) -> Flow[_R]:
    """``flow`` with the per-call options on each request (extra_body only on its JSON requests)."""
    body_less = CallOptions(options.timeout, options.extra_headers, options.extra_query, None)
    answer = None
    try:
        while True:
            request = next(flow) if answer is None else flow.send(answer)
            (options if isinstance(request.json, dict) else body_less).apply(request)
            answer = yield request
    except StopIteration as stop:
        result: _R = stop.value
        return result
