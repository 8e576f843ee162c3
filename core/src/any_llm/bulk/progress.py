"""What a running job shows: a live bar on a terminal (``rich``, optional extra
``anyllm-core[progress]``), plain periodic lines otherwise, and a summary at the end.

The runner owns one :class:`BulkStats` and hands it to a reporter every ``interval`` seconds;
reporters only read it, so a library caller can pass its own (anything with ``update`` and ``close``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

__all__ = ["BulkStats", "PlainProgress", "ProgressReporter", "RichProgress", "default_reporter", "summary"]


@dataclass
class BulkStats:
    """Counters of one job (the result of ``bulk.run``); ``done`` includes rows resumed from the output."""

    output: Path
    errors_path: Path
    total: int | None = None
    resumed: int = 0
    succeeded: int = 0
    failed: int = 0
    """Rows written with an error, this run and resumed ones."""
    failed_this_run: int = 0
    retries: int = 0
    rate_limited: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    concurrency: float = 0.0
    in_flight: int = 0
    interrupted: bool = False
    phase: str | None = None
    """What a batch-API job is doing (submitting, the batch's status, writing results); None otherwise."""
    batch_ids: list[str] = field(default_factory=list)
    """Batch-API jobs: the batches still running when the job returned (run it again to keep waiting)."""
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def done(self) -> int:
        return self.resumed + self.succeeded + self.failed_this_run

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        """Rows per second finished by this run."""
        elapsed = self.elapsed
        return (self.succeeded + self.failed_this_run) / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        if self.total is None or self.rate <= 0:
            return None
        return max(self.total - self.done, 0) / self.rate


class ProgressReporter(Protocol):
    interval: float

    def update(self, stats: BulkStats) -> None: ...

    def close(self, stats: BulkStats) -> None: ...


def _duration(value: float | None) -> str:
    if value is None:
        return "?"
    seconds = round(value)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def _tokens(stats: BulkStats) -> str:
    return f"tokens {stats.prompt_tokens:,} in / {stats.completion_tokens:,} out"


def _cost(stats: BulkStats) -> str:
    return f" · ${stats.cost:,.4f}" if stats.cost is not None else ""


def line(stats: BulkStats) -> str:
    total = f"/{stats.total:,}" if stats.total is not None else ""
    pct = f" ({100.0 * stats.done / stats.total:.1f}%)" if stats.total else ""
    if stats.phase is not None:
        return f"[bulk] {stats.done:,}{total} rows{pct} · {stats.phase} · errors {stats.failed:,}"
    return (
        f"[bulk] {stats.done:,}{total} rows{pct} · {stats.rate:,.1f} rows/s · ETA {_duration(stats.eta)} · "
        f"{_tokens(stats)}{_cost(stats)} · errors {stats.failed:,} · concurrency {stats.concurrency:.0f}"
    )


def summary(stats: BulkStats) -> str:
    head = "interrupted" if stats.interrupted else "done"
    resumed = f" ({stats.resumed:,} from an earlier run)" if stats.resumed else ""
    lines = [
        f"[bulk] {head}: {stats.done:,}{'/' + format(stats.total, ',') if stats.total is not None else ''} rows"
        f"{resumed} in {_duration(stats.elapsed)} ({stats.rate:,.1f} rows/s)",
        f"[bulk] {stats.succeeded:,} succeeded, {stats.failed:,} failed, {stats.retries:,} retries "
        f"({stats.rate_limited:,} rate-limited) · {_tokens(stats)}{_cost(stats)}",
        f"[bulk] output: {stats.output}",
    ]
    if stats.failed:
        lines.append(f"[bulk] errors: {stats.errors_path}")
    for batch_id in stats.batch_ids:
        lines.append(f"[bulk] batch {batch_id} is still running at the provider")
    if stats.interrupted:
        lines.append("[bulk] run the same command again to resume")
    return "\n".join(lines)


class PlainProgress:
    """One line every ``interval`` seconds (for logs and pipes), then the summary."""

    def __init__(self, stream: IO[str] | None = None, interval: float = 10.0) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.interval = interval
        self._last = 0.0

    def update(self, stats: BulkStats) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            print(line(stats), file=self.stream, flush=True)

    def close(self, stats: BulkStats) -> None:
        print(summary(stats), file=self.stream, flush=True)


class RichProgress:
    """A live bar: done/total, rate, ETA, tokens, cost (when known), errors, current concurrency."""

    interval = 0.25

    def __init__(self, stream: IO[str] | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = Console(file=stream) if stream is not None else Console()
        self._bar = Progress(
            TextColumn("[bold]bulk"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            transient=False,
        )
        self._task: Any = None

    def update(self, stats: BulkStats) -> None:
        rate = f"{stats.rate:,.1f}/s"
        info = f"{_tokens(stats)}{_cost(stats)} · errors {stats.failed:,} · conc {stats.concurrency:.0f}"
        if stats.phase is not None:
            info = f"{stats.phase} · errors {stats.failed:,}"
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task("bulk", total=stats.total, completed=stats.done, rate=rate, info=info)
        else:
            self._bar.update(self._task, total=stats.total, completed=stats.done, rate=rate, info=info)

    def close(self, stats: BulkStats) -> None:
        if self._task is not None:
            self.update(stats)
            self._bar.stop()
        self.console.print(summary(stats), highlight=False, markup=False)


def default_reporter(stream: IO[str] | None = None) -> ProgressReporter:
    """A rich bar on a terminal when ``rich`` is installed; plain lines otherwise."""
    out = stream if stream is not None else sys.stdout
    if out.isatty():
        try:
            return RichProgress(out)
        except ImportError:
            return PlainProgress(out, interval=2.0)
    return PlainProgress(out)
