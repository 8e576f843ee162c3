"""Streams handed out by the router: the first chunk already read (that is where failover ends).

They pass chunks through untouched, note the usage of the last one, and tell the router once,
whatever way the stream ends (exhausted, error, closed, garbage-collected), so in-flight counts
and limits never leak.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from any_llm.router.deployment import Deployment
    from any_llm.types.completion import ChatCompletionChunk

__all__ = ["RoutedAsyncStream", "RoutedStream"]

Done = Callable[[BaseException | None, float | None], None]
"""Called once when the stream ends: (the error it ended with, total tokens seen in its usage)."""
_NOTHING: Any = object()


class _Ending:
    __slots__ = ("_done", "tokens")

    def __init__(self, done: Done) -> None:
        self._done: Done | None = done
        self.tokens: float | None = None

    def see(self, chunk: Any) -> None:
        usage = getattr(chunk, "usage", None)
        total = getattr(usage, "total_tokens", None)
        if isinstance(total, (int, float)):
            self.tokens = float(total)

    def end(self, error: BaseException | None) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(error, self.tokens)


class RoutedStream(Iterator["ChatCompletionChunk"]):
    """A sync stream from a router; ``deployment`` is the one serving it."""

    def __init__(self, inner: Any, first: Any, deployment: Deployment, done: Done) -> None:
        self._inner = inner
        self._first = first
        self.deployment = deployment
        self._ending = _Ending(done)
        if first is _NOTHING:
            self._ending.end(None)
        else:
            self._ending.see(first)

    @property
    def response(self) -> Any:
        return self._inner.response

    def __iter__(self) -> RoutedStream:
        return self

    def __next__(self) -> ChatCompletionChunk:
        first = self._first
        if first is not _NOTHING:
            self._first = _NOTHING
            return first  # type: ignore[no-any-return]
        try:
            chunk = next(self._inner)
        except StopIteration:
            self._ending.end(None)
            raise
        except BaseException as exc:
            self._ending.end(exc)
            raise
        self._ending.see(chunk)
        return chunk  # type: ignore[no-any-return]

    def close(self) -> None:
        self._first = _NOTHING
        try:
            self._inner.close()
        finally:
            self._ending.end(None)

    def __enter__(self) -> RoutedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._ending.end(None)


class RoutedAsyncStream(AsyncIterator["ChatCompletionChunk"]):
    """Async twin of :class:`RoutedStream`."""

    def __init__(self, inner: Any, first: Any, deployment: Deployment, done: Done) -> None:
        self._inner = inner
        self._first = first
        self.deployment = deployment
        self._ending = _Ending(done)
        if first is _NOTHING:
            self._ending.end(None)
        else:
            self._ending.see(first)

    @property
    def response(self) -> Any:
        return self._inner.response

    def __aiter__(self) -> RoutedAsyncStream:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        first = self._first
        if first is not _NOTHING:
            self._first = _NOTHING
            return first  # type: ignore[no-any-return]
        try:
            chunk = await self._inner.__anext__()
        except StopAsyncIteration:
            self._ending.end(None)
            raise
        except BaseException as exc:
            self._ending.end(exc)
            raise
        self._ending.see(chunk)
        return chunk  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        self._first = _NOTHING
        try:
            await self._inner.aclose()
        finally:
            self._ending.end(None)

    async def __aenter__(self) -> RoutedAsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._ending.end(None)


NOTHING = _NOTHING
"""Marks a stream that ended before its first chunk."""
