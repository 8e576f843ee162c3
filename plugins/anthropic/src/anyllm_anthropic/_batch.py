"""Anthropic Message Batches (``/v1/messages/batches``) behind OpenAI's batch shape.

https://docs.anthropic.com/en/api/creating-message-batches and the sibling pages:
- there is no file upload: the batch is one JSON body ``{"requests": [{"custom_id", "params"}]}``. It is
  produced line by line from the OpenAI JSONL while it is sent (a streamed body, regenerated on a retry),
  each line's chat-completions ``body`` translated to Messages ``params`` by the plugin's own translator;
- a ``message_batch`` has ``processing_status`` in_progress / canceling / ended and per-outcome
  ``request_counts``; it maps onto OpenAI's statuses (ended → completed, or cancelled / expired when
  that is what happened to it);
- results are JSONL at ``/v1/messages/batches/{id}/results``: ``succeeded`` (a Message, translated to a
  ChatCompletion), ``errored``, ``canceled``, ``expired``; they become OpenAI-shaped result items.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from any_llm import errors
from any_llm.families.openai_wire import iter_jsonl, validated
from any_llm.provider import CompletionParams
from any_llm.wire import loads_object

if TYPE_CHECKING:
    from any_llm.types.batch import Batch, BatchResultItem
    from any_llm.types.completion import ChatCompletion

__all__ = ["batch_from_message_batch", "request_lines", "result_item"]

MAX_REQUESTS = 100_000
"""Anthropic's limit of requests per batch."""


def _params_for(body: dict[str, Any], where: str) -> CompletionParams:
    from any_llm.params import SEED_PARAM_NAMES, build_params

    body = dict(body)
    model = body.pop("model", None)
    messages = body.pop("messages", None)
    if not isinstance(model, str) or not isinstance(messages, list):
        raise errors.ConfigurationError(f"{where}: a chat completions body needs 'model' and 'messages'")
    body.pop("stream", None)
    args = {k: body.pop(k) for k in SEED_PARAM_NAMES if k in body}
    return build_params(model, messages, args, body)


def request_lines(path: str, endpoint: str, build: Callable[[CompletionParams], dict[str, Any]]) -> Iterator[bytes]:
    """The ``{"requests": [...]}`` body, piece by piece: one translated request per JSONL line."""
    yield b'{"requests":['
    for number, line in enumerate(iter_jsonl(path), 1):
        where = f"{path}:{number}"
        if line.get("url", endpoint) != endpoint:
            raise errors.ConfigurationError(f"{where} targets {line.get('url')}, but the batch endpoint is {endpoint}")
        if number > MAX_REQUESTS:
            raise errors.ConfigurationError(f"{path}: an Anthropic batch holds at most {MAX_REQUESTS} requests")
        if "custom_id" not in line or not isinstance(line.get("body"), dict):
            raise errors.ConfigurationError(f"{where} needs a custom_id and a body object")
        request = {"custom_id": str(line["custom_id"]), "params": build(_params_for(line["body"], where))}
        yield (b"," if number > 1 else b"") + json.dumps(request, ensure_ascii=False).encode()
    yield b"]}"


def check_input(path: str, endpoint: str, build: Callable[[CompletionParams], dict[str, Any]]) -> None:
    """Translate every line once before sending, so a bad line fails with nothing sent."""
    for _ in request_lines(path, endpoint, build):
        pass


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str) or not value:
        return None
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def batch_from_message_batch(body: bytes, provider: str) -> Batch:
    """A ``message_batch`` as OpenAI's ``Batch``."""
    from any_llm.types.batch import Batch

    data = loads_object(body, provider, "a message batch")
    counts: dict[str, Any] = data["request_counts"] if isinstance(data.get("request_counts"), dict) else {}
    processing = data.get("processing_status")
    ended = _epoch(data.get("ended_at"))
    succeeded, errored = int(counts.get("succeeded") or 0), int(counts.get("errored") or 0)
    canceled, expired = int(counts.get("canceled") or 0), int(counts.get("expired") or 0)
    total = succeeded + errored + canceled + expired + int(counts.get("processing") or 0)
    if processing == "in_progress":
        status = "in_progress"
    elif processing == "canceling":
        status = "cancelling"
    elif processing == "ended":
        if data.get("cancel_initiated_at"):
            status = "cancelled"
        elif expired and not succeeded and not errored:
            status = "expired"
        else:
            status = "completed"
    else:
        raise errors.ResponseValidationError(
            f"{provider} sent an unknown processing_status {processing!r}", provider=provider, body=body.decode()
        )
    shaped = {
        "id": data.get("id"),
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "status": status,
        "created_at": _epoch(data.get("created_at")) or 0,
        "in_progress_at": _epoch(data.get("created_at")),
        "expires_at": _epoch(data.get("expires_at")),
        "cancelling_at": _epoch(data.get("cancel_initiated_at")),
        "completed_at": ended if status == "completed" else None,
        "cancelled_at": ended if status == "cancelled" else None,
        "expired_at": ended if status == "expired" else None,
        "request_counts": {"total": total, "completed": succeeded, "failed": errored + canceled + expired},
        "results_url": data.get("results_url"),
    }
    batch: Batch = validated(Batch, shaped, provider, "a message batch", body)
    return batch


def results_path(base: Callable[[str], str], batch_id: str) -> str:
    return base(f"messages/batches/{quote(batch_id, safe='')}/results")


def result_item(line: bytes, provider: str, parse: Callable[[bytes], ChatCompletion]) -> BatchResultItem:
    """One results line as an OpenAI-shaped result item."""
    from any_llm.types.batch import BatchResultItem

    data = loads_object(line, provider, "a batch result line")
    custom_id = str(data.get("custom_id") or "")
    raw = data.get("result")
    result: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kind = result.get("type")
    if kind == "succeeded":
        return BatchResultItem(custom_id=custom_id, result=parse(json.dumps(result.get("message")).encode()))
    if kind == "errored":
        outer: dict[str, Any] = result["error"] if isinstance(result.get("error"), dict) else {}
        inner: dict[str, Any] = outer["error"] if isinstance(outer.get("error"), dict) else outer
        return BatchResultItem(
            custom_id=custom_id,
            error={"code": str(inner.get("type") or "error"), "message": str(inner.get("message") or "")},
        )
    if kind in ("canceled", "expired"):
        message = "the batch was cancelled first" if kind == "canceled" else "the batch expired before it ran"
        return BatchResultItem(custom_id=custom_id, error={"code": kind, "message": message})
    raise errors.ResponseValidationError(
        f"{provider} sent a batch result of unknown type {kind!r}", provider=provider, body=line.decode()
    )
