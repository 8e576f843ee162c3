"""What a :class:`~any_llm.router.Router` routes over: :class:`Deployment` and :class:`Cooldown`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from any_llm import errors

__all__ = ["Cooldown", "Deployment"]


@dataclass
class Deployment:
    """One model behind one endpoint and key, serving the requests of a ``group``.

    Args:
        group: The name callers use: ``router.completion(model="smart", ...)``.
        model: ``"provider:model"`` (or the bare model with ``provider=``).
        api_key: The key; defaults to the provider's env var. Never shown in reprs or errors.
        api_base: Another endpoint than the provider's default.
        client_args: Client settings as for ``completion(client_args=...)``.
        weight: Share of the traffic under the ``"weighted"`` strategy (relative to the group).
        rpm: Requests per minute this deployment may receive; beyond, calls wait or go elsewhere.
        tpm: Tokens per minute (estimated from the request, corrected from the usage returned).
        max_parallel: Requests in flight at once.
        provider: The provider, when ``model`` does not carry it.
        name: How errors and :func:`~any_llm.router.served_by` name it; defaults to ``group/model``.
    """

    group: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    api_base: str | None = None
    client_args: dict[str, Any] | None = None
    weight: float = 1.0
    rpm: int | None = None
    tpm: int | None = None
    max_parallel: int | None = None
    provider: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        for attr in ("group", "model"):
            value = getattr(self, attr)
            if not isinstance(value, str) or not value:
                raise errors.ConfigurationError(f"Deployment.{attr} must be a non-empty string, got {value!r}")
        if isinstance(self.weight, bool) or not isinstance(self.weight, (int, float)) or self.weight < 0:
            raise errors.ConfigurationError(f"Deployment.weight must be a number >= 0, got {self.weight!r}")
        for attr in ("rpm", "tpm", "max_parallel"):
            value = getattr(self, attr)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise errors.ConfigurationError(f"Deployment.{attr} must be a positive integer or None, got {value!r}")
        if self.client_args is not None and not isinstance(self.client_args, dict):
            raise errors.ConfigurationError(
                f"Deployment.client_args must be a dict, got {type(self.client_args).__name__}"
            )
        if self.name is None:
            self.name = f"{self.group}/{self.model}"

    @classmethod
    def coerce(cls, value: Deployment | dict[str, Any]) -> Deployment:
        """A Deployment from itself or from a plain dict of the same fields."""
        if isinstance(value, Deployment):
            return value
        if not isinstance(value, dict):
            raise errors.ConfigurationError(f"a deployment must be a Deployment or a dict, got {type(value).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise errors.ConfigurationError(
                f"unknown Deployment fields: {', '.join(unknown)}. Accepted: {', '.join(sorted(known))}"
            )
        return cls(**value)


@dataclass(frozen=True)
class Cooldown:
    """When a deployment is benched, and for how long (a circuit breaker).

    Args:
        allowed_fails: Failures within ``window`` seconds that bench it. A revoked key (401/403), a
            missing model (404), or a 429 carrying ``Retry-After`` bench it at once.
        window: Seconds over which failures are counted.
        duration: Seconds on the bench (at least the ``Retry-After`` it was given). Then one call
            probes it (half-open): success brings it back, failure benches it again.
    """

    allowed_fails: int = 3
    window: float = 60.0
    duration: float = 30.0

    def __post_init__(self) -> None:
        if isinstance(self.allowed_fails, bool) or not isinstance(self.allowed_fails, int) or self.allowed_fails < 1:
            raise errors.ConfigurationError(
                f"Cooldown.allowed_fails must be an integer >= 1, got {self.allowed_fails!r}"
            )
        for attr in ("window", "duration"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise errors.ConfigurationError(f"Cooldown.{attr} must be a number of seconds >= 0, got {value!r}")
