"""Together's batch API behind OpenAI's batch shape (https://docs.together.ai/docs/batch-inference,
/reference/upload-file, /reference/batch-create).

- the input file goes to ``POST /v1/files/upload`` as multipart ``purpose=batch-api``, ``file_name``,
  ``file_type=jsonl`` (the lines are OpenAI's, untouched);
- ``POST /v1/batches`` answers ``{"job": {...}, "warning"}``; retrieve and cancel answer the job itself, the
  list a bare array of jobs; a job has upper-case statuses and RFC 3339 times, mapped onto OpenAI's.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.families.openai_wire import validated
from any_llm.wire import loads, loads_object

if TYPE_CHECKING:
    from any_llm.types.batch import Batch

__all__ = ["STATUSES", "batch_from_job", "batches_from_list"]

STATUSES = {
    "VALIDATING": "validating",
    "IN_PROGRESS": "in_progress",
    "COMPLETED": "completed",
    "FAILED": "failed",
    "EXPIRED": "expired",
    "CANCELLED": "cancelled",
    "CANCELLING": "cancelling",
}


def _epoch(value: Any) -> int | None:
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and value:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    return None


def job_to_batch(job: dict[str, Any], provider: str, body: bytes) -> Batch:
    from any_llm.types.batch import Batch

    status = STATUSES.get(str(job.get("status", "")).upper())
    if status is None:
        raise errors.ResponseValidationError(
            f"{provider} sent an unknown batch status {job.get('status')!r}", provider=provider, body=body.decode()
        )
    done = _epoch(job.get("completed_at"))
    error = job.get("error")
    shaped = {
        "id": job.get("id"),
        "object": "batch",
        "endpoint": job.get("endpoint") or "",
        "status": status,
        "input_file_id": job.get("input_file_id") or "",
        "created_at": _epoch(job.get("created_at")) or 0,
        "expires_at": _epoch(job.get("job_deadline")),
        "output_file_id": job.get("output_file_id") or None,
        "error_file_id": job.get("error_file_id") or None,
        "errors": {"object": "list", "data": [{"code": "error", "message": str(error)}]} if error else None,
        "completed_at": done if status == "completed" else None,
        "failed_at": done if status == "failed" else None,
        "model": job.get("model_id"),
        "progress": job.get("progress"),
    }
    batch: Batch = validated(Batch, shaped, provider, "a batch job", body)
    return batch


def batch_from_job(body: bytes, provider: str) -> Batch:
    """A job, whether wrapped (``{"job": ...}``, the create answer) or not."""
    data = loads_object(body, provider, "a batch job")
    job: dict[str, Any] = data["job"] if isinstance(data.get("job"), dict) else data
    return job_to_batch(job, provider, body)


def batches_from_list(body: bytes, provider: str) -> list[Batch]:
    data = loads(body, provider)
    items = data.get("data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise errors.ResponseValidationError(f"{provider} batch list is not an array", provider=provider)
    return [job_to_batch(item, provider, json.dumps(item).encode()) for item in items if isinstance(item, dict)]
