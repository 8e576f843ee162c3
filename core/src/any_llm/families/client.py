"""The family methods of :class:`~any_llm.AnyLLM` (mixed into it): check → build → send → parse.

Like completion, each operation is a pure "prepare" step, ``_<method>_call`` (capability flag first,
then arguments, then the provider's build function), which returns a :class:`~any_llm.calls.Call`; the
client's ``_run`` / ``_arun`` send it and parse the answer. So the sync and async twins differ only in
that line, and every family gets call hooks, per-call options and ``with_raw_response`` from the one flow.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TypeVar

from any_llm import errors
from any_llm.calls import Call, CallOptions
from any_llm.families.flow import FlowRun

if TYPE_CHECKING:
    import httpx

    from any_llm.downloads import AsyncBinaryStream, BinaryStream
    from any_llm.families.flow import Flow
    from any_llm.opened import Opener
    from any_llm.provider import HTTPRequest, Provider
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
    """Rerank, moderation, images, speech, transcription, files and batch jobs for one provider configuration."""

    provider: Provider

    if TYPE_CHECKING:  # AnyLLM's drivers

        def _run(self, call: Call, raw: bool = False) -> Any: ...

        async def _arun(self, call: Call, raw: bool = False) -> Any: ...

    def _call_parse(self, parse: Callable[..., _R], response: httpx.Response, *args: Any) -> _R:
        """A provider's parse of ``response``: whatever it raises reaches the caller typed (as for completion)."""
        from any_llm.wire import call_plugin

        body = response.content
        return call_plugin(self.provider.name, "a response", body, response.status_code, parse, body, *args)

    def _parser(self, parse: Callable[..., Any], *args: Any) -> Callable[[httpx.Response], Any]:
        return lambda response: self._call_parse(parse, response, *args)

    def _family_call(
        self,
        api: str,
        options: CallOptions,
        request: HTTPRequest,
        finish: Callable[[httpx.Response], Any],
        model: str = "",
        content: Any = None,
        settings: dict[str, Any] | None = None,
        open: Opener | None = None,
    ) -> Call:
        """The call of family method ``api``, with the caller's per-call options folded into its request."""
        from any_llm.callhooks import OPERATIONS

        return Call(
            _applied(options, request),
            options.timeout,
            finish,
            operation=OPERATIONS[api],
            model=model,
            content=content,
            open=open,
            api=api,
            settings=settings,
        )

    def _flow_call(self, api: str, options: CallOptions, flow: Flow[Any], model: str = "", **settings: Any) -> Call:
        """A multi-request operation as one call (see :class:`~any_llm.families.flow.FlowRun`)."""
        from any_llm.callhooks import OPERATIONS

        run = FlowRun(self.provider, flow, options)
        return Call(
            run.first,
            options.timeout,
            run.finish,
            operation=OPERATIONS[api],
            model=model,
            advance=run.advance,
            api=api,
            settings=settings,
        )

    # -- rerank ---------------------------------------------------------------------------------

    def _rerank_call(self, model: str, query: str, documents: Any, kwargs: dict[str, Any]) -> Call:
        from any_llm.families.params import RerankParams

        _require(self.provider, "rerank")
        if not isinstance(documents, list) or not documents or not all(isinstance(d, str) for d in documents):
            raise errors.ConfigurationError("documents must be a non-empty list of strings")
        options = CallOptions.pop_from(kwargs)
        top_n = kwargs.pop("top_n", None)
        max_tokens = kwargs.pop("max_tokens_per_doc", None)
        for name, value in (("top_n", top_n), ("max_tokens_per_doc", max_tokens)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise errors.ConfigurationError(f"{name} must be a positive integer, got {value!r}")
        params = RerankParams(_text(model, "model"), _text(query, "query"), documents, top_n, max_tokens, kwargs)
        return self._family_call(
            "rerank",
            options,
            self.provider.build_rerank_request(params),
            self._parser(self.provider.parse_rerank, params),
            model,
            {"query": query, "documents": documents},
            {"top_n": top_n, "max_tokens_per_doc": max_tokens},
        )

    def rerank(self, model: str, query: str, documents: list[str], **kwargs: Any) -> RerankResponse:
        """Order ``documents`` by relevance to ``query``; takes :func:`any_llm.rerank`'s parameters."""
        result: RerankResponse = self._run(self._rerank_call(model, query, documents, kwargs))
        return result

    async def arerank(self, model: str, query: str, documents: list[str], **kwargs: Any) -> RerankResponse:
        """Async twin of :meth:`rerank`."""
        result: RerankResponse = await self._arun(self._rerank_call(model, query, documents, kwargs))
        return result

    # -- moderation -----------------------------------------------------------------------------

    def _moderation_call(self, model: str, input: Any, kwargs: dict[str, Any]) -> Call:
        from any_llm.families.params import ModerationParams

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
        include_raw = bool(kwargs.pop("include_raw", False))
        params = ModerationParams(_text(model, "model"), input, include_raw, kwargs)
        return self._family_call(
            "moderation",
            options,
            self.provider.build_moderation_request(params),
            self._parser(self.provider.parse_moderation, params),
            model,
            input,
        )

    def moderation(self, model: str, input: Any, **kwargs: Any) -> ModerationResponse:
        """Classify ``input`` (a string, strings, or content parts) for harmful content."""
        result: ModerationResponse = self._run(self._moderation_call(model, input, kwargs))
        return result

    async def amoderation(self, model: str, input: Any, **kwargs: Any) -> ModerationResponse:
        """Async twin of :meth:`moderation`."""
        result: ModerationResponse = await self._arun(self._moderation_call(model, input, kwargs))
        return result

    # -- images ---------------------------------------------------------------------------------

    def _image_generation_call(self, model: str, prompt: str, kwargs: dict[str, Any]) -> Call:
        from any_llm.families.params import ImageGenerationParams

        _require(self.provider, "image_generation")
        options = CallOptions.pop_from(kwargs)
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
        return self._family_call(
            "image_generation",
            options,
            self.provider.build_image_generation_request(params),
            self._parser(self.provider.parse_image_generation, params),
            model,
            prompt,
            named,
        )

    def image_generation(self, model: str, prompt: str, **kwargs: Any) -> ImagesResponse:
        """Generate images from ``prompt``; each comes back as a URL or base64 (``response_format``)."""
        result: ImagesResponse = self._run(self._image_generation_call(model, prompt, kwargs))
        return result

    async def aimage_generation(self, model: str, prompt: str, **kwargs: Any) -> ImagesResponse:
        """Async twin of :meth:`image_generation`."""
        result: ImagesResponse = await self._arun(self._image_generation_call(model, prompt, kwargs))
        return result

    # -- speech ---------------------------------------------------------------------------------

    def _speech_call(self, model: str, input: str, voice: str, kwargs: dict[str, Any]) -> Call:
        """The download of the audio (``stream`` and ``output_file`` are the method's, not the request's)."""
        from any_llm.families.params import SpeechParams
        from any_llm.opened import download_opener

        _require(self.provider, "speech")
        options = CallOptions.pop_from(kwargs)
        if kwargs.pop("stream", False) and kwargs.pop("output_file", None) is not None:
            raise errors.ConfigurationError("pass stream=True or output_file=..., not both")
        kwargs.pop("output_file", None)
        named = {k: kwargs.pop(k, None) for k in ("instructions", "response_format", "speed")}
        params = SpeechParams(
            _text(model, "model"), _text(input, "input"), _text(voice, "voice"), **named, extra=kwargs
        )
        request = self.provider.build_speech_request(params)
        request.download = True
        return self._family_call(
            "speech", options, request, _never, model, input, {"voice": voice, **named}, download_opener(self.provider)
        )

    def speech(self, model: str, input: str, voice: str, **kwargs: Any) -> bytes | int | BinaryStream:
        """Speak ``input``: the audio as bytes, or streamed (``stream=True`` gives a :class:`BinaryStream`,
        ``output_file=`` a path or binary file to write to, returning the bytes written)."""
        stream, output = bool(kwargs.get("stream")), kwargs.get("output_file")
        audio: BinaryStream = self._run(self._speech_call(model, input, voice, kwargs))
        if stream:
            return audio
        return audio.read() if output is None else audio.write_to(output)

    async def aspeech(self, model: str, input: str, voice: str, **kwargs: Any) -> bytes | int | AsyncBinaryStream:
        """Async twin of :meth:`speech` (``stream=True`` gives an :class:`AsyncBinaryStream`)."""
        stream, output = bool(kwargs.get("stream")), kwargs.get("output_file")
        audio: AsyncBinaryStream = await self._arun(self._speech_call(model, input, voice, kwargs))
        if stream:
            return audio
        return await audio.read() if output is None else await audio.write_to(output)

    # -- transcription --------------------------------------------------------------------------

    def _transcription_call(self, model: str, file: Any, kwargs: dict[str, Any]) -> Call:
        from any_llm.families.params import TranscriptionParams
        from any_llm.uploads import file_part

        _require(self.provider, "transcription")
        options = CallOptions.pop_from(kwargs)
        filename = kwargs.pop("filename", None)
        if filename is None and isinstance(file, (bytes, bytearray)):
            filename = _audio_name(bytes(file[:12]))  # services decide the format by the name's extension
        part = file_part(file, filename, kwargs.pop("mime_type", None), what="file")
        named = {
            k: kwargs.pop(k, None)
            for k in ("language", "prompt", "response_format", "temperature", "timestamp_granularities")
        }
        params = TranscriptionParams(_text(model, "model"), part, **named, extra=kwargs)
        parse = self.provider.parse_transcription

        def finish(response: httpx.Response) -> Transcription:
            return self._call_parse(parse, response, response.headers, params)

        request = self.provider.build_transcription_request(params)
        return self._family_call("transcription", options, request, finish, model, None, named)

    def transcription(self, model: str, file: Any, **kwargs: Any) -> Transcription:
        """Transcribe audio from a path, bytes or a binary file; the file is streamed, not read whole."""
        result: Transcription = self._run(self._transcription_call(model, file, kwargs))
        return result

    async def atranscription(self, model: str, file: Any, **kwargs: Any) -> Transcription:
        """Async twin of :meth:`transcription`."""
        result: Transcription = await self._arun(self._transcription_call(model, file, kwargs))
        return result

    # -- files (what batch jobs need) ---------------------------------------------------------------

    def _upload_file_call(self, file: Any, kwargs: dict[str, Any]) -> Call:
        from any_llm.uploads import file_part

        _require(self.provider, "batch")
        options = CallOptions.pop_from(kwargs)
        purpose = _text(kwargs.pop("purpose", "batch"), "purpose")
        part = file_part(file, kwargs.pop("filename", None), kwargs.pop("mime_type", None), what="file")
        request = self.provider.build_upload_file_request(part, purpose, kwargs)
        return self._family_call(
            "upload_file", options, request, self._parser(self.provider.parse_file), settings={"purpose": purpose}
        )

    def _file_id_call(self, api: str, file_id: Any, kwargs: dict[str, Any]) -> Call:
        """retrieve_file, delete_file, file_content: one request about ``file_id``."""
        from any_llm.opened import download_opener

        _require(self.provider, "batch")
        options = CallOptions.pop_from(kwargs)
        file_id = _text(file_id, "file_id")
        provider = self.provider
        if api == "file_content":
            request = provider.build_file_content_request(file_id, kwargs)
            request.download = True
            return self._family_call(api, options, request, _never, open=download_opener(provider))
        if api == "delete_file":
            request = provider.build_file_request("DELETE", file_id, kwargs)
            return self._family_call(api, options, request, lambda r: _deleted(r.content, provider.name))
        request = provider.build_file_request("GET", file_id, kwargs)
        return self._family_call(api, options, request, self._parser(provider.parse_file))

    def _retrieve_file_call(self, file_id: str, kwargs: dict[str, Any]) -> Call:
        return self._file_id_call("retrieve_file", file_id, kwargs)

    def _delete_file_call(self, file_id: str, kwargs: dict[str, Any]) -> Call:
        return self._file_id_call("delete_file", file_id, kwargs)

    def _file_content_call(self, file_id: str, kwargs: dict[str, Any]) -> Call:
        return self._file_id_call("file_content", file_id, kwargs)

    def _list_files_call(self, purpose: str | None = None, limit: int | None = None, *, kwargs: dict[str, Any]) -> Call:
        _require(self.provider, "batch")
        _check_limit(limit)
        options = CallOptions.pop_from(kwargs)
        flow = self.provider.list_files_flow(purpose, limit, kwargs)
        return self._flow_call("list_files", options, flow, purpose=purpose, limit=limit)

    def upload_file(self, file: Any, **kwargs: Any) -> FileObject:
        """Upload a path, bytes or binary file (streamed, ``purpose="batch"`` unless given)."""
        result: FileObject = self._run(self._upload_file_call(file, kwargs))
        return result

    async def aupload_file(self, file: Any, **kwargs: Any) -> FileObject:
        """Async twin of :meth:`upload_file`."""
        result: FileObject = await self._arun(self._upload_file_call(file, kwargs))
        return result

    def retrieve_file(self, file_id: str, **kwargs: Any) -> FileObject:
        """The file object ``file_id`` (name, size, purpose, status)."""
        result: FileObject = self._run(self._retrieve_file_call(file_id, kwargs))
        return result

    async def aretrieve_file(self, file_id: str, **kwargs: Any) -> FileObject:
        """Async twin of :meth:`retrieve_file`."""
        result: FileObject = await self._arun(self._retrieve_file_call(file_id, kwargs))
        return result

    def delete_file(self, file_id: str, **kwargs: Any) -> bool:
        """Delete ``file_id``; True when the provider says it is gone."""
        result: bool = self._run(self._delete_file_call(file_id, kwargs))
        return result

    async def adelete_file(self, file_id: str, **kwargs: Any) -> bool:
        """Async twin of :meth:`delete_file`."""
        result: bool = await self._arun(self._delete_file_call(file_id, kwargs))
        return result

    def list_files(self, purpose: str | None = None, limit: int | None = None, **kwargs: Any) -> list[FileObject]:
        """Uploaded files (of ``purpose``), following the provider's pages to the end (or up to ``limit``)."""
        result: list[FileObject] = self._run(self._list_files_call(purpose, limit, kwargs=kwargs))
        return result

    async def alist_files(
        self, purpose: str | None = None, limit: int | None = None, **kwargs: Any
    ) -> list[FileObject]:
        """Async twin of :meth:`list_files`."""
        result: list[FileObject] = await self._arun(self._list_files_call(purpose, limit, kwargs=kwargs))
        return result

    def file_content(self, file_id: str, **kwargs: Any) -> BinaryStream:
        """The file's bytes as a stream (iterate it, ``read()`` it, or ``write_to(path)``), never buffered whole."""
        result: BinaryStream = self._run(self._file_content_call(file_id, kwargs))
        return result

    async def afile_content(self, file_id: str, **kwargs: Any) -> AsyncBinaryStream:
        """Async twin of :meth:`file_content`."""
        result: AsyncBinaryStream = await self._arun(self._file_content_call(file_id, kwargs))
        return result

    # -- batch ----------------------------------------------------------------------------------

    def _create_batch_call(self, input_file_path: Any, endpoint: str, kwargs: dict[str, Any]) -> Call:
        from any_llm.families.params import BatchParams

        _require(self.provider, "batch")
        if not isinstance(input_file_path, (str, os.PathLike)) or not os.path.isfile(input_file_path):
            raise errors.ConfigurationError(
                f"input_file_path must be the path of an existing JSONL file, got {input_file_path!r}"
            )
        options = CallOptions.pop_from(kwargs)
        window = kwargs.pop("completion_window", "24h")
        metadata = kwargs.pop("metadata", None)
        params = BatchParams(os.fspath(input_file_path), _text(endpoint, "endpoint"), window, metadata, kwargs)
        flow = self.provider.create_batch_flow(params)
        return self._flow_call("create_batch", options, flow, endpoint=endpoint, completion_window=window)

    def _batch_id_call(self, api: str, batch_id: Any, kwargs: dict[str, Any]) -> Call:
        """retrieve_batch, cancel_batch, retrieve_batch_results: one flow about ``batch_id``."""
        _require(self.provider, "batch")
        options = CallOptions.pop_from(kwargs)
        batch_id = _text(batch_id, "batch_id")
        flows = {
            "retrieve_batch": self.provider.retrieve_batch_flow,
            "cancel_batch": self.provider.cancel_batch_flow,
            "retrieve_batch_results": self.provider.batch_results_flow,
        }
        return self._flow_call(api, options, flows[api](batch_id, kwargs), batch_id=batch_id)

    def _retrieve_batch_call(self, batch_id: str, kwargs: dict[str, Any]) -> Call:
        return self._batch_id_call("retrieve_batch", batch_id, kwargs)

    def _cancel_batch_call(self, batch_id: str, kwargs: dict[str, Any]) -> Call:
        return self._batch_id_call("cancel_batch", batch_id, kwargs)

    def _retrieve_batch_results_call(self, batch_id: str, kwargs: dict[str, Any]) -> Call:
        return self._batch_id_call("retrieve_batch_results", batch_id, kwargs)

    def _list_batches_call(self, after: str | None = None, limit: int | None = None, *, kwargs: dict[str, Any]) -> Call:
        _require(self.provider, "batch")
        _check_limit(limit)
        options = CallOptions.pop_from(kwargs)
        flow = self.provider.list_batches_flow(after, limit, kwargs)
        return self._flow_call("list_batches", options, flow, after=after, limit=limit)

    def create_batch(self, input_file_path: str, endpoint: str, **kwargs: Any) -> Batch:
        """Upload an OpenAI batch JSONL file (streamed) and start a batch job for ``endpoint``."""
        result: Batch = self._run(self._create_batch_call(input_file_path, endpoint, kwargs))
        return result

    async def acreate_batch(self, input_file_path: str, endpoint: str, **kwargs: Any) -> Batch:
        """Async twin of :meth:`create_batch`."""
        result: Batch = await self._arun(self._create_batch_call(input_file_path, endpoint, kwargs))
        return result

    def retrieve_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        """The batch job ``batch_id``, with its status and request counts."""
        result: Batch = self._run(self._retrieve_batch_call(batch_id, kwargs))
        return result

    async def aretrieve_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        """Async twin of :meth:`retrieve_batch`."""
        result: Batch = await self._arun(self._retrieve_batch_call(batch_id, kwargs))
        return result

    def cancel_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        """Ask the provider to cancel ``batch_id``; returns the batch (usually ``cancelling``)."""
        result: Batch = self._run(self._cancel_batch_call(batch_id, kwargs))
        return result

    async def acancel_batch(self, batch_id: str, **kwargs: Any) -> Batch:
        """Async twin of :meth:`cancel_batch`."""
        result: Batch = await self._arun(self._cancel_batch_call(batch_id, kwargs))
        return result

    def list_batches(self, after: str | None = None, limit: int | None = None, **kwargs: Any) -> list[Batch]:
        """Batches newest first, following the provider's pages to the end (or up to ``limit``)."""
        result: list[Batch] = self._run(self._list_batches_call(after, limit, kwargs=kwargs))
        return result

    async def alist_batches(self, after: str | None = None, limit: int | None = None, **kwargs: Any) -> list[Batch]:
        """Async twin of :meth:`list_batches`."""
        result: list[Batch] = await self._arun(self._list_batches_call(after, limit, kwargs=kwargs))
        return result

    def retrieve_batch_results(self, batch_id: str, **kwargs: Any) -> BatchResult:
        """The per-request results of a finished batch; :class:`~any_llm.errors.BatchNotCompleteError` before."""
        result: BatchResult = self._run(self._retrieve_batch_results_call(batch_id, kwargs))
        return result

    async def aretrieve_batch_results(self, batch_id: str, **kwargs: Any) -> BatchResult:
        """Async twin of :meth:`retrieve_batch_results`."""
        result: BatchResult = await self._arun(self._retrieve_batch_results_call(batch_id, kwargs))
        return result


def _never(response: httpx.Response) -> Any:
    """The ``finish`` of a call whose body stays open (its ``open`` builds the result instead)."""
    raise AssertionError("an opened call is never finished")


def _check_limit(limit: Any) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise errors.ConfigurationError(f"limit must be a positive integer, got {limit!r}")


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
