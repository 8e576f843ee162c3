"""Stream and AsyncStream subclasses that report chunks, the end, an early close or an error to call hooks.

Kept apart from :mod:`any_llm.callhooks` so the check on the hot path does not import the streaming module.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from any_llm.callhooks import CallInfo, fail, on_chunk, on_end
from any_llm.streaming import AsyncStream, Stream

if TYPE_CHECKING:
    import httpx

    from any_llm.types.completion import ChatCompletionChunk

__all__ = ["ObservedAsyncStream", "ObservedStream"]


class ObservedStream(Stream):
    """A :class:`~any_llm.streaming.Stream` that reports its chunks, end, close or error to call hooks."""

    def __init__(self, response: httpx.Response, pipeline: Any, call: CallInfo) -> None:
        super().__init__(response, pipeline)
        self.call = call
        self._inside = False
        self._body_done = False

    def __next__(self) -> ChatCompletionChunk:
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
        on_chunk(self.call, chunk)
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

    def __init__(self, response: httpx.Response, pipeline: Any, call: CallInfo) -> None:
        super().__init__(response, pipeline)
        self.call = call
        self._inside = False
        self._body_done = False

    async def __anext__(self) -> ChatCompletionChunk:
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
        on_chunk(self.call, chunk)
        return chunk

    async def aclose(self) -> None:
        await super().aclose()
        if self._inside:
            self._body_done = True
        else:
            on_end(self.call, self._body_done and not self._pipeline.pending)

    def __del__(self) -> None:
        if not self._closed and not sys.is_finalizing():  # at interpreter exit, hooks could not import
            try:
                on_end(self.call, False)
            except Exception:  # never raise from a finalizer
                pass
        super().__del__()
