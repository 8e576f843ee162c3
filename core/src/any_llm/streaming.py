"""Incremental SSE / NDJSON decoders and the Stream / AsyncStream iterators.

Decoders are fed raw bytes as they arrive and return complete events; they never do I/O.
:class:`Stream` and :class:`AsyncStream` share every step but the read call: bytes → events →
the provider's :class:`~any_llm.provider.StreamParser` → chunks. Both are context managers and
release the connection when exhausted, closed, broken out of, or garbage-collected.
"""

from __future__ import annotations

import contextlib
import sys
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.provider import StreamEvent

if TYPE_CHECKING:
    import asyncio

    import httpx

    from any_llm.eventstream import EventStreamDecoder
    from any_llm.provider import StreamParser
    from any_llm.types.completion import ChatCompletionChunk

__all__ = ["AsyncStream", "NDJSONDecoder", "SSEDecoder", "Stream", "StreamPipeline"]

MAX_LINE_BYTES = 16 * 1024 * 1024
"""A stream line longer than this is an error, not unbounded memory growth."""


class SSEDecoder:
    """Server-sent events per the WHATWG rules (CR, LF or CRLF line ends; ``event``/``data`` fields).

    ``id`` and ``retry`` are read and ignored: a completion stream is never resumed.
    """

    __slots__ = ("_buf", "_data", "_event", "_more", "_more_len", "provider")

    def __init__(self, provider: str = "") -> None:
        self._buf = b""
        self._more: list[bytes] = []
        """Pieces of a long line that had no line end yet: kept apart so buffering stays linear."""
        self._more_len = 0
        self._data: list[bytes] = []
        self._event: str | None = None
        self.provider = provider

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        # Fast path, the common case of a chunked stream: one whole "data: ...\n\n" (or CRLF) event per
        # read, nothing pending. Same result as the general path below, in about half the time.
        if not self._buf and not self._more and not self._data and self._event is None and chunk[:6] == b"data: ":
            end = len(chunk)
            if chunk[-2:] == b"\n\n":
                if chunk.find(b"\n", 6) == end - 2 and chunk.find(b"\r", 6) == -1:
                    return [StreamEvent(chunk[6:-2])]
            elif chunk[-4:] == b"\r\n\r\n" and chunk.find(b"\r", 6) == end - 4 and chunk.find(b"\n", 6) == end - 3:
                return [StreamEvent(chunk[6:-4])]
        if b"\n" not in chunk and b"\r" not in chunk and not self._buf.endswith(b"\r"):
            self._more.append(chunk)
            self._more_len += len(chunk)
            if len(self._buf) + self._more_len > MAX_LINE_BYTES:
                self._too_long()
            return []
        if self._more:
            chunk = b"".join([self._buf, *self._more, chunk])
            self._buf, self._more, self._more_len = b"", [], 0
        buf = self._buf + chunk if self._buf else chunk
        tail = b""
        if b"\r" in buf:
            if buf.endswith(b"\r"):  # might be half of a CRLF: hold back that one byte only
                buf, tail = buf[:-1], b"\r"
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buf.split(b"\n")
        self._buf = lines.pop() + tail
        if len(self._buf) > MAX_LINE_BYTES:
            self._too_long()
        out: list[StreamEvent] = []
        for line in lines:
            if not line:
                if self._data:
                    out.append(StreamEvent(b"\n".join(self._data), self._event))
                self._data = []
                self._event = None
                continue
            if line[0] == 58:  # b":" comment / keep-alive
                continue
            name, sep, value = line.partition(b":")
            if sep and value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._data.append(value)
            elif name == b"event":
                self._event = value.decode("utf-8", "replace")
        return out

    def flush(self) -> list[StreamEvent]:
        """End of body: a final event without its blank line still counts."""
        rest = self.feed(b"\n\n") if (self._buf or self._more or self._data) else []
        self._buf = b""
        return rest

    def _too_long(self) -> None:
        raise errors.ResponseValidationError(
            f"stream line longer than {MAX_LINE_BYTES} bytes", provider=self.provider or None
        )


