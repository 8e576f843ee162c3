"""``mode="batch-api"``: the same JSONL goes to the provider's batch API; the answers come back in the same output.

A batch API answers within hours at about half the price, and takes the same OpenAI batch file the
direct mode reads. This module turns that lifecycle into the bulk job's: the rows not yet in the
output are copied to a spool file next to it (``body.model`` stripped of its ``provider:`` prefix,
one file per endpoint, since a batch serves one endpoint), each spool is submitted with
:func:`any_llm.acreate_batch` (streamed upload, translated on the fly for Anthropic, Mistral,
Gemini...), the batch is polled with a growing interval, and its results are written to the output
in the direct mode's format: one line per ``custom_id``, failed rows with a typed error, copied to
the errors file.

Resumable, without ever submitting the same rows twice: a small sidecar (``<output stem>.batch.json``,
replaced atomically) records each batch *before* it is created (state ``submitting``, with a random
token sent as batch metadata where the provider takes metadata) and its id right after. Run the same
command again after a kill, Ctrl-C or ``max_wait`` and it polls the recorded batch instead of
creating one; a kill in the instant between the provider creating the batch and the sidecar
recording its id is found again by that token in ``list_batches`` (for providers without batch
metadata, such as Anthropic, that instant is the one window where a batch can be created twice).
Results already in the output are skipped when they are written again after a kill mid-way.

Memory: rows are streamed to the spool; the results come back through core's
``retrieve_batch_results`` (one list per batch; a batch is at most 50,000 rows at OpenAI, 100,000
at Anthropic).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.bulk.output import OutputFile, error_line, ok_line
from any_llm.bulk.progress import BulkStats, ProgressReporter
from any_llm.bulk.rows import Requests, count_rows, iter_rows

if TYPE_CHECKING:
    from any_llm.client import AnyLLM
    from any_llm.types.batch import Batch, BatchResultItem

__all__ = ["DEFAULT_MAX_POLL_INTERVAL", "DEFAULT_POLL_INTERVAL", "Sidecar", "arun_batch_api", "row_error"]

DEFAULT_POLL_INTERVAL = 10.0
DEFAULT_MAX_POLL_INTERVAL = 300.0
POLL_GROWTH = 1.5
METADATA_KEY = "anyllm_bulk_job"


@dataclass
class SubmittedBatch:
    """One batch of this job, as the sidecar records it."""

    endpoint: str
    token: str
    spool: str
    rows: int
    state: str = "submitting"
    """``submitting`` (about to be created), ``submitted`` (``batch_id`` known), ``written`` (results in the output)."""
    batch_id: str | None = None
    status: str | None = None


@dataclass
class Sidecar:
    """``<output stem>.batch.json``: the provider and the batches of the job, rewritten atomically."""

    path: Path
    provider: str | None = None
    batches: list[SubmittedBatch] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Sidecar:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text())
            batches = [SubmittedBatch(**b) for b in data.get("batches", [])]
        except (ValueError, TypeError, AttributeError) as exc:
            raise errors.ConfigurationError(
                f"{path} is not a bulk batch sidecar ({exc}): it records the batches this output waits for. "
                "Restore it, or delete it to submit the remaining rows again."
            ) from None
        return cls(path, data.get("provider"), batches)

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = {"version": 1, "provider": self.provider, "batches": [asdict(b) for b in self.batches]}
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def active(self) -> list[SubmittedBatch]:
        return [b for b in self.batches if b.state != "written"]


def sidecar_path(output: Path) -> Path:
    """``answers.jsonl`` → ``answers.batch.json``."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return output.with_name(f"{stem}.batch.json")


_CODE_ERRORS: tuple[tuple[tuple[str, ...], type[errors.APIStatusError]], ...] = (
    (("rate_limit", "rate-limit", "too_many"), errors.RateLimitError),
    (("context_length", "too_long", "max_tokens_exceeded"), errors.ContextLengthExceededError),
    (("content_filter", "safety", "blocked"), errors.ContentFilterError),
    (("auth", "permission", "forbidden", "api_key"), errors.AuthenticationError),
    (("model_not_found", "not_found"), errors.ModelNotFoundError),
    (("invalid", "bad_request", "validation", "http_400", "http_422", "_argument"), errors.InvalidRequestError),
)


def row_error(code: str, message: str, provider: str, batch_id: str) -> errors.AnyLLMError:
    """The typed error of a row the batch answered with ``{"code", "message"}`` (each provider has its codes)."""
    text = f"{message or 'no message'} (batch {batch_id}, code {code})"
    lowered = code.lower()
    if lowered in ("expired", "canceled", "cancelled"):
        status = "expired" if lowered == "expired" else "cancelled"
        err: errors.AnyLLMError = errors.BatchNotCompleteError(batch_id, status, provider=provider)
        return err
    for needles, cls in _CODE_ERRORS:
        if any(n in lowered for n in needles):
            return cls(text, provider=provider)
    return errors.ProviderError(text, provider=provider)


