"""The :class:`Router`: one call, many deployments; what each typed error means for where it goes next.

A call to a group walks a plan (:class:`_Plan`): the group's deployments in the strategy's order,
then each fallback group's. An error that says "this deployment, not this request" (rate limit,
5xx, connection, timeout, revoked key, missing model) moves the call on at once, with no retries
while other deployments are left: only the last one gets the retry policy's retries. An error that
would fail anywhere is raised at once. Sync and async share the plan; only the I/O lines differ.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from any_llm import callhooks, errors
from any_llm.retry import RetryPolicy, current_deadline, enter_scope, exit_scope
from any_llm.router.deployment import Cooldown, Deployment
from any_llm.router.state import DeploymentState, Ticket
from any_llm.router.strategies import STRATEGIES, order
from any_llm.router.streams import NOTHING, RoutedAsyncStream, RoutedStream

if TYPE_CHECKING:
    from contextvars import Token

    from any_llm.client import AnyLLM
    from any_llm.types.embedding import CreateEmbeddingResponse

__all__ = ["MOVE_ON", "Router", "served_by"]

MOVE_ON: tuple[type[errors.AnyLLMError], ...] = (
    errors.RateLimitError,
    errors.ProviderError,
    errors.APIConnectionError,  # includes APITimeoutError
    errors.AuthenticationError,
    errors.ModelNotFoundError,
    errors.ResponseValidationError,
)
"""Errors about the deployment, not the request: the call moves on to the next deployment."""
WAIT_SLICE = 0.05
"""Longest single sleep while waiting for capacity, so freed slots anywhere are seen soon."""
_ATTR = "_anyllm_deployment"


def served_by(result: Any) -> Deployment | None:
    """The :class:`Deployment` that answered ``result`` (a completion, embedding or stream from a router)."""
    found = getattr(result, "deployment", None) if isinstance(result, (RoutedStream, RoutedAsyncStream)) else None
    return found if found is not None else getattr(result, _ATTR, None)


def _tag(result: Any, deployment: Deployment) -> Any:
    """Note the deployment on the answer; object.__setattr__ keeps it out of pydantic's fields and dumps."""
    try:
        object.__setattr__(result, _ATTR, deployment)
    except (AttributeError, TypeError):
        pass
    return result


def _used_tokens(result: Any) -> float | None:
    total = getattr(getattr(result, "usage", None), "total_tokens", None)
    return float(total) if isinstance(total, (int, float)) else None


def _joined(inputs: Any) -> str:
    return inputs if isinstance(inputs, str) else "".join(str(i) for i in inputs or ())


def _estimate_tokens(messages: Any, kwargs: Mapping[str, Any]) -> float:
    """A rough count for tpm limits before the answer says the truth: 4 characters a token, plus the cap."""
    chars = 0
    if isinstance(messages, list):
        for message in messages:
            content = message.get("content") if isinstance(message, dict) else getattr(message, "content", None)
            chars += len(content) if isinstance(content, str) else len(str(content or ""))
    elif isinstance(messages, str):
        chars = len(messages)
    cap = kwargs.get("max_completion_tokens") or kwargs.get("max_tokens") or 0
    return chars / 4 + (cap if isinstance(cap, int) else 0)