class NDJSONDecoder:
    """Newline-delimited JSON (Ollama): one event per non-empty line."""

    __slots__ = ("_buf", "_more", "_more_len", "provider")

    def __init__(self, provider: str = "") -> None:
        self._buf = b""
        self._more: list[bytes] = []
        self._more_len = 0
        self.provider = provider

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if b"\n" not in chunk:  # a long line arriving in pieces: keep them, join once (linear)
            self._more.append(chunk)
            self._more_len += len(chunk)
            if len(self._buf) + self._more_len > MAX_LINE_BYTES:
                raise errors.ResponseValidationError(
                    f"stream line longer than {MAX_LINE_BYTES} bytes", provider=self.provider or None
                )
            return []
        if self._more:
            chunk = b"".join([self._buf, *self._more, chunk])
            self._buf, self._more, self._more_len = b"", [], 0
        buf = self._buf + chunk if self._buf else chunk
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        if len(self._buf) > MAX_LINE_BYTES:
            raise errors.ResponseValidationError(
                f"stream line longer than {MAX_LINE_BYTES} bytes", provider=self.provider or None
            )
        return [StreamEvent(line) for line in lines if line.strip()]

    def flush(self) -> list[StreamEvent]:
        rest = b"".join([self._buf, *self._more])
        self._buf, self._more, self._more_len = b"", [], 0
        return [StreamEvent(rest)] if rest.strip() else []


def make_decoder(fmt: str, provider: str) -> SSEDecoder | NDJSONDecoder | EventStreamDecoder:
    """The decoder for a provider's ``stream_format``; the binary AWS one is imported only when used."""
    if fmt == "aws-eventstream":
        from any_llm.eventstream import EventStreamDecoder

        return EventStreamDecoder(provider)
    return NDJSONDecoder(provider) if fmt == "ndjson" else SSEDecoder(provider)


_DONE = b"[DONE]"
_DRAIN_LIMIT = 64 * 1024
"""Bytes read after a stream's end marker to keep its connection; more than that, and it is closed."""
_closing: set[asyncio.Task[None]] = set()
"""Close tasks of garbage-collected async streams, kept alive until they finish."""


class StreamPipeline:
    """The I/O-free half of a stream: bytes in, chunks out. Shared by Stream and AsyncStream."""

    __slots__ = ("decoder", "head", "parser", "pending", "provider", "seen")

    def __init__(
        self, decoder: SSEDecoder | NDJSONDecoder | EventStreamDecoder, parser: StreamParser, provider: str
    ) -> None:
        self.decoder = decoder
        self.parser = parser
        self.provider = provider
        self.pending: deque[ChatCompletionChunk] = deque()
        self.seen = False
        """Whether any event arrived; a body with none was not a stream at all."""
        self.head = b""

    def push(self, data: bytes) -> None:
        parser = self.parser
        events = self.decoder.feed(data)
        if not self.seen:
            self.seen = bool(events)
            if len(self.head) < 2048:
                self.head += data[:2048]
        event = None
        try:
            for event in events:
                if event.data == _DONE:
                    parser.done = True
                else:
                    self.pending.extend(parser.feed(event))
                if parser.done:
                    self.pending.extend(parser.finish())  # the parser may hold back a last piece
                    return
        except errors.AnyLLMError:
            raise
        except Exception as exc:
            raise self._plugin_error(exc, data if event is None else event.data) from exc

    def _plugin_error(self, exc: Exception, data: bytes) -> errors.ResponseValidationError:
        from any_llm.wire import plugin_error

        return plugin_error(self.provider, exc, "a stream event", data, 200)

    def end(self) -> None:
        try:
            self._end()
        except errors.AnyLLMError:
            raise
        except Exception as exc:
            raise self._plugin_error(exc, self.head) from exc

    def _end(self) -> None:
        parser = self.parser
        if not parser.done:
            rest = self.decoder.flush()
            if not self.seen and not rest and self.head.strip():
                text = self.head.decode("utf-8", "replace")
                raise errors.ResponseValidationError(
                    f"{self.provider} answered a streaming request with a body that is not a stream: {text[:200]!r}",
                    provider=self.provider or None,
                    body=text,
                )
            for event in rest:
                if event.data == _DONE:
                    parser.done = True
                    break
                self.pending.extend(parser.feed(event))
        try:
            self.pending.extend(parser.finish())
        except errors.AnyLLMError as exc:
            if parser.done or parser.may_end() or type(exc) is not errors.AnyLLMError:
                raise  # the provider classified it (llama.cpp's silent failures are a ProviderError, say)
            raise errors.APIConnectionError(  # an unclassified "it ended early" from an older plugin
                f"{self.provider} stream ended before its end marker: {exc.message}", provider=self.provider or None
            ) from exc
        if not parser.done and not parser.may_end():
            raise errors.APIConnectionError(
                f"{self.provider} stream ended before its end marker (the connection was cut or the server failed)",
                provider=self.provider or None,
            )


