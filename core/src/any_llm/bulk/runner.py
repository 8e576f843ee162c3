"""The bulk job itself: stream rows in, send them under the limiter, write each answer as it lands.

Memory stays flat whatever the input size: a row is read only when there is room for it (at most
``4 × concurrency`` rows are alive, in flight or waiting to retry), answers are written as they
finish (in completion order, as batch APIs do: match lines by ``custom_id``), and resuming keeps
8 bytes per row already done.

Retries belong here, not in the transport (its clients get ``max_retries=0``): each 429 and each
overload must reach the adaptive limiter. What core would retry (rate limits, 5xx and overloads,
timeouts, broken connections: :data:`any_llm.wire.RETRYABLE_ERRORS`) is retried up to ``max_retries``
times with capped exponential backoff or the server's ``Retry-After``; anything else fails its row
at once. A failed row is written with its typed error and the job goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.bulk.calls import Answer, Caller, estimate_tokens
from any_llm.bulk.limits import Limiter, RateSignals
from any_llm.bulk.output import OutputFile, error_line, ok_line
from any_llm.bulk.progress import BulkStats, ProgressReporter
from any_llm.bulk.rows import Requests, Row, count_rows, iter_rows

if TYPE_CHECKING:
    from any_llm.router.routing import Router

__all__ = ["Outcome", "arun", "open_output", "send_row"]

DEFAULT_CONCURRENCY = 16
DEFAULT_MAX_RETRIES = 6
BACKOFF_BASE = 0.5
BACKOFF_MAX = 30.0


def _retryable(exc: errors.AnyLLMError) -> bool:
    """Core's rule (:func:`any_llm.wire.is_retryable`: the error's class decides), applied by the job."""
    from any_llm.wire import is_retryable

    return is_retryable(exc)


def _backoff(attempt: int) -> float:
    return min(BACKOFF_BASE * 2.0**attempt, BACKOFF_MAX) * (1 - 0.25 * random.random())


@dataclass
class Outcome:
    """What became of one row: its answer, or the error it failed with after retries."""

    answer: Answer | None = None
    error: BaseException | None = None
    retries: int = 0
    rate_limited: int = 0


async def send_row(
    caller: Caller,
    limiter: Limiter,
    family: str,
    body: Mapping[str, Any],
    max_retries: int = DEFAULT_MAX_RETRIES,
    completion_guess: float | None = None,
) -> Outcome:
    """Send one request under ``limiter``, retrying what is worth retrying; never raises but on cancel.

    Shared by file jobs and by anyllm-ray's actors, so both adapt and retry the same way.
    """
    tokens = estimate_tokens(family, body, completion_guess) if completion_guess else estimate_tokens(family, body)
    outcome = Outcome()
    while True:
        lease = await limiter.acquire(tokens, retry=outcome.retries > 0)
        try:
            answer = await caller.call(family, body)
        except errors.AnyLLMError as exc:
            limiter.failed(lease, exc.status_code, getattr(exc, "retry_after", None))
            if isinstance(exc, errors.RateLimitError):
                outcome.rate_limited += 1
            if outcome.retries < max_retries and _retryable(exc):
                outcome.retries += 1
                hinted = getattr(exc, "retry_after", None)
                await asyncio.sleep(hinted if hinted is not None else _backoff(outcome.retries - 1))
                continue
            outcome.error = exc
            return outcome
        except asyncio.CancelledError:
            limiter.failed(lease, None, None)
            raise
        except Exception as exc:  # a bug in a plugin or in core: the row fails with it, the job goes on
            limiter.failed(lease, None, None)
            outcome.error = exc
            return outcome
        limiter.succeeded(lease, answer.total_tokens, RateSignals.from_headers(answer.headers))
        outcome.answer = answer
        return outcome


class _Job:
    def __init__(
        self,
        caller: Caller,
        limiter: Limiter,
        out: OutputFile,
        stats: BulkStats,
        max_retries: int,
    ) -> None:
        self.caller = caller
        self.limiter = limiter
        self.out = out
        self.stats = stats
        self.max_retries = max_retries
        self.avg_completion = 0.0

    def _fail(self, row: Row, exc: BaseException) -> None:
        self.out.write(error_line(row.custom_id, exc), failed=True)
        self.stats.failed += 1
        self.stats.failed_this_run += 1

    async def process(self, row: Row) -> None:
        if row.problem is not None or row.family is None:
            self._fail(row, errors.ConfigurationError(f"input line {row.number}: {row.problem}"))
            return
        outcome = await send_row(
            self.caller, self.limiter, row.family, row.body, self.max_retries, self.avg_completion or None
        )
        self.stats.retries += outcome.retries
        self.stats.rate_limited += outcome.rate_limited
        answer = outcome.answer
        if answer is None:
            self._fail(row, outcome.error or errors.AnyLLMError("row failed without an error"))
            return
        self.out.write(ok_line(row.custom_id, answer.status_code, answer.request_id, answer.body))
        self.stats.succeeded += 1
        self.stats.prompt_tokens += answer.prompt_tokens or 0
        self.stats.completion_tokens += answer.completion_tokens or 0
        if answer.completion_tokens:
            n = answer.completion_tokens
            self.avg_completion = n if not self.avg_completion else 0.9 * self.avg_completion + 0.1 * n


async def arun(
    requests: Requests,
    output: str | os.PathLike[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rpm: float | None = None,
    tpm: float | None = None,
    provider: str | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    errors_path: str | os.PathLike[str] | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    progress: ProgressReporter | None = None,
    fsync_interval: float = 1.0,
    retry_failed: bool = False,
    mode: str = "direct",
    completion_window: str = "24h",
    poll_interval: float | None = None,
    max_poll_interval: float | None = None,
    max_wait: float | None = None,
    router: Router | str | os.PathLike[str] | None = None,
) -> BulkStats:
    """Async form of :func:`any_llm.bulk.run` (same arguments, same result)."""
    if mode == "batch-api":
        if router is not None:
            raise errors.ConfigurationError(
                "a batch goes to one provider's batch API: drop router, or use mode='direct'"
            )
        if rpm is not None or tpm is not None:
            raise errors.ConfigurationError("rpm/tpm pace direct calls; a batch API paces itself: drop them")
        from any_llm.bulk import batchapi

        return await batchapi.arun_batch_api(
            requests,
            output,
            provider=provider,
            api_key=api_key,
            api_base=api_base,
            client_args=client_args,
            errors_path=errors_path,
            progress=progress,
            retry_failed=retry_failed,
            completion_window=completion_window,
            poll_interval=batchapi.DEFAULT_POLL_INTERVAL if poll_interval is None else poll_interval,
            max_poll_interval=batchapi.DEFAULT_MAX_POLL_INTERVAL if max_poll_interval is None else max_poll_interval,
            max_wait=max_wait,
        )
    if mode != "direct":
        raise errors.ConfigurationError(f'mode must be "direct" or "batch-api", got {mode!r}')
    _check_args(concurrency, rpm, tpm, max_retries)
    if router is not None and (provider is not None or api_key is not None or api_base is not None or client_args):
        raise errors.ConfigurationError(
            "router= brings its own deployments (model, api_base, keys, client_args): drop provider/api_key/"
            "api_base/client_args, or set them on the router's deployments"
        )
    if router is not None:
        from any_llm.bulk.routed import as_router

        router = as_router(router)  # a bad config file fails before the output is touched
    total = count_rows(requests)
    out = open_output(requests, output, errors_path, fsync_interval, retry_failed)
    stats = BulkStats(out.path, out.errors_path, total=total)
    stats.resumed = out.resumed_ok + out.resumed_failed
    stats.failed = out.resumed_failed
    limiter = Limiter(concurrency, rpm, tpm)
    job = _Job(_caller(provider, api_key, api_base, client_args, router), limiter, out, stats, max_retries)
    live: set[asyncio.Task[None]] = set()
    room = asyncio.Event()
    cap = max(4 * concurrency, concurrency + 8)

    def finished(task: asyncio.Task[None]) -> None:
        live.discard(task)
        if len(live) < cap:
            room.set()

    ticker = asyncio.create_task(_tick(stats, limiter, progress)) if progress is not None else None
    try:
        for row in iter_rows(requests):
            if row.custom_id in out.done:
                continue
            while len(live) >= cap:
                room.clear()
                await room.wait()
            task = asyncio.create_task(job.process(row))
            live.add(task)
            task.add_done_callback(finished)
        while live:
            await asyncio.gather(*list(live))
    except BaseException:  # Ctrl-C / cancellation / a bad input line: what finished is written, the rest is not
        stats.interrupted = True
        for task in live:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*list(live), return_exceptions=True)
        raise
    finally:
        _finish(stats, limiter)
        out.close()
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(BaseException):
                await ticker
        if progress is not None:
            progress.close(stats)
    return stats


def _caller(
    provider: str | None,
    api_key: str | None,
    api_base: str | None,
    client_args: dict[str, Any] | None,
    router: Router | str | os.PathLike[str] | None,
) -> Caller:
    if router is None:
        return Caller(provider, api_key, api_base, client_args)
    from any_llm.bulk.routed import RouterCaller, as_router

    return RouterCaller(as_router(router))


def open_output(
    requests: Requests,
    output: str | os.PathLike[str],
    errors_path: str | os.PathLike[str] | None,
    fsync_interval: float,
    retry_failed: bool,
) -> OutputFile:
    """The output file (resumed if it exists), after checking the input: shared by the direct and batch modes."""
    if isinstance(requests, (str, os.PathLike)):
        if not Path(requests).is_file():
            raise errors.ConfigurationError(f"input file {requests} does not exist (give a JSONL of batch requests)")
        if Path(requests).resolve() == Path(output).resolve():
            raise errors.ConfigurationError("output must not be the input file")
    return OutputFile(output, errors_path, fsync_interval=fsync_interval, retry_failed=retry_failed)


def _finish(stats: BulkStats, limiter: Limiter) -> None:
    stats.finished = time.monotonic()
    stats.concurrency = limiter.limit
    stats.in_flight = 0


async def _tick(stats: BulkStats, limiter: Limiter, progress: ProgressReporter) -> None:
    interval = min(max(progress.interval, 0.05), 1.0)
    while True:
        stats.concurrency = limiter.limit
        stats.in_flight = limiter.in_flight
        progress.update(stats)
        await asyncio.sleep(interval)


def _check_args(concurrency: Any, rpm: Any, tpm: Any, max_retries: Any) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise errors.ConfigurationError(f"concurrency must be an integer >= 1, got {concurrency!r}")
    for name, value in (("rpm", rpm), ("tpm", tpm)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
            raise errors.ConfigurationError(f"{name} must be a positive number or None, got {value!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise errors.ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
