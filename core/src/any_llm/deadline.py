"""Enforcing a call's total deadline on the wire (see :class:`any_llm.retry.RetryPolicy`).

httpx's timeouts bound each read; a deadline bounds the whole call. The transport shortens every
request's timeouts to what is left (:func:`cap_timeouts`) and wraps the response body
(:func:`guard_body`) so that reading it, whole or as a stream, raises ``APITimeoutError`` once the
deadline has passed. Async reads are each bounded by what is left, so the cut is exact; a sync read
is checked between pieces and waits at most what was left when the request was sent.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Iterator

import httpx

from any_llm import errors

__all__ = ["cap_timeouts", "deadline_error", "guard_body"]


def deadline_error(provider: str | None, budget: float | None, during: str = "") -> errors.APITimeoutError:
    where = f" {during}" if during else ""
    total = f"of {budget:g} s " if budget is not None else ""
    return errors.APITimeoutError(
        f"the call's deadline {total}ran out{where}. Raise RetryPolicy(deadline=...) if the provider needs longer.",
        provider=provider,
    )


def cap_timeouts(request: httpx.Request, deadline: float, budget: float | None, provider: str | None) -> None:
    """Shorten the request's connect/read/write/pool timeouts to what is left of the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise deadline_error(provider, budget)
    timeouts = dict(request.extensions.get("timeout") or {})
    for key in ("connect", "read", "write", "pool"):
        value = timeouts.get(key)
        timeouts[key] = left if value is None else min(value, left)
    request.extensions["timeout"] = timeouts


def guard_body(response: httpx.Response, deadline: float, budget: float | None, provider: str | None) -> None:
    """Make reading ``response``'s body raise APITimeoutError past the deadline."""
    inner = response.stream
    if isinstance(inner, httpx.AsyncByteStream):
        response.stream = _AsyncDeadlineStream(inner, deadline, budget, provider)
    elif isinstance(inner, httpx.SyncByteStream):
        response.stream = _DeadlineStream(inner, deadline, budget, provider)


class _DeadlineStream(httpx.SyncByteStream):
    __slots__ = ("_budget", "_deadline", "_inner", "_provider")

    def __init__(self, inner: httpx.SyncByteStream, deadline: float, budget: float | None, provider: str | None):
        self._inner = inner
        self._deadline = deadline
        self._budget = budget
        self._provider = provider

    def __iter__(self) -> Iterator[bytes]:
        deadline = self._deadline
        for piece in self._inner:
            if time.monotonic() > deadline:
                raise deadline_error(self._provider, self._budget, "while reading the response")
            yield piece

    def close(self) -> None:
        self._inner.close()


class _AsyncDeadlineStream(httpx.AsyncByteStream):
    __slots__ = ("_budget", "_deadline", "_inner", "_provider")

    def __init__(self, inner: httpx.AsyncByteStream, deadline: float, budget: float | None, provider: str | None):
        self._inner = inner
        self._deadline = deadline
        self._budget = budget
        self._provider = provider

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import asyncio

        pieces = self._inner.__aiter__()
        while True:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise deadline_error(self._provider, self._budget, "while reading the response")
            try:
                if sys.version_info >= (3, 11):
                    async with asyncio.timeout(left):
                        piece = await pieces.__anext__()
                else:  # pragma: no cover - Python 3.10
                    piece = await asyncio.wait_for(pieces.__anext__(), left)
            except StopAsyncIteration:
                return
            except (TimeoutError, asyncio.TimeoutError):
                raise deadline_error(self._provider, self._budget, "while reading the response") from None
            yield piece

    async def aclose(self) -> None:
        await self._inner.aclose()
