"""Gemini Batch API (``models/{m}:batchGenerateContent``, ``batches/*``) behind OpenAI's batch shape.

https://ai.google.dev/gemini-api/docs/batch-api and https://ai.google.dev/api/batch-api:
- a batch runs one model; the OpenAI JSONL is translated line by line (each chat-completions body through
  the plugin's own request translator) into inlined requests ``{"request": GenerateContentRequest,
  "metadata": {"key": custom_id}}``, streamed as the request body (Google caps inlined batches at 20 MB);
- create and get answer a long-running operation whose ``metadata`` is the batch (``state``
  ``BATCH_STATE_*``, ``batchStats``, RFC 3339 times) and whose ``response`` holds the inlined responses
  once done, in input order; a response without ``metadata.key`` takes its position as ``custom_id``;
- cancel answers ``{}``: the flow reads the batch again; the list pages by ``pageToken``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.families.openai_wire import iter_jsonl, validated
from any_llm.provider import CompletionParams
from any_llm.wire import loads_object

if TYPE_CHECKING:
    from any_llm.families.params import BatchParams
    from any_llm.types.batch import Batch, BatchResultItem
    from any_llm.types.completion import ChatCompletion

__all__ = ["STATES", "batch_from_operation", "batch_path", "request_body", "result_items", "scan_input"]

STATES = {
    "BATCH_STATE_PENDING": "validating",
    "BATCH_STATE_RUNNING": "in_progress",
    "BATCH_STATE_SUCCEEDED": "completed",
    "BATCH_STATE_FAILED": "failed",
    "BATCH_STATE_CANCELLED": "cancelled",
    "BATCH_STATE_EXPIRED": "expired",
}


def _params(body: dict[str, Any], where: str) -> CompletionParams:
    from any_llm.params import SEED_PARAM_NAMES, build_params

    body = dict(body)
    model, messages = body.pop("model", None), body.pop("messages", None)
    if not isinstance(model, str) or not isinstance(messages, list):
        raise errors.ConfigurationError(f"{where}: a chat completions body needs 'model' and 'messages'")
    body.pop("stream", None)
    args = {k: body.pop(k) for k in SEED_PARAM_NAMES if k in body}
    return build_params(model, messages, args, body)


def scan_input(params: BatchParams) -> str:
    """The one model of the file (a Gemini batch runs one model); every line must target the endpoint."""
    if params.endpoint != "/v1/chat/completions":
        raise errors.ConfigurationError(f"gemini batches run chat completions only, got endpoint={params.endpoint!r}")
    if set(params.metadata or {}) - {"display_name"}:
        raise errors.UnsupportedParameterError(
            "metadata", "gemini", "a Gemini batch keeps only metadata['display_name']"
        )
    if params.completion_window != "24h":
        raise errors.UnsupportedParameterError("completion_window", "gemini", "Gemini batches have a fixed 24h target")
    models: set[str] = set()
    for number, line in enumerate(iter_jsonl(params.input_file_path), 1):
        where = f"{params.input_file_path}:{number}"
        if line.get("url", params.endpoint) != params.endpoint or not isinstance(line.get("body"), dict):
            raise errors.ConfigurationError(f"{where} needs a body for {params.endpoint}")
        models.add(_params(line["body"], where).model)
    if len(models) != 1:
        raise errors.ConfigurationError(
            f"a gemini batch runs one model; the file names {sorted(models) or 'none'}. Split it per model."
        )
    return models.pop()


def request_body(params: BatchParams, build: Callable[[CompletionParams], dict[str, Any]]) -> Iterator[bytes]:
    """``{"batch": {"displayName", "inputConfig": {"requests": {"requests": [...]}}}}``, piece by piece."""
    name = json.dumps(str((params.metadata or {}).get("display_name") or "anyllm-batch"))
    yield b'{"batch":{"displayName":' + name.encode() + b',"inputConfig":{"requests":{"requests":['
    for number, line in enumerate(iter_jsonl(params.input_file_path), 1):
        request = build(_params(line["body"], f"{params.input_file_path}:{number}"))
        item = {"request": request, "metadata": {"key": str(line.get("custom_id", number - 1))}}
        yield (b"," if number > 1 else b"") + json.dumps(item, ensure_ascii=False).encode()
    yield b"]}}}}"


def batch_path(batch_id: str) -> str:
    from urllib.parse import quote

    name = batch_id if batch_id.startswith("batches/") else f"batches/{batch_id}"
    return quote(name, safe="/-._~")


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str) or not value:
        return None
    import re

    # RFC 3339 with up to 9 fractional digits and "Z": Python 3.10's fromisoformat takes 0 or 6 digits
    # and no "Z", so normalize to exactly that
    match = re.fullmatch(r"([^.]+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?", value)
    if match is None:
        return None
    head, fraction, zone = match.groups()
    text = head + (f".{(fraction + '000000')[:6]}" if fraction else "")
    text += "+00:00" if zone in (None, "Z") else zone
    return int(datetime.fromisoformat(text).timestamp())


def batch_from_operation(body: bytes, provider: str) -> Batch:
    """An operation (or a bare batch) as OpenAI's ``Batch``."""
    from any_llm.types.batch import Batch

    data = loads_object(body, provider, "a batch")
    meta: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else data
    state = STATES.get(str(meta.get("state")))
    if state is None:
        raise errors.ResponseValidationError(
            f"{provider} sent an unknown batch state {meta.get('state')!r}", provider=provider, body=body.decode()
        )
    stats: dict[str, Any] = meta["batchStats"] if isinstance(meta.get("batchStats"), dict) else {}
    ended = _epoch(meta.get("endTime"))
    error = data.get("error") if isinstance(data.get("error"), dict) else None
    shaped = {
        "id": meta.get("name") or data.get("name"),
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "status": state,
        "created_at": _epoch(meta.get("createTime")) or 0,
        "completed_at": ended if state == "completed" else None,
        "failed_at": ended if state == "failed" else None,
        "cancelled_at": ended if state == "cancelled" else None,
        "expired_at": ended if state == "expired" else None,
        "errors": {"object": "list", "data": [{"code": str(error.get("code")), "message": error.get("message")}]}
        if error
        else None,
        "request_counts": {
            "total": int(stats.get("requestCount") or 0),
            "completed": int(stats.get("successfulRequestCount") or 0),
            "failed": int(stats.get("failedRequestCount") or 0),
        },
        "model": meta.get("model"),
        "display_name": meta.get("displayName"),
    }
    batch: Batch = validated(Batch, shaped, provider, "a batch", body)
    return batch