def _result_body(item: BatchResultItem) -> tuple[str, int | None, int | None]:
    from any_llm.bulk.calls import completion_json
    from any_llm.types.completion import ChatCompletion

    result = item.result
    if isinstance(result, ChatCompletion):
        usage = result.usage
        return (
            completion_json(result),
            usage.prompt_tokens if usage is not None else None,
            usage.completion_tokens if usage is not None else None,
        )
    data: Any = result
    usage_data = data.get("usage") if isinstance(data, Mapping) else None
    prompt = usage_data.get("prompt_tokens") if isinstance(usage_data, Mapping) else None
    return (
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        prompt if isinstance(prompt, int) else None,
        None,
    )


class _BatchJob:
    def __init__(
        self,
        requests: Requests,
        out: OutputFile,
        stats: BulkStats,
        sidecar: Sidecar,
        provider: str | None,
        api_key: str | None,
        api_base: str | None,
        client_args: dict[str, Any] | None,
        completion_window: str,
        poll_interval: float,
        max_poll_interval: float,
        max_wait: float | None,
    ) -> None:
        self.requests = requests
        self.out = out
        self.stats = stats
        self.sidecar = sidecar
        self.provider = provider
        self.api_key = api_key
        self.api_base = api_base
        self.client_args = client_args
        self.completion_window = completion_window
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.deadline = None if max_wait is None else time.monotonic() + max_wait

    def client(self) -> AnyLLM:
        from any_llm.api import get_client

        name = self.sidecar.provider
        if name is None:
            raise errors.ConfigurationError(
                "no provider: give provider= (--provider) or 'provider:model' in body.model"
            )
        return get_client(name, self.api_key, self.api_base, self.client_args)

    # -- spooling -------------------------------------------------------------------------------

    def _fail(self, custom_id: str, exc: BaseException) -> None:
        self.out.write(error_line(custom_id, exc), failed=True)
        self.stats.failed += 1
        self.stats.failed_this_run += 1

    def spool(self) -> list[SubmittedBatch]:
        """Copy the rows not yet answered into one spool file per endpoint (models without their prefix)."""
        from any_llm.api import split_model

        files: dict[str, tuple[Any, SubmittedBatch]] = {}
        try:
            for row in iter_rows(self.requests):
                if row.custom_id in self.out.done or row.custom_id in self.stats_written:
                    continue
                url = _url_of(row.family) if row.family is not None else None
                if row.problem is not None or url is None:
                    self._fail(row.custom_id, errors.ConfigurationError(f"input line {row.number}: {row.problem}"))
                    self.stats_written.add(row.custom_id)
                    continue
                model = row.body.get("model")
                try:
                    if not isinstance(model, str) or not model:
                        raise errors.ConfigurationError(
                            f'body.model must be a non-empty string such as "openai:gpt-4.1-mini", got {model!r}'
                        )
                    name, model_id = split_model(model, self.provider)
                except errors.ConfigurationError as exc:
                    self._fail(row.custom_id, errors.ConfigurationError(f"input line {row.number}: {exc.message}"))
                    self.stats_written.add(row.custom_id)
                    continue
                if self.sidecar.provider is None:
                    self.sidecar.provider = name
                elif name != self.sidecar.provider:
                    raise errors.ConfigurationError(
                        f"input line {row.number} is for {name}, earlier rows for {self.sidecar.provider}: a batch "
                        "goes to one provider. Split the file by provider, or use the direct mode."
                    )
                entry = files.get(url)
                if entry is None:
                    token = uuid.uuid4().hex
                    spool = spool_path(self.out.path, token)
                    handle = open(spool, "w", encoding="utf-8")  # noqa: SIM115 - closed in the finally below
                    entry = files[url] = (handle, SubmittedBatch(url, token, str(spool), 0))
                handle, submitted = entry
                body = {**row.body, "model": model_id}
                line = {"custom_id": row.custom_id, "method": "POST", "url": url, "body": body}
                handle.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
                submitted.rows += 1
        except BaseException:
            for handle, submitted in files.values():
                handle.close()
                _discard(submitted.spool)
            raise
        finally:
            for handle, _ in files.values():
                handle.close()
        return [submitted for _, submitted in files.values()]

    # -- submitting -----------------------------------------------------------------------------

    async def submit(self, entry: SubmittedBatch) -> None:
        client = self.client()
        metadata = {METADATA_KEY: entry.token}
        try:
            batch = await client.acreate_batch(
                entry.spool, entry.endpoint, completion_window=self.completion_window, metadata=metadata
            )
        except errors.UnsupportedParameterError as exc:
            if "metadata" not in exc.message:
                raise
            batch = await client.acreate_batch(entry.spool, entry.endpoint, completion_window=self.completion_window)
        entry.batch_id = batch.id
        entry.status = batch.status
        entry.state = "submitted"
        self.sidecar.save()

    async def adopt(self, entry: SubmittedBatch) -> bool:
        """A batch recorded as ``submitting``: find it at the provider by its token, if it got created."""
        try:
            recent = await self.client().alist_batches(limit=100)
        except errors.AnyLLMError:
            return False
        for batch in recent:
            if (batch.metadata or {}).get(METADATA_KEY) == entry.token:
                entry.batch_id, entry.status, entry.state = batch.id, batch.status, "submitted"
                self.sidecar.save()
                return True
        return False

    # -- polling --------------------------------------------------------------------------------

    def _expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    async def _sleep(self, seconds: float) -> None:
        if self.deadline is not None:
            seconds = min(seconds, max(self.deadline - time.monotonic(), 0.0))
        await asyncio.sleep(seconds)

    async def wait(self, entry: SubmittedBatch) -> Batch | None:
        """Poll ``entry`` until its batch ends (the Batch) or ``max_wait`` is up (None)."""
        from any_llm.wire import is_retryable

        assert entry.batch_id is not None
        client = self.client()
        interval = self.poll_interval
        while True:
            pause = interval
            try:
                batch = await client.aretrieve_batch(entry.batch_id)
            except errors.AnyLLMError as exc:
                if not is_retryable(exc):
                    raise
                hinted = getattr(exc, "retry_after", None)
                pause = hinted if hinted is not None else interval
            else:
                if batch.status != entry.status:
                    entry.status = batch.status
                    self.sidecar.save()
                counts = batch.request_counts
                done = f" {counts.completed + counts.failed:,}/{counts.total:,}" if counts and counts.total else ""
                self.stats.phase = f"batch {batch.id} {batch.status}{done}"
                if batch.done:
                    return batch
            if self._expired():
                return None
            await self._sleep(pause * (1 - 0.1 * random.random()))
            interval = min(interval * POLL_GROWTH, self.max_poll_interval)

    # -- results --------------------------------------------------------------------------------

    async def collect(self, entry: SubmittedBatch, batch: Batch) -> None:
        """Write every row of the batch to the output (results, or the batch's failure), once."""
        assert entry.batch_id is not None
        provider = self.sidecar.provider or ""
        items: list[BatchResultItem] = []
        ended_without: errors.AnyLLMError | None = None
        try:
            items = list((await self.client().aretrieve_batch_results(entry.batch_id)).results)
        except errors.BatchNotCompleteError as exc:
            ended_without = exc
        for item in items:
            cid = item.custom_id
            if not cid or cid in self.out.done or cid in self.stats_written:
                continue
            self.stats_written.add(cid)
            if item.error is not None or item.result is None:
                code = item.error.code if item.error is not None else "no_result"
                message = item.error.message if item.error is not None else "the batch returned no result"
                self._fail(cid, row_error(code, message, provider, entry.batch_id))
                continue
            body, prompt, completion = _result_body(item)
            self.out.write(ok_line(cid, 200, None, body))
            self.stats.succeeded += 1
            self.stats.prompt_tokens += prompt or 0
            self.stats.completion_tokens += completion or 0
        self._unanswered(entry, ended_without or _ended_error(batch, provider))
        self.out.sync()
        entry.state = "written"
        entry.status = batch.status
        self.sidecar.save()
        _discard(entry.spool)

    def _unanswered(self, entry: SubmittedBatch, error: errors.AnyLLMError) -> None:
        """Rows the batch holds (its spool says which) but did not answer: failed, typed; no row is lost."""
        if not os.path.exists(entry.spool):
            return
        for row in iter_rows(entry.spool):
            if row.custom_id not in self.out.done and row.custom_id not in self.stats_written:
                self.stats_written.add(row.custom_id)
                self._fail(row.custom_id, error)

    stats_written: set[str]