class Router:
    """Route calls over deployments: load balancing, fallbacks, cooldowns, client-side limits.

    Args:
        deployments: :class:`Deployment` objects or dicts of their fields.
        fallbacks: group → the groups tried, in order, once the group's own deployments failed.
        context_window_fallbacks: group → groups for a ``ContextLengthExceededError``.
        content_policy_fallbacks: group → groups for a ``ContentFilterError``.
        strategy: ``"weighted"`` (default), ``"least-busy"``, ``"lowest-latency"`` or ``"usage-based"``.
        retry: Retries for the last deployment left and ``deadline``, the total budget of one call
            (retries, fallbacks, waiting for capacity, the whole stream).
        cooldown: A :class:`Cooldown`, or seconds on the bench with the default failure count.
    """

    def __init__(
        self,
        deployments: Sequence[Deployment | dict[str, Any]],
        *,
        fallbacks: Mapping[str, Sequence[str]] | None = None,
        context_window_fallbacks: Mapping[str, Sequence[str]] | None = None,
        content_policy_fallbacks: Mapping[str, Sequence[str]] | None = None,
        strategy: str = "weighted",
        retry: RetryPolicy | None = None,
        cooldown: Cooldown | float | None = None,
    ) -> None:
        from any_llm.api import get_client, split_model

        if strategy not in STRATEGIES:
            raise errors.ConfigurationError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise errors.ConfigurationError(f"retry must be an any_llm.RetryPolicy, got {type(retry).__name__}")
        if cooldown is None:
            cooldown = Cooldown()
        elif not isinstance(cooldown, Cooldown):
            if isinstance(cooldown, bool) or not isinstance(cooldown, (int, float)):
                raise errors.ConfigurationError(f"cooldown must be a Cooldown or seconds, got {cooldown!r}")
            cooldown = Cooldown(duration=float(cooldown))
        if isinstance(deployments, (str, bytes, dict)) or not deployments:
            raise errors.ConfigurationError("Router needs a non-empty list of deployments")
        self.strategy = strategy
        self.retry = retry if retry is not None else RetryPolicy()
        self._no_retry = replace(self.retry, max_retries=0)
        self.cooldown = cooldown
        self._lock = threading.Lock()
        self._groups: dict[str, list[DeploymentState]] = {}
        self.deployments: list[Deployment] = []
        seen: set[str] = set()
        for index, item in enumerate(deployments):
            dep = Deployment.coerce(item)
            if dep.name in seen:
                dep = replace(dep, name=f"{dep.name}#{index}")
            seen.add(dep.name or "")
            provider, model_id = split_model(dep.model, dep.provider)
            client = get_client(provider, dep.api_key, dep.api_base, dep.client_args)
            self._groups.setdefault(dep.group, []).append(DeploymentState(dep, client, model_id, cooldown, index))
            self.deployments.append(dep)
        self.fallbacks = self._check_map("fallbacks", fallbacks)
        self.context_window_fallbacks = self._check_map("context_window_fallbacks", context_window_fallbacks)
        self.content_policy_fallbacks = self._check_map("content_policy_fallbacks", content_policy_fallbacks)
        self._track_tokens = strategy == "usage-based" or any(d.tpm is not None for d in self.deployments)
        self._chains = {g: self._tiers([g, *self.fallbacks.get(g, ())]) for g in self._groups}
        """group → its deployments then each fallback group's, one tier per group, each deployment once."""

    def _tiers(self, groups: Sequence[str]) -> list[list[DeploymentState]]:
        tiers: list[list[DeploymentState]] = []
        seen: set[int] = set()
        for g in groups:
            tier = [s for s in self._groups[g] if s.index not in seen]
            seen.update(s.index for s in tier)
            tiers.append(tier)
        return tiers

    def _check_map(self, what: str, mapping: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
        if mapping is None:
            return {}
        if not isinstance(mapping, Mapping):
            raise errors.ConfigurationError(f"{what} must map a group to a list of groups, got {mapping!r}")
        out: dict[str, list[str]] = {}
        for group, targets in mapping.items():
            if isinstance(targets, str):
                targets = [targets]
            for name in [group, *targets]:
                if name not in self._groups:
                    raise errors.ConfigurationError(
                        f"{what} names the group {name!r}, which has no deployment. Groups: {', '.join(self._groups)}"
                    )
            out[group] = list(targets)
        return out

    def __repr__(self) -> str:
        return f"Router(groups={list(self._groups)!r}, strategy={self.strategy!r})"

    def stats(self) -> list[dict[str, Any]]:
        """What the router knows of each deployment now: in flight, latency, bench, usage."""
        with self._lock:
            return [s.snapshot() for states in self._groups.values() for s in states]

    # -- the public calls ---------------------------------------------------------------------

    def completion(self, model: str, messages: Any, **kwargs: Any) -> Any:
        """``completion()`` on the group ``model``, with every parameter of :func:`any_llm.completion`.

        A stream fails over only until its first chunk; ``served_by(result)`` names the deployment.
        """
        tokens = _estimate_tokens(messages, kwargs) if self._track_tokens else 0.0
        return self._run(
            model, tokens, lambda c, m: c.completion(m, messages, **kwargs), stream=bool(kwargs.get("stream"))
        )

    async def acompletion(self, model: str, messages: Any, **kwargs: Any) -> Any:
        """Async twin of :meth:`completion`."""
        tokens = _estimate_tokens(messages, kwargs) if self._track_tokens else 0.0
        return await self._arun(
            model, tokens, lambda c, m: c.acompletion(m, messages, **kwargs), stream=bool(kwargs.get("stream"))
        )

    def responses(self, model: str, input_data: Any, **kwargs: Any) -> Any:
        """``responses()`` (the OpenAI Responses API) on the group ``model``; streams as for completion."""
        tokens = _estimate_tokens(input_data, kwargs) if self._track_tokens else 0.0
        return self._run(
            model, tokens, lambda c, m: c.responses(m, input_data, **kwargs), stream=bool(kwargs.get("stream"))
        )

    async def aresponses(self, model: str, input_data: Any, **kwargs: Any) -> Any:
        """Async twin of :meth:`responses`."""
        tokens = _estimate_tokens(input_data, kwargs) if self._track_tokens else 0.0
        return await self._arun(
            model, tokens, lambda c, m: c.aresponses(m, input_data, **kwargs), stream=bool(kwargs.get("stream"))
        )

    def messages(self, model: str, messages: Any, max_tokens: int, **kwargs: Any) -> Any:
        """``messages()`` (the Anthropic Messages API) on the group ``model``; streams as for completion."""
        tokens = _estimate_tokens(messages, {"max_tokens": max_tokens}) if self._track_tokens else 0.0
        return self._run(
            model,
            tokens,
            lambda c, m: c.messages(m, messages, max_tokens, **kwargs),
            stream=bool(kwargs.get("stream")),
        )

    async def amessages(self, model: str, messages: Any, max_tokens: int, **kwargs: Any) -> Any:
        """Async twin of :meth:`messages`."""
        tokens = _estimate_tokens(messages, {"max_tokens": max_tokens}) if self._track_tokens else 0.0
        return await self._arun(
            model,
            tokens,
            lambda c, m: c.amessages(m, messages, max_tokens, **kwargs),
            stream=bool(kwargs.get("stream")),
        )

    def embedding(self, model: str, inputs: str | list[str], **kwargs: Any) -> CreateEmbeddingResponse:
        """``embedding()`` on the group ``model``."""
        tokens = (
            _estimate_tokens(inputs if isinstance(inputs, str) else "".join(inputs), {}) if self._track_tokens else 0.0
        )
        result: CreateEmbeddingResponse = self._run(model, tokens, lambda c, m: c.embedding(m, inputs, **kwargs))
        return result

    async def aembedding(self, model: str, inputs: str | list[str], **kwargs: Any) -> CreateEmbeddingResponse:
        """Async twin of :meth:`embedding`."""
        tokens = (
            _estimate_tokens(inputs if isinstance(inputs, str) else "".join(inputs), {}) if self._track_tokens else 0.0
        )
        result: CreateEmbeddingResponse = await self._arun(
            model, tokens, lambda c, m: c.aembedding(m, inputs, **kwargs)
        )
        return result

    # -- the two drivers: only the I/O differs --------------------------------------------------

    def _run(self, group: str, tokens: float, send: Callable[[AnyLLM, str], Any], stream: bool = False) -> Any:
        plan = _Plan(self, group, tokens)
        while True:
            picked = plan.pick()
            if isinstance(picked, float):
                time.sleep(picked)
                continue
            state, entry, last = picked
            start = time.monotonic()
            token = enter_scope(plan.deadline, plan.budget, self.retry if last else self._no_retry)
            routed = plan.route(state) if callhooks.ACTIVE else None
            try:
                result = send(state.client, state.model_id)
                first = next(result, NOTHING) if stream else None
            except errors.AnyLLMError as exc:
                plan.failed(state, entry, exc)
                continue
            except BaseException:
                plan.abandoned(state, entry)
                raise
            finally:
                exit_scope(token)
                if routed is not None:
                    callhooks.exit_route(routed)
            latency = time.monotonic() - start
            if stream:
                return RoutedStream(result, first, state.deployment, plan.stream_done(state, entry, latency))
            plan.succeeded(state, entry, latency, _used_tokens(result))
            return _tag(result, state.deployment)

    async def _arun(
        self, group: str, tokens: float, send: Callable[[AnyLLM, str], Awaitable[Any]], stream: bool = False
    ) -> Any:
        import asyncio

        plan = _Plan(self, group, tokens)
        while True:
            picked = plan.pick()
            if isinstance(picked, float):
                await asyncio.sleep(picked)
                continue
            state, entry, last = picked
            start = time.monotonic()
            token = enter_scope(plan.deadline, plan.budget, self.retry if last else self._no_retry)
            routed = plan.route(state) if callhooks.ACTIVE else None
            try:
                result = await send(state.client, state.model_id)
                first = await anext(result, NOTHING) if stream else None
            except errors.AnyLLMError as exc:
                plan.failed(state, entry, exc)
                continue
            except BaseException:
                plan.abandoned(state, entry)
                raise
            finally:
                exit_scope(token)
                if routed is not None:
                    callhooks.exit_route(routed)
            latency = time.monotonic() - start
            if stream:
                return RoutedAsyncStream(result, first, state.deployment, plan.stream_done(state, entry, latency))
            plan.succeeded(state, entry, latency, _used_tokens(result))
            return _tag(result, state.deployment)


class _Plan:
    """One call's walk through the deployments: who is next, what each failure means."""

    __slots__ = ("attempts", "budget", "deadline", "group", "router", "sent", "tiers", "tokens", "tried")

    def __init__(self, router: Router, group: str, tokens: float) -> None:
        tiers = router._chains.get(group)
        if tiers is None:
            raise errors.ConfigurationError(
                f"the router has no group {group!r}; pass model= one of: {', '.join(router._groups)}"
            )
        self.router = router
        self.group = group
        self.tokens = tokens
        self.tried: set[int] = set()
        self.attempts: list[tuple[str, errors.AnyLLMError]] = []
        self.budget = router.retry.deadline
        self.deadline = time.monotonic() + self.budget if self.budget is not None else None
        outer = current_deadline()
        if outer is not None and (self.deadline is None or outer < self.deadline):
            self.deadline, self.budget = outer, None
        self.tiers = tiers
        self.sent = 0

    def route(self, state: DeploymentState) -> Token[callhooks.RouteInfo | None]:
        """Tell call hooks which deployment this try goes to (``CallInfo.route``), until ``exit_route``."""
        self.sent += 1
        deployment = state.deployment
        info = callhooks.RouteInfo(self.group, state.name, self.sent, deployment.group != self.group)
        return callhooks.enter_route(info)

    def _set_tiers(self, groups: Sequence[str]) -> None:
        """Go on with ``groups`` instead (a context-window or content-policy fallback)."""
        self.tiers = self.router._tiers(groups)

    def pick(self) -> tuple[DeploymentState, Ticket, bool] | float:
        """(deployment, its ticket, whether it is the last one left), or seconds to wait for capacity.

        The first tier with a healthy deployment not tried yet serves; benched ones are tried only
        when no healthy one is left anywhere in the plan (better a likely failure than a certain one).
        """
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            raise self._timeout()
        router = self.router
        tried = self.tried
        with router._lock:
            left = [[s for s in tier if s.index not in tried] for tier in self.tiers] if tried else self.tiers
            tier = next((h for h in ([s for s in t if s.healthy(now)] for t in left) if h), None)
            if tier is None:  # nothing healthy left: the benched ones, soonest back first
                tier = sorted((s for t in left for s in t), key=lambda s: s.benched_until)[:1]
                if not tier:
                    raise self._exhausted()
            wait = float("inf")
            for state in order(tier, router.strategy, now) if len(tier) > 1 else tier:
                w = state.wait_for_capacity(now, self.tokens)
                if w <= 0.0:
                    entry = state.acquire(now, self.tokens, router._track_tokens)
                    tried.add(state.index)
                    last = not any(s.index != state.index for t in left for s in t)
                    return state, entry, last
                wait = min(wait, w)
        wait = min(wait, WAIT_SLICE)
        if self.deadline is not None and now + wait >= self.deadline:
            wait = max(self.deadline - now, 0.0)
        return wait

    def succeeded(self, state: DeploymentState, entry: Ticket, latency: float, used: float | None) -> None:
        with self.router._lock:
            state.release(time.monotonic(), entry, ok=True, latency=latency, used_tokens=used)

    def abandoned(self, state: DeploymentState, entry: Ticket) -> None:
        """Cancelled or interrupted: no verdict on the deployment."""
        with self.router._lock:
            state.release(time.monotonic(), entry, ok=None)

    def failed(self, state: DeploymentState, entry: Ticket, exc: errors.AnyLLMError) -> None:
        """Record the failure; return to try the next deployment, or raise what the caller must see."""
        moves_on = isinstance(exc, MOVE_ON)
        now = time.monotonic()
        verdict: bool | None = not moves_on
        if isinstance(exc, errors.APITimeoutError) and self.deadline is not None and now >= self.deadline:
            verdict = None  # the caller's budget ran out: says nothing about the deployment
        with self.router._lock:
            state.release(now, entry, ok=verdict, error=exc)
        self.attempts.append((state.name, exc))
        if moves_on:
            return
        router = self.router
        group = state.deployment.group
        if isinstance(exc, errors.ContextLengthExceededError) and router.context_window_fallbacks.get(group):
            self._set_tiers(router.context_window_fallbacks[group])
            return
        if isinstance(exc, errors.ContentFilterError) and router.content_policy_fallbacks.get(group):
            self._set_tiers(router.content_policy_fallbacks[group])
            return
        raise exc

    def stream_done(
        self, state: DeploymentState, entry: Ticket, latency: float
    ) -> Callable[[BaseException | None, float | None], None]:
        lock = self.router._lock

        def done(error: BaseException | None, used: float | None) -> None:
            ok: bool | None = True
            if isinstance(error, MOVE_ON):
                ok = False
            elif error is not None and not isinstance(error, Exception):
                ok = None  # cancelled / interrupted
            with lock:
                state.release(time.monotonic(), entry, ok=ok, latency=latency, used_tokens=used, error=error)

        return done

    def _exhausted(self) -> errors.FallbacksExhaustedError:
        err = errors.FallbacksExhaustedError(
            f"every deployment for {self.group!r} failed (its fallbacks included).", attempts=self.attempts
        )
        if self.attempts:
            err.__cause__ = self.attempts[-1][1]
        return err

    def _timeout(self) -> errors.APITimeoutError:
        total = f"of {self.budget:g} s " if self.budget is not None else ""
        tried = "; ".join(f"{name}: {type(e).__name__}: {e.message}" for name, e in self.attempts)
        err = errors.APITimeoutError(
            f"the router's deadline {total}for {self.group!r} ran out after {len(self.attempts)} attempt(s)"
            + (f" ({tried})" if tried else "")
            + ". Raise RetryPolicy(deadline=...) or add capacity."
        )
        if self.attempts:
            err.__cause__ = self.attempts[-1][1]
        return err
