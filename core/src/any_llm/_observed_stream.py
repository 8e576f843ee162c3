"""What a call hands back with its body still open, in the variants that report to call hooks.

Streams report each chunk (through the call's reader, see :data:`any_llm.callhooks.READERS`), the end, an
early close or an error; downloads (speech audio, file contents) report their end or their cut; a raw
response that is never parsed ends its call when closed or collected. Kept apart from
:mod:`any_llm.callhooks` so the check on the hot path does not import the streaming module.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

from any_llm.callhooks import CallInfo, Reader, fail, on_chunk, on_end
from any_llm.calls import RawResponse
from any_llm.downloads import AsyncBinaryStream, BinaryStream
from any_llm.streaming import AsyncStream, Stream

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ObservedAsyncBinaryStream",
    "ObservedAsyncStream",
    "ObservedBinaryStream",
    "ObservedRawResponse",
    "ObservedStream",
]


class ObservedStream(Stream):
    """A :class:`~any_llm.streaming.Stream` that reports its chunks, end, close or error to call hooks."""

    def __init__(self, response: httpx.Response, pipeline: Any, call: CallInfo, reader: Reader = on_chunk) -> None:
        super().__init__(response, pipeline)
        self.call = call
        self._observe = reader
        self._inside = False
        self._body_done = False

    def __next__(self) -> Any:
        self._inside = True
        try:
            chunk = super().__next__()
        except StopIteration:
            on_end(self.call, True)
            raise
        except BaseException as exc:
            fail(self.call, exc)
            raise
        finally:
            self._inside = False
        self._observe(self.call, chunk)
        return chunk

    def close(self) -> None:
        super().close()
        if sys.is_finalizing():  # collected at interpreter exit: hooks could not even import
            return
        if self._inside:  # closed by __next__ itself: the body ended (or broke; then __next__ reports it)
            self._body_done = True
        else:  # the caller closed it (or it was collected): the stream ends here
            on_end(self.call, self._body_done and not self._pipeline.pending)


class ObservedAsyncStream(AsyncStream):
    """Async twin of :class:`ObservedStream`."""

    def __init__(self, response: httpx.Response, pipeline: Any, call: CallInfo, reader: Reader = on_chunk) -> None:
        super().__init__(response, pipeline)
        self.call = call
        self._observe = reader
        self._inside = False
        self._body_done = False

    async def __anext__(self) -> Any:
        self._inside = True
        try:
            chunk = await super().__anext__()
        except StopAsyncIteration:
            on_end(self.call, True)
            raise
        except BaseException as exc:
            fail(self.call, exc)
            raise
        finally:
            self._inside = False
        self._observe(self.call, chunk)
        return chunk

    async def aclose(self) -> None:
        await super().aclose()
        if self._inside:
            self._body_done = True
        else:
            on_end(self.call, self._body_done and not self._pipeline.pending)

    def __del__(self) -> None:
        _end_collected(self._closed, self.call)
        super().__del__()


def _end_collected(closed: bool, call: CallInfo) -> None:
    if not closed and not sys.is_finalizing():  # at interpreter exit, hooks could not import
        try:
            on_end(call, False)
        except Exception:  # never raise from a finalizer
            pass


def _reported(call: CallInfo, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """``pieces``, reporting their end (ran out, or the caller stopped early) or their cut."""
    try:
        yield from pieces
    except GeneratorExit:
        on_end(call, False)
        raise
    except BaseException as exc:
        fail(call, exc)
        raise
    on_end(call, True)


class ObservedBinaryStream(BinaryStream):
    """A download that reports its end, an early close or its cut to call hooks."""

    def __init__(self, response: httpx.Response, provider: str, call: CallInfo) -> None:
        super().__init__(response, provider)
        self.call = call

    def __iter__(self) -> Iterator[bytes]:
        return _reported(self.call, super().__iter__())

    def close(self) -> None:
        super().close()
        on_end(self.call, False)

    def __del__(self) -> None:
        _end_collected(False, self.call)
        super().__del__()


class ObservedAsyncBinaryStream(AsyncBinaryStream):
    """Async twin of :class:`ObservedBinaryStream`."""

    def __init__(self, response: httpx.Response, provider: str, call: CallInfo) -> None:
        super().__init__(response, provider)
        self.call = call

    async def __aiter__(self) -> AsyncIterator[bytes]:
        call = self.call
        try:
            async for piece in super().__aiter__():
                yield piece
        except GeneratorExit:
            on_end(call, False)
            raise
        except BaseException as exc:
            fail(call, exc)
            raise
        on_end(call, True)

    async def aclose(self) -> None:
        await super().aclose()
        on_end(self.call, False)

    def __del__(self) -> None:
        _end_collected(False, self.call)


class ObservedRawResponse(RawResponse[Any]):
    """A raw response whose body is still open: closing it unparsed (or dropping it) ends the call."""

    __slots__ = ("call",)

    def __init__(self, http_response: httpx.Response, parse: Callable[[], Any], call: CallInfo) -> None:
        super().__init__(http_response, parse)
        self.call = call

    def _unparsed(self) -> None:
        on_end(self.call, False)

    def __del__(self) -> None:
        response = self.http_response
        if self._parsed or response.is_closed or sys.is_finalizing():
            return
        with contextlib.suppress(Exception):  # never raise from a finalizer
            on_end(self.call, False)
        try:
            response.close()
        except RuntimeError:  # an async body: hand its close to the running loop, if any
            with contextlib.suppress(Exception):
                asyncio = sys.modules["asyncio"]
                task = asyncio.get_running_loop().create_task(response.aclose())
                _closing.add(task)
                task.add_done_callback(_closing.discard)
        except Exception:
            pass


_closing: set[Any] = set()
"""Close tasks of collected async raw responses, kept until done (the loop holds tasks only weakly)."""
