"""How fast a bulk job may go: adaptive concurrency (AIMD), request/token pacing, provider hints.

One :class:`Limiter` is shared by every row of a job. A row takes a :class:`Lease` before it sends
and returns it with what happened, so the limiter learns from every answer:

- **AIMD concurrency.** The job starts at ``concurrency`` in flight. A 429 (or a 503/529 overload)
  halves the limit, at most once per round trip: a 429 from a request sent before the last cut is
  the same congestion, already answered. Each success adds ``1/limit``, about +1 per round trip,
  up to ``concurrency`` again. TCP's congestion control, which is what a shared rate limit wants.
- **Retry-After** pauses every new send until the server's time is up, not just the row that got it.
- **x-ratelimit-remaining-requests / -tokens** (OpenAI, Groq, Mistral, Together... send them on every
  answer): when what is left no longer covers what is in flight, new sends wait for the
  ``x-ratelimit-reset-*`` time. Headers arrive through :class:`RateSignals`, a seam that does not
  care whether they came from a raw response or from an error.
- **rpm / tpm** are never exceeded: sends are spaced ``60/rpm`` seconds apart, and tokens
  (estimated from the request before sending, corrected by the usage the answer reports) are
  metered at ``tpm/60`` per second (GCRA: one "theoretical arrival time" per meter, no timers).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Lease", "Limiter", "Pacer", "RateSignals", "parse_reset"]

DECREASE = 0.5
"""Multiplicative decrease on an overload signal."""
OVERLOAD_STATUSES = frozenset({429, 503, 529})

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_reset(value: str | None) -> float | None:
    """Seconds from an ``x-ratelimit-reset-*`` value: ``"1s"``, ``"6m0s"``, ``"20ms"``, or a plain number."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts:
        return None
    return sum(float(n) * _UNITS[unit] for n, unit in parts)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class RateSignals:
    """What a provider told us about its limits, from one answer's headers (all optional)."""

    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests: float | None = None
    reset_tokens: float | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str] | None) -> RateSignals | None:
        if not headers:
            return None
        rr = _int(headers.get("x-ratelimit-remaining-requests"))
        rt = _int(headers.get("x-ratelimit-remaining-tokens"))
        if rr is None and rt is None:
            return None
        return cls(
            rr,
            rt,
            parse_reset(headers.get("x-ratelimit-reset-requests")),
            parse_reset(headers.get("x-ratelimit-reset-tokens")),
        )


class Pacer:
    """A GCRA meter: ``reserve(cost)`` says how long to wait so that ``per_second`` is never exceeded."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._tat = 0.0  # theoretical arrival time of the next unit

    def reserve(self, cost: float) -> float:
        now = self._clock()
        start = max(self._tat, now)
        self._tat = start + cost * self.interval
        return start - now

    def adjust(self, delta: float) -> None:
        """Charge (or refund) ``delta`` units after the fact, when the real cost is known."""
        self._tat += delta * self.interval


@dataclass
class Lease:
    """One send's claim on the limiter: the round it belongs to and the tokens it was charged."""

    generation: int
    tokens: int


class Limiter:
    """Shared by all rows of a job (one event loop): concurrency slots, cooldowns, rpm/tpm meters."""

    def __init__(
        self,
        concurrency: int,
        rpm: float | None = None,
        tpm: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max = concurrency
        self.limit = float(concurrency)
        self.in_flight = 0
        self.decreases = 0
        self.generation = 0
        self.cooldown_until = 0.0
        self._clock = clock
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.rpm = Pacer(rpm / 60.0, clock) if rpm else None
        self.tpm = Pacer(tpm / 60.0, clock) if tpm else None
        self._avg_tokens = 0.0

    # -- slots ----------------------------------------------------------------------------------

    def _room(self) -> bool:
        return self.in_flight < max(1, int(self.limit))

    def _wake(self) -> None:
        while self._waiters and self._room():
            fut = self._waiters.popleft()
            if not fut.done():
                self.in_flight += 1
                fut.set_result(None)

    async def _slot(self, first: bool) -> None:
        if not self._waiters and self._room():
            self.in_flight += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if first:
            self._waiters.appendleft(fut)
        else:
            self._waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.in_flight -= 1  # granted, then cancelled before use: give it back
                self._wake()
            else:
                try:
                    self._waiters.remove(fut)
                except ValueError:
                    pass
            raise

    async def _cooldown(self) -> None:
        # a deadline that other rows may push further while we sleep, so re-read it after each nap
        while (wait := self.cooldown_until - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def acquire(self, tokens: int, retry: bool = False) -> Lease:
        """Wait for a slot (retries go first), any cooldown, then the rpm/tpm meters."""
        await self._slot(first=retry)
        try:
            await self._cooldown()
            wait = 0.0
            if self.rpm is not None:
                wait = self.rpm.reserve(1)
            if self.tpm is not None:
                wait = max(wait, self.tpm.reserve(tokens))
            if wait > 0:
                await asyncio.sleep(wait)
                await self._cooldown()
        except BaseException:
            self.in_flight -= 1
            self._wake()
            raise
        return Lease(self.generation, tokens)

    def _release(self) -> None:
        self.in_flight -= 1
        self._wake()

    # -- outcomes -------------------------------------------------------------------------------

    def succeeded(self, lease: Lease, used_tokens: int | None, signals: RateSignals | None) -> None:
        self._release()
        if self.limit < self.max:
            self.limit = min(float(self.max), self.limit + 1.0 / self.limit)
            self._wake()
        if used_tokens is not None:
            if self.tpm is not None:
                self.tpm.adjust(used_tokens - lease.tokens)
            self._avg_tokens = used_tokens if not self._avg_tokens else 0.9 * self._avg_tokens + 0.1 * used_tokens
        if signals is not None:
            self.observe(signals)

    def failed(self, lease: Lease, status: int | None, retry_after: float | None) -> None:
        """A send that did not succeed; ``status`` 429/503/529 counts as overload, others only free the slot."""
        self._release()
        if retry_after is not None and retry_after > 0:
            self.pause(retry_after)
        if status in OVERLOAD_STATUSES and lease.generation == self.generation:
            self.limit = max(1.0, self.limit * DECREASE)
            self.generation += 1
            self.decreases += 1

    def pause(self, seconds: float) -> None:
        self.cooldown_until = max(self.cooldown_until, self._clock() + seconds)

    def observe(self, signals: RateSignals) -> None:
        """Wait for the window's reset when what is left does not cover what is already in flight."""
        rr = signals.remaining_requests
        if rr is not None and rr <= self.in_flight:
            self.pause(signals.reset_requests if signals.reset_requests is not None else 1.0)
        rt = signals.remaining_tokens
        if rt is not None and rt <= self._avg_tokens * (self.in_flight + 1):
            self.pause(signals.reset_tokens if signals.reset_tokens is not None else 1.0)