def _read_error(exc: Exception, provider: str) -> errors.AnyLLMError:
    from any_llm.transport import map_transport_error

    return map_transport_error(exc, provider, during="while reading the stream")


class Stream(Iterator["ChatCompletionChunk"]):
    """Chunks of a streamed completion; also a context manager that releases the connection."""

    def __init__(
        self,
        response: httpx.Response,
        pipeline: StreamPipeline,
    ) -> None:
        self.response = response
        self._pipeline = pipeline
        self._reader = response.iter_raw() if _is_identity(response) else response.iter_bytes()
        self._closed = False

    def __iter__(self) -> Stream:
        return self

    def __next__(self) -> ChatCompletionChunk:
        pipeline = self._pipeline
        pending = pipeline.pending
        while not pending:
            if self._closed:
                raise StopIteration
            if pipeline.parser.done:
                self._drain()
                self.close()
                continue
            try:
                data = next(self._reader)
            except StopIteration:
                try:
                    pipeline.end()
                finally:
                    self.close()
                continue
            except Exception as exc:
                self.close()
                if isinstance(exc, errors.AnyLLMError):
                    raise
                raise _read_error(exc, pipeline.provider) from exc
            try:
                pipeline.push(data)
            except BaseException:
                self.close()
                raise
        return pending.popleft()

    def _drain(self) -> None:
        """Read what little follows the end marker so the connection goes back to the pool."""
        seen = 0
        try:
            for data in self._reader:
                seen += len(data)
                if seen > _DRAIN_LIMIT:
                    return
        except Exception:
            return

    def close(self) -> None:
        """Release the connection (idempotent)."""
        if not self._closed:
            self._closed = True
            self.response.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


class AsyncStream(AsyncIterator["ChatCompletionChunk"]):
    """Async twin of :class:`Stream`: ``async for`` / ``async with``."""

    def __init__(self, response: httpx.Response, pipeline: StreamPipeline) -> None:
        self.response = response
        self._pipeline = pipeline
        self._reader = response.aiter_raw() if _is_identity(response) else response.aiter_bytes()
        self._closed = False

    def __aiter__(self) -> AsyncStream:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        import asyncio  # lazily: sync-only programs never import it

        pipeline = self._pipeline
        pending = pipeline.pending
        while not pending:
            if self._closed:
                raise StopAsyncIteration
            if pipeline.parser.done:
                await self._drain()
                await self.aclose()
                continue
            try:
                data = await self._reader.__anext__()
            except StopAsyncIteration:
                try:
                    pipeline.end()
                finally:
                    await self.aclose()
                continue
            except BaseException as exc:
                await _shielded_close(self)
                if isinstance(exc, (errors.AnyLLMError, asyncio.CancelledError)) or not isinstance(exc, Exception):
                    raise
                raise _read_error(exc, pipeline.provider) from exc
            try:
                pipeline.push(data)
            except BaseException:
                await self.aclose()
                raise
        return pending.popleft()

    async def _drain(self) -> None:
        """Async twin of :meth:`Stream._drain`."""
        seen = 0
        try:
            async for data in self._reader:
                seen += len(data)
                if seen > _DRAIN_LIMIT:
                    return
        except Exception:
            return

    async def aclose(self) -> None:
        """Release the connection (idempotent)."""
        if not self._closed:
            self._closed = True
            await self.response.aclose()

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if self._closed:
            return
        self._closed = True
        # Cannot await here: hand the close to the loop the stream lives on, if it still runs.
        # (No import statement here: __del__ may run while the interpreter shuts down.)
        asyncio = sys.modules.get("asyncio")
        with contextlib.suppress(Exception):
            loop = asyncio.get_running_loop()  # type: ignore[union-attr]
            task = loop.create_task(self.response.aclose())
            _closing.add(task)
            task.add_done_callback(_closing.discard)
            return
        with contextlib.suppress(Exception):
            _close_sync(self.response)


async def _shielded_close(stream: AsyncStream) -> None:
    import asyncio

    with contextlib.suppress(BaseException):
        await asyncio.shield(stream.aclose())


def _close_sync(response: Any) -> None:
    stream = getattr(response, "stream", None)
    closer = getattr(stream, "close", None)
    if callable(closer):
        closer()


def _is_identity(response: httpx.Response) -> bool:
    """Raw bytes skip httpx's decoder when the body is not compressed (the streaming hot path)."""
    if response.is_stream_consumed:  # body already in memory (e.g. an in-memory test transport)
        return False
    enc = response.headers.get("content-encoding")
    return not enc or enc == "identity"
