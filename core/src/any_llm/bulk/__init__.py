"""Bulk jobs: a JSONL file of requests in, one answer per line out; resumable, rate-limit aware.

    from any_llm import bulk

    stats = bulk.run("requests.jsonl", "answers.jsonl", concurrency=32, rpm=3000)

Input and output are the OpenAI batch formats, so the same file also goes to a provider's batch
API: each input line is ``{"custom_id", "method": "POST", "url", "body"}`` (``custom_id`` unique in the
file, as batch APIs require: resuming skips the ids already answered); ``url`` picks the call
(``/v1/chat/completions``, ``/v1/embeddings``, ``/v1/responses``) and ``body.model`` may name the provider
(``"mistral:mistral-small-latest"``) unless ``provider=`` does. Each output line is
``{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}``, in the order
answers arrive; failed rows (after retries) carry ``error: {"code": <error class>, "message"}`` and
are copied to the errors file (``answers.errors.jsonl`` unless ``errors_path=`` says otherwise).

Run the same call again after a crash, ``kill -9`` or Ctrl-C and it resumes: rows already in the
output are skipped, a half-written last line is cut off, and the output ends with every
``custom_id`` exactly once. See :mod:`any_llm.bulk.runner` (retries, memory),
:mod:`any_llm.bulk.limits` (adaptive concurrency, rpm/tpm) and :mod:`any_llm.bulk.output`
(the write and fsync policy).

Two other ways to send the same rows: ``mode="batch-api"`` submits them to the provider's batch API and
waits for it (:mod:`any_llm.bulk.batchapi`), and ``router=`` sends each row through an
:class:`any_llm.Router`'s deployments and fallbacks (:mod:`any_llm.bulk.routed`).
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

from any_llm.bulk.progress import BulkStats, PlainProgress, ProgressReporter, RichProgress, default_reporter
from any_llm.bulk.rows import Requests
from any_llm.bulk.runner import DEFAULT_CONCURRENCY, DEFAULT_MAX_RETRIES, arun

if TYPE_CHECKING:
    from any_llm.router.routing import Router

__all__ = [
    "BulkStats",
    "PlainProgress",
    "ProgressReporter",
    "RichProgress",
    "arun",
    "default_reporter",
    "run",
]


def run(
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
    """Send every request of ``requests`` and write one answer line per request to ``output``.

    Args:
        requests: A path to a JSONL file (streamed), or any iterable of JSONL lines or dicts.
        output: Path of the output JSONL; if it exists, the job resumes from it.
        concurrency: Requests in flight at the start and at most; lowered on 429s, raised back when healthy.
        rpm: Requests per minute never to exceed (all providers of the job together).
        tpm: Tokens per minute never to exceed (estimated before sending, corrected by reported usage).
        provider: Provider for every row (``body.model`` is then used verbatim).
        api_key, api_base, client_args: As for :func:`any_llm.completion` (``max_retries`` is the job's).
        errors_path: Where failed rows are copied (default: ``<output stem>.errors.jsonl``).
        max_retries: Retries per row for 429, 408/409, 5xx, timeouts and connection errors.
        progress: A reporter (``default_reporter()``, ``PlainProgress()``...) or None for silence.
        fsync_interval: Seconds between fsyncs of the output (0 = after every line).
        retry_failed: On resume, send the rows that failed in earlier runs again (they are taken out of
            the output first) instead of keeping their errors.
        mode: ``"direct"`` (one call per row, as above) or ``"batch-api"``: the rows go to the provider's
            batch API (one batch per endpoint), which is polled until it ends; the answers land in the
            same output, and a rerun waits for the batch already submitted instead of submitting again
            (:mod:`any_llm.bulk.batchapi`). ``concurrency``, ``max_retries`` and ``fsync_interval`` are
            for the direct mode; rpm/tpm are refused in batch mode.
        completion_window: Batch mode: the provider's completion window (``"24h"``).
        poll_interval, max_poll_interval: Batch mode: seconds between polls, growing 1.5x from the first
            (default 10 s) up to the second (default 300 s).
        max_wait: Batch mode: seconds to wait for the batch before returning with ``stats.interrupted``
            and ``stats.batch_ids`` (None: until it ends).
        router: An :class:`any_llm.Router`, or the path of a router config file (JSON; TOML on Python
            3.11+ or with tomli; YAML with PyYAML: :mod:`any_llm.router.config`): ``body.model`` then
            names a router group, and each row goes through the router's deployments and fallbacks.

    Returns:
        ``BulkStats``: counts, tokens, elapsed time and whether the run was interrupted.

    Raises:
        ConfigurationError: bad arguments, an input line without a custom_id, a corrupt output file.
        KeyboardInterrupt: on Ctrl-C, after writing every answer that had arrived.
    """
    return asyncio.run(
        arun(
            requests,
            output,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            provider=provider,
            api_key=api_key,
            api_base=api_base,
            client_args=client_args,
            errors_path=errors_path,
            max_retries=max_retries,
            progress=progress,
            fsync_interval=fsync_interval,
            retry_failed=retry_failed,
            mode=mode,
            completion_window=completion_window,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            max_wait=max_wait,
            router=router,
        )
    )
