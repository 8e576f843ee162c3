"""Batch jobs in OpenAI's ``Batch`` shape for every provider, and their per-request results.

A provider with another batch API (Anthropic message batches, Mistral jobs, Gemini batches) maps
its job onto these fields and its statuses onto OpenAI's: ``validating``, ``in_progress``,
``finalizing``, ``completed``, ``failed``, ``expired``, ``cancelling``, ``cancelled``. Results come back
as one :class:`BatchResultItem` per input line, keyed by the caller's ``custom_id``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from any_llm.types.completion import ChatCompletion

__all__ = [
    "BATCH_DONE",
    "Batch",
    "BatchError",
    "BatchErrors",
    "BatchRequestCounts",
    "BatchResult",
    "BatchResultError",
    "BatchResultItem",
    "BatchStatus",
]

BatchStatus = Literal[
    "validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled"
]
BATCH_DONE = frozenset({"completed", "failed", "expired", "cancelled"})
"""Terminal statuses: nothing changes after these."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


class BatchRequestCounts(_Model):
    total: int = 0
    completed: int = 0
    failed: int = 0


class BatchError(_Model):
    code: str | None = None
    message: str | None = None
    line: int | None = None
    param: str | None = None


class BatchErrors(_Model):
    data: list[BatchError] = Field(default_factory=list)
    object: str = "list"


class Batch(_Model):
    id: str
    object: str = "batch"
    endpoint: str = ""
    status: BatchStatus
    input_file_id: str = ""
    completion_window: str = "24h"
    created_at: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: BatchErrors | None = None
    in_progress_at: int | None = None
    expires_at: int | None = None
    finalizing_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    expired_at: int | None = None
    cancelling_at: int | None = None
    cancelled_at: int | None = None
    request_counts: BatchRequestCounts | None = None
    metadata: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        return self.status in BATCH_DONE


class BatchResultError(_Model):
    code: str
    message: str


class BatchResultItem(_Model):
    """One input line's outcome: ``result`` when it succeeded, ``error`` when it did not."""

    custom_id: str
    result: ChatCompletion | dict[str, Any] | None = None
    """The parsed chat completion; the raw body for other endpoints (embeddings...)."""
    error: BatchResultError | None = None


class BatchResult(_Model):
    results: list[BatchResultItem] = Field(default_factory=list)