def result_items(body: bytes, provider: str, parse: Callable[[bytes], ChatCompletion]) -> list[BatchResultItem]:
    """The inlined responses of a finished batch operation, in input order."""
    from any_llm.types.batch import BatchResultItem

    data = loads_object(body, provider, "a batch")
    meta: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    output = data.get("response") or meta.get("output") or {}
    inlined = output.get("inlinedResponses") if isinstance(output, dict) else None
    items = inlined.get("inlinedResponses") if isinstance(inlined, dict) else inlined
    if not isinstance(items, list):
        raise errors.ResponseValidationError(
            f"{provider} batch has no inlined responses (a responsesFile batch is not read here)",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        )
    out = []
    for index, item in enumerate(items):
        key = (item.get("metadata") or {}).get("key") if isinstance(item, dict) else None
        custom_id = str(key if key is not None else index)
        if isinstance(item, dict) and isinstance(item.get("response"), dict):
            out.append(BatchResultItem(custom_id=custom_id, result=parse(json.dumps(item["response"]).encode())))
            continue
        error: dict[str, Any] = item["error"] if isinstance(item, dict) and isinstance(item.get("error"), dict) else {}
        code = str(error.get("status") or error.get("code") or "error")
        out.append(
            BatchResultItem(custom_id=custom_id, error={"code": code, "message": str(error.get("message") or "")})
        )
    return out
