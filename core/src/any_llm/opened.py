"""What a call hands back while its body is still open: a stream of chunks or events, or a download.

A :class:`~any_llm.calls.Call` whose body stays open carries an ``open(response, sync, call)`` function
made here: it builds the sync or async class the caller reads, and the variant that reports to call hooks
(:mod:`any_llm._observed_stream`) when ``call`` is given. One function per shape serves every family, so
completion, Responses and Messages streams, speech audio and file contents are observed the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from any_llm.callhooks import CallInfo
    from any_llm.provider import Provider, StreamParser

__all__ = ["Opener", "download_opener", "stream_opener"]

Opener = Callable[["httpx.Response", bool, "CallInfo | None"], Any]


def stream_opener(
    provider: Provider,
    parser: Callable[[], StreamParser],
    events: str | None = None,
    wrap: Callable[[Any, bool], Any] | None = None,
) -> Opener:
    """Open a stream read by ``parser``. ``events`` names the API whose native events the parser yields
    (``"responses"``, ``"messages"``; None: chat-completion chunks); ``wrap(stream, sync)`` dresses it for
    the caller (the event streams of :mod:`any_llm.bridges`)."""

    def open_stream(response: httpx.Response, sync: bool, call: CallInfo | None) -> Any:
        from any_llm.streaming import AsyncStream, Stream, StreamPipeline, make_decoder

        name = provider.name
        pipeline = StreamPipeline(make_decoder(provider.stream_format, name), parser(), name)
        stream: Any
        if call is None:
            stream = Stream(response, pipeline) if sync else AsyncStream(response, pipeline)
        else:
            from any_llm import callhooks
            from any_llm._observed_stream import ObservedAsyncStream, ObservedStream

            reader = callhooks.READERS[events] if events is not None else callhooks.on_chunk
            stream = (ObservedStream if sync else ObservedAsyncStream)(response, pipeline, call, reader)
        return stream if wrap is None else wrap(stream, sync)

    return open_stream


def download_opener(provider: Provider) -> Opener:
    """Open a binary body as a :class:`~any_llm.downloads.BinaryStream` (or its async twin)."""

    def open_download(response: httpx.Response, sync: bool, call: CallInfo | None) -> Any:
        if call is None:
            from any_llm.downloads import AsyncBinaryStream, BinaryStream

            return (BinaryStream if sync else AsyncBinaryStream)(response, provider.name)
        from any_llm._observed_stream import ObservedAsyncBinaryStream, ObservedBinaryStream

        return (ObservedBinaryStream if sync else ObservedAsyncBinaryStream)(response, provider.name, call)

    return open_download
