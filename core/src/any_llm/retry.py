"""How hard one call tries: :class:`RetryPolicy` (retries, backoff, an overall deadline).

The transport asks this module two things at the start of every send: how many retries it may
make and by when everything must be over. A client's own policy answers by default; a caller
higher up (the :class:`~any_llm.router.Router`) can narrow both for the calls it makes through
:func:`call_scope`, a context variable, so no signature between them has to change and threads
and asyncio tasks each keep their own scope.

A deadline is a total budget in seconds for one call: every retry, every fallback and, for a
stream, every chunk until the last. The transport caps each request's timeouts to what is left
and wraps the response body so that reading past the deadline raises ``APITimeoutError``; this is
what cuts off a server that drips bytes forever, each gap shorter than the read timeout.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass

from any_llm import errors

__all__ = ["RetryPolicy", "call_scope", "current_deadline"]


@dataclass(frozen=True)
class RetryPolicy:
    """Retries with capped exponential backoff, and an optional total deadline.

    Args:
        max_retries: Retries after the first attempt (connection errors, timeouts, 408, 409, 429, 5xx).
        initial_delay: Seconds before the first retry; doubled for each next one.
        max_delay: The cap on one backoff delay (a server's ``Retry-After`` is honoured up to 60 s).
        jitter: Shorten each delay by up to 25% at random, so many clients do not retry in step.
        deadline: Total seconds for one call across retries, fallbacks and the whole stream; ``None``
            means only the per-read timeouts apply. Past it, the call raises ``APITimeoutError``.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: bool = True
    deadline: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise errors.ConfigurationError(
                f"RetryPolicy.max_retries must be an integer >= 0, got {self.max_retries!r}"
            )
        for name in ("initial_delay", "max_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise errors.ConfigurationError(f"RetryPolicy.{name} must be a number of seconds >= 0, got {value!r}")
        if self.deadline is not None and (
            isinstance(self.deadline, bool) or not isinstance(self.deadline, (int, float)) or self.deadline <= 0
        ):
            raise errors.ConfigurationError(
                f"RetryPolicy.deadline must be a positive number of seconds or None, got {self.deadline!r}"
            )

    def backoff(self, attempt: int) -> float:
        """The delay before retry number ``attempt + 1``: ``initial_delay * 2**attempt``, capped, jittered."""
        delay = min(self.initial_delay * 2.0**attempt, self.max_delay)
        return delay * (1 - 0.25 * random.random()) if self.jitter else delay


@dataclass(frozen=True)
class _Scope:
    deadline: float | None
    """Absolute ``time.monotonic()`` by which the call must be over."""
    budget: float | None
    """The deadline as the caller gave it, in seconds (for messages)."""
    policy: RetryPolicy | None
    """Replaces the client's retry policy for sends made inside the scope."""


_scope: ContextVar[_Scope | None] = ContextVar("any_llm_call_scope", default=None)


def current_deadline() -> float | None:
    """The absolute ``time.monotonic()`` deadline of the enclosing :func:`call_scope`, if any."""
    scope = _scope.get()
    return scope.deadline if scope is not None else None


@contextlib.contextmanager
def call_scope(
    deadline: float | None = None, budget: float | None = None, policy: RetryPolicy | None = None
) -> Iterator[None]:
    """Narrow the sends made inside: an absolute deadline (only ever earlier) and/or another retry policy."""
    outer = _scope.get()
    if outer is not None and outer.deadline is not None and (deadline is None or outer.deadline < deadline):
        deadline, budget = outer.deadline, outer.budget
    token = _scope.set(_Scope(deadline, budget, policy))
    try:
        yield
    finally:
        _scope.reset(token)


def enter_scope(deadline: float | None, budget: float | None, policy: RetryPolicy | None) -> Token[_Scope | None]:
    """:func:`call_scope` without the context manager (for hot paths); undo with :func:`exit_scope`.

    The caller has already folded any outer deadline into ``deadline``."""
    return _scope.set(_Scope(deadline, budget, policy))


def exit_scope(token: Token[_Scope | None]) -> None:
    _scope.reset(token)


def limits(policy: RetryPolicy | None) -> tuple[float | None, float | None, RetryPolicy | None]:
    """(absolute deadline, budget in seconds, the retry policy in force) for a send starting now."""
    scope = _scope.get()
    deadline = budget = None
    if scope is not None and scope.policy is not None:
        policy = scope.policy
    if policy is not None and policy.deadline is not None:
        budget = policy.deadline
        deadline = time.monotonic() + budget
    if scope is not None and scope.deadline is not None and (deadline is None or scope.deadline < deadline):
        deadline, budget = scope.deadline, scope.budget
    return deadline, budget, policy