def spool_path(output: Path, token: str) -> Path:
    """``answers.jsonl`` → ``answers.batch-<token>.jsonl``: the rows of one batch, kept until its results are in."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return output.with_name(f"{stem}.batch-{token[:12]}.jsonl")


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _url_of(family: str) -> str | None:
    from any_llm.bulk.calls import FAMILIES

    for url, name in FAMILIES.items():
        if name == family:
            return url
    return None


def _ended_error(batch: Batch, provider: str) -> errors.AnyLLMError:
    detail = "; ".join(f"{e.code}: {e.message}" for e in (batch.errors.data if batch.errors else []) if e.message)
    if batch.status == "completed":
        return errors.ProviderError(
            f"batch {batch.id} completed without a result for this row{': ' + detail if detail else ''}",
            provider=provider,
        )
    err = errors.BatchNotCompleteError(batch.id, batch.status, provider=provider)
    if detail:
        err.message = f"{err.message} ({detail})"
        err.args = (err.message,)
    return err


async def arun_batch_api(
    requests: Requests,
    output: str | os.PathLike[str],
    *,
    provider: str | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    errors_path: str | os.PathLike[str] | None = None,
    progress: ProgressReporter | None = None,
    retry_failed: bool = False,
    completion_window: str = "24h",
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
    max_wait: float | None = None,
) -> BulkStats:
    """The batch-API form of :func:`any_llm.bulk.arun` (see the module docstring).

    Returns with ``stats.interrupted`` set and ``stats.batch_ids`` naming the batches still running when
    ``max_wait`` seconds passed; run it again (same output) to keep waiting. Raises KeyboardInterrupt on
    Ctrl-C after saving what it knows; the batches go on at the provider.
    """
    for name, value in (("poll_interval", poll_interval), ("max_poll_interval", max_poll_interval)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise errors.ConfigurationError(f"{name} must be a positive number of seconds, got {value!r}")
    if max_wait is not None and (isinstance(max_wait, bool) or not isinstance(max_wait, (int, float)) or max_wait < 0):
        raise errors.ConfigurationError(f"max_wait must be a number of seconds >= 0 or None, got {max_wait!r}")
    from any_llm.bulk.runner import open_output

    total = count_rows(requests)
    out = open_output(requests, output, errors_path, 1.0, retry_failed)
    stats = BulkStats(out.path, out.errors_path, total=total)
    stats.resumed = out.resumed_ok + out.resumed_failed
    stats.failed = out.resumed_failed
    sidecar = Sidecar.load(sidecar_path(out.path))
    if sidecar.provider is None and provider is not None:
        sidecar.provider = provider
    job = _BatchJob(
        requests,
        out,
        stats,
        sidecar,
        provider,
        api_key,
        api_base,
        client_args,
        completion_window,
        float(poll_interval),
        float(max_poll_interval),
        max_wait,
    )
    job.stats_written = set()
    ticker = asyncio.create_task(_tick(stats, progress)) if progress is not None else None
    try:
        await _drive(job)
    except BaseException:
        stats.interrupted = True
        raise
    finally:
        stats.finished = time.monotonic()
        stats.batch_ids = [b.batch_id for b in sidecar.active() if b.batch_id]
        out.close()
        if ticker is not None:
            ticker.cancel()
            try:
                await ticker
            except BaseException:  # the ticker's own cancellation
                pass
        if progress is not None:
            progress.close(stats)
    return stats


async def _drive(job: _BatchJob) -> None:
    sidecar = job.sidecar
    unsent = [b for b in sidecar.active() if b.state == "submitting"]
    for entry in unsent:  # recorded, maybe created: find it, or spool its endpoint's rows again
        if not await job.adopt(entry):
            _discard(entry.spool)
            sidecar.batches.remove(entry)
    if unsent:
        sidecar.save()
    active_endpoints = {b.endpoint for b in sidecar.active()}
    fresh = job.spool()
    for entry in fresh:
        if entry.endpoint in active_endpoints:  # its rows are in a running batch: wait for that one first
            _discard(entry.spool)
            continue
        sidecar.batches.append(entry)
    if fresh:
        sidecar.save()
    for entry in [b for b in sidecar.active() if b.state == "submitting"]:
        job.stats.phase = f"submitting {entry.rows:,} rows to {sidecar.provider} batches ({entry.endpoint})"
        await job.submit(entry)
    for entry in sidecar.active():
        batch = await job.wait(entry)
        if batch is None:
            job.stats.interrupted = True
            job.stats.phase = f"batch {entry.batch_id} still {entry.status}: run the same command again to keep waiting"
            return
        job.stats.phase = f"writing the results of batch {batch.id}"
        await job.collect(entry, batch)
    job.stats.phase = None


async def _tick(stats: BulkStats, progress: ProgressReporter) -> None:
    interval = min(max(progress.interval, 0.05), 1.0)
    while True:
        progress.update(stats)
        await asyncio.sleep(interval)
