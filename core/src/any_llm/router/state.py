"""Per-deployment bookkeeping: in-flight count, latency, usage windows, limits and the circuit breaker.

Every method runs under the router's one lock and never blocks or awaits, so the same state is
safe from threads and from any number of event loops at once.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from any_llm import errors

if TYPE_CHECKING:
    from any_llm.client import AnyLLM
    from any_llm.router.deployment import Cooldown, Deployment

__all__ = ["DeploymentState", "Ticket"]

MINUTE = 60.0
LATENCY_ALPHA = 0.2
"""Weight of the newest sample in the moving average of latency."""
PARALLEL_POLL = 0.005
"""Seconds between looks for a free slot when max_parallel is reached (no time is known in advance)."""
BENCH_AT_ONCE = (errors.AuthenticationError, errors.ModelNotFoundError)
"""Failures that will not heal by themselves in seconds: bench without waiting for more."""


class Ticket:
    """One request's claim on a deployment: its usage entry (to correct later) and whether it is the probe."""

    __slots__ = ("probe", "usage")

    def __init__(self, usage: list[float] | None, probe: bool) -> None:
        self.usage = usage
        self.probe = probe


class DeploymentState:
    """A deployment with its client and what the router has seen of it."""

    __slots__ = (
        "benched_until",
        "client",
        "cooldown",
        "deployment",
        "failures",
        "half_open",
        "in_flight",
        "index",
        "latency",
        "model_id",
        "probing",
        "requests",
        "tokens",
        "tokens_sum",
    )

    def __init__(self, deployment: Deployment, client: AnyLLM, model_id: str, cooldown: Cooldown, index: int) -> None:
        self.deployment = deployment
        self.client = client
        self.model_id = model_id
        self.cooldown = cooldown
        self.index = index
        self.in_flight = 0
        self.latency: float | None = None
        self.requests: deque[float] = deque()
        """Start times of the requests of the last minute (kept only with an rpm limit)."""
        self.tokens: deque[list[float]] = deque()
        """[time, tokens] of the last minute's requests (kept for a tpm limit or the usage strategy)."""
        self.tokens_sum = 0.0
        self.failures: deque[float] = deque()
        self.benched_until = 0.0
        self.half_open = False
        self.probing = False

    @property
    def name(self) -> str:
        return self.deployment.name or ""

    # -- health ---------------------------------------------------------------------------------

    def healthy(self, now: float) -> bool:
        """Off the bench, and not half-open with its one probe already out."""
        if self.benched_until > now:
            return False
        return not (self.half_open and self.probing)

    def bench(self, now: float, seconds: float) -> None:
        self.benched_until = max(self.benched_until, now + seconds)
        self.half_open = True
        self.probing = False
        self.failures.clear()

    # -- capacity -------------------------------------------------------------------------------

    def _prune(self, now: float) -> None:
        horizon = now - MINUTE
        requests = self.requests
        while requests and requests[0] <= horizon:
            requests.popleft()
        tokens = self.tokens
        while tokens and tokens[0][0] <= horizon:
            self.tokens_sum -= tokens.popleft()[1]

    def tokens_per_minute(self, now: float) -> float:
        self._prune(now)
        return self.tokens_sum

    def wait_for_capacity(self, now: float, tokens: float) -> float:
        """0 if a request of ``tokens`` may start now, else the seconds until it may."""
        dep = self.deployment
        wait = 0.0
        if dep.max_parallel is not None and self.in_flight >= dep.max_parallel:
            wait = PARALLEL_POLL
        if dep.rpm is not None or dep.tpm is not None:
            self._prune(now)
            if dep.rpm is not None and len(self.requests) >= dep.rpm:
                wait = max(wait, self.requests[-dep.rpm] + MINUTE - now)
            if dep.tpm is not None and self.tokens and self.tokens_sum + tokens > dep.tpm:
                # the oldest entries leave the window first; wait until enough of them have
                excess = self.tokens_sum + tokens - dep.tpm
                freed = 0.0
                for when, used in self.tokens:
                    freed += used
                    if freed >= excess:
                        wait = max(wait, when + MINUTE - now)
                        break
                else:
                    wait = max(wait, self.tokens[-1][0] + MINUTE - now)
        return max(wait, 0.0)

    def acquire(self, now: float, tokens: float, track_tokens: bool) -> Ticket:
        """Count a request as started. Off the bench but half-open, the first one is the probe."""
        self.in_flight += 1
        probe = self.half_open and not self.probing and self.benched_until <= now
        if probe:
            self.probing = True
        if self.deployment.rpm is not None:
            self.requests.append(now)
        entry = None
        if track_tokens:
            entry = [now, tokens]
            self.tokens.append(entry)
            self.tokens_sum += tokens
        return Ticket(entry, probe)

    def release(
        self,
        now: float,
        ticket: Ticket,
        *,
        ok: bool | None,
        latency: float | None = None,
        used_tokens: float | None = None,
        error: BaseException | None = None,
    ) -> None:
        """A request ended: ``ok`` True (success), False (its failure counts), None (no verdict, e.g. cancelled)."""
        self.in_flight -= 1
        entry = ticket.usage
        if entry is not None and used_tokens is not None:
            self.tokens_sum += used_tokens - entry[1]
            entry[1] = used_tokens
        if ok is None:
            if ticket.probe:
                self.probing = False  # no verdict: the next call probes
            return
        if ok:
            if latency is not None:
                self.latency = (
                    latency if self.latency is None else self.latency + LATENCY_ALPHA * (latency - self.latency)
                )
            if self.probing or self.half_open:
                self.half_open = self.probing = False
                self.benched_until = 0.0
                self.failures.clear()
            return
        self._failed(now, error, ticket.probe)

    def _failed(self, now: float, error: BaseException | None, probe: bool) -> None:
        cooldown = self.cooldown
        retry_after = getattr(error, "retry_after", None)
        if probe or isinstance(error, BENCH_AT_ONCE) or isinstance(retry_after, (int, float)):
            self.bench(now, max(cooldown.duration, float(retry_after or 0.0)))
            return
        failures = self.failures
        failures.append(now)
        horizon = now - cooldown.window
        while failures and failures[0] < horizon:
            failures.popleft()
        if len(failures) >= cooldown.allowed_fails:
            self.bench(now, cooldown.duration)

    def snapshot(self) -> dict[str, Any]:
        """What the router knows of this deployment (for logs and tests)."""
        return {
            "name": self.name,
            "in_flight": self.in_flight,
            "latency": self.latency,
            "benched_until": self.benched_until,
            "half_open": self.half_open,
            "recent_failures": len(self.failures),
            "tokens_per_minute": self.tokens_sum,
        }
