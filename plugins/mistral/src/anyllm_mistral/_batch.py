"""Mistral batch jobs (``/v1/batch/jobs``) behind OpenAI's batch shape.

https://docs.mistral.ai/capabilities/batch/ and the spec's BatchJobIn/BatchJobOut:
- an input line is ``{"custom_id", "body"}`` (no ``method``/``url``), the model is set on the job, so the
  OpenAI JSONL is translated line by line while it uploads (``purpose=batch``), never held in memory;
- a job is ``BatchJobOut`` (``input_files``, ``output_file``, ``error_file``, counters, upper-case
  statuses) and maps onto OpenAI's ``Batch``; the output file's lines already have OpenAI's
  ``{"custom_id", "response": {"status_code", "body"}, "error"}`` shape;
- the job list is paged by ``page``/``page_size`` with a ``total``; ``after`` is applied here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.families.openai_wire import iter_jsonl, validated
from any_llm.provider import HTTPRequest
from any_llm.uploads import FilePart, Multipart
from any_llm.wire import loads_object

if TYPE_CHECKING:
    from any_llm.families.params import BatchParams
    from any_llm.types.batch import Batch

__all__ = ["STATUSES", "batch_from_job", "job_request", "scan_input", "translated_lines", "upload_request"]

STATUSES = {
    "QUEUED": "validating",
    "RUNNING": "in_progress",
    "SUCCESS": "completed",
    "FAILED": "failed",
    "TIMEOUT_EXCEEDED": "expired",
    "CANCELLATION_REQUESTED": "cancelling",
    "CANCELLED": "cancelled",
}
ENDPOINTS = frozenset({"/v1/chat/completions", "/v1/embeddings", "/v1/fim/completions", "/v1/moderations"})


def scan_input(params: BatchParams) -> str | None:
    """Check every line's endpoint and find the one model of the file (Mistral sets it per job)."""
    if params.endpoint not in ENDPOINTS:
        raise errors.ConfigurationError(
            f"mistral batches serve {', '.join(sorted(ENDPOINTS))}; got {params.endpoint!r}"
        )
    models: set[str] = set()
    for number, line in enumerate(iter_jsonl(params.input_file_path), 1):
        url = line.get("url")
        if url is not None and url != params.endpoint:
            raise errors.ConfigurationError(
                f"{params.input_file_path}:{number} targets {url}, but the batch endpoint is {params.endpoint}"
            )
        body = line.get("body")
        if not isinstance(body, dict) or "custom_id" not in line:
            raise errors.ConfigurationError(f"{params.input_file_path}:{number} needs a custom_id and a body object")
        if isinstance(body.get("model"), str):
            models.add(body["model"])
    if len(models) > 1:
        raise errors.ConfigurationError(
            f"a mistral batch runs one model; the file names {sorted(models)}. Split it into one batch per model."
        )
    return next(iter(models), None)


def translated_lines(path: str) -> Iterator[bytes]:
    """The OpenAI JSONL as Mistral's ``{"custom_id", "body"}`` lines (the model moves to the job)."""
    for line in iter_jsonl(path):
        body = {k: v for k, v in line["body"].items() if k != "model"}
        yield (json.dumps({"custom_id": str(line["custom_id"]), "body": body}, ensure_ascii=False) + "\n").encode()


def upload_request(params: BatchParams) -> HTTPRequest:
    name = params.input_file_path.replace("\\", "/").rsplit("/", 1)[-1]
    part = FilePart(lambda: translated_lines(params.input_file_path), name, "application/jsonl")
    return HTTPRequest("POST", "files", upload=Multipart(fields={"purpose": "batch"}, files={"file": part}))


def job_request(file_id: str, model: str | None, params: BatchParams) -> HTTPRequest:
    body: dict[str, Any] = {"input_files": [file_id], "endpoint": params.endpoint}
    if model is not None:
        body["model"] = model
    if params.metadata is not None:
        body["metadata"] = params.metadata
    window = params.completion_window
    if window.endswith("h") and window[:-1].isdigit():
        body["timeout_hours"] = int(window[:-1])
    body.update(params.extra)
    return HTTPRequest("POST", "batch/jobs", json=body)


def batch_from_job(body: bytes, provider: str) -> Batch:
    """A ``BatchJobOut`` as OpenAI's ``Batch``."""
    from any_llm.types.batch import Batch

    job = loads_object(body, provider, "a batch job")
    status = STATUSES.get(str(job.get("status")))
    if status is None:
        raise errors.ResponseValidationError(
            f"{provider} sent an unknown batch status {job.get('status')!r}", provider=provider, body=body.decode()
        )
    created, completed = job.get("created_at"), job.get("completed_at")
    errs = [
        {"code": str(e.get("code") or "error"), "message": str(e.get("message") or "")}
        for e in job.get("errors") or []
        if isinstance(e, dict)
    ]
    inputs = job.get("input_files") or [""]
    shaped = {
        "id": job.get("id"),
        "object": "batch",
        "endpoint": job.get("endpoint") or "",
        "status": status,
        "input_file_id": str(inputs[0]),
        "created_at": created or 0,
        "in_progress_at": job.get("started_at"),
        "output_file_id": job.get("output_file"),
        "error_file_id": job.get("error_file"),
        "errors": {"object": "list", "data": errs} if errs else None,
        "completed_at": completed if status == "completed" else None,
        "failed_at": completed if status == "failed" else None,
        "expired_at": completed if status == "expired" else None,
        "cancelled_at": completed if status == "cancelled" else None,
        "request_counts": {
            "total": job.get("total_requests") or 0,
            "completed": job.get("succeeded_requests") or 0,
            "failed": job.get("failed_requests") or 0,
        },
        "metadata": job.get("metadata"),
        "model": job.get("model"),
    }
    batch: Batch = validated(Batch, shaped, provider, "a batch job", body)
    return batch
