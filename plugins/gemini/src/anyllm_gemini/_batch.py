"""Gemini Batch API (``models/{m}:batchGenerateContent``, ``batches/*``) behind OpenAI's batch shape.

https://ai.google.dev/gemini-api/docs/batch-mode and https://ai.google.dev/api/batch-api:
- a batch runs one model; the OpenAI JSONL is translated line by line (each chat-completions body through
  the plugin's own request translator), never whole in memory. Google offers two inputs: inlined requests
  ``{"request": GenerateContentRequest, "metadata": {"key": custom_id}}`` in the create body, for batches
  under 20 MB, and an uploaded JSONL file of ``{"key": custom_id, "request": ...}`` lines, recommended for
  larger ones. :func:`scan_input` measures both translations in a first pass; small batches go inline, the
  rest through the Files API's resumable upload (start, then ``upload, finalize`` of the streamed lines,
  their length known from the scan) and ``inputConfig.fileName``;
- create and get answer a long-running operation whose ``metadata`` is the batch (``state``
  ``BATCH_STATE_*``, ``batchStats``, RFC 3339 times) and whose ``response`` holds, once done, the inlined
  responses in input order or a ``responsesFile``: JSONL of ``{"key", "response" | "error"}`` lines,
  downloaded from ``/download/v1beta/files/*:download?alt=media``; a result without a key takes its position
  as ``custom_id``;
- cancel answers ``{}``: the flow reads the batch again; the list pages by ``pageToken``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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

__all__ = [
    "INLINE_LIMIT",
    "STATES",
    "Scanned",
    "batch_from_operation",
    "batch_path",
    "file_batch_body",
    "file_lines",
    "file_result_items",
    "request_body",
    "responses_file",
    "result_items",
    "scan_input",
    "uploaded_file_name",
]

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


INLINE_LIMIT = 20_000_000
"""Google's cap on an inlined batch (the create request's size), in bytes: larger batches go through a file."""


@dataclass(frozen=True)
class Scanned:
    """What the first pass over the input learnt: the one model, and the size of each translation."""

    model: str
    inline_bytes: int
    file_bytes: int


def _requests(params: BatchParams, build: Callable[[CompletionParams], dict[str, Any]]) -> Iterator[tuple[str, bytes]]:
    """(custom_id, the GenerateContentRequest as JSON) per line, translated one line at a time."""
    for number, line in enumerate(iter_jsonl(params.input_file_path), 1):
        where = f"{params.input_file_path}:{number}"
        if line.get("url", params.endpoint) != params.endpoint or not isinstance(line.get("body"), dict):
            raise errors.ConfigurationError(f"{where} needs a body for {params.endpoint}")
        request = build(_params(line["body"], where))
        yield str(line.get("custom_id", number - 1)), json.dumps(request, ensure_ascii=False).encode()


def _inline_item(key: str, request: bytes) -> bytes:
    return b'{"request":' + request + b',"metadata":{"key":' + json.dumps(key).encode() + b"}}"


def _file_line(key: str, request: bytes) -> bytes:
    return b'{"key":' + json.dumps(key).encode() + b',"request":' + request + b"}\n"


def _display_name(params: BatchParams) -> bytes:
    return json.dumps(str((params.metadata or {}).get("display_name") or "anyllm-batch")).encode()


def scan_input(params: BatchParams, build: Callable[[CompletionParams], dict[str, Any]]) -> Scanned:
    """Check the whole file before anything is sent (one model, every line for the endpoint, each body
    translatable) and measure both translations, streaming: nothing but the sizes is kept."""
    if params.endpoint != "/v1/chat/completions":
        raise errors.ConfigurationError(f"gemini batches run chat completions only, got endpoint={params.endpoint!r}")
    if set(params.metadata or {}) - {"display_name"}:
        raise errors.UnsupportedParameterError(
            "metadata", "gemini", "a Gemini batch keeps only metadata['display_name']"
        )
    if params.completion_window != "24h":
        raise errors.UnsupportedParameterError("completion_window", "gemini", "Gemini batches have a fixed 24h target")
    models: set[str] = set()

    def build_and_note(completion: CompletionParams) -> dict[str, Any]:
        models.add(completion.model)
        return build(completion)

    inline = len(_inline_head(params)) + len(_INLINE_TAIL)
    lines = 0
    for number, (key, request) in enumerate(_requests(params, build_and_note)):
        inline += len(_inline_item(key, request)) + (1 if number else 0)
        lines += len(_file_line(key, request))
    if len(models) != 1:
        raise errors.ConfigurationError(
            f"a gemini batch runs one model; the file names {sorted(models) or 'none'}. Split it per model."
        )
    return Scanned(models.pop(), inline, lines)


_INLINE_TAIL = b"]}}}}"


def _inline_head(params: BatchParams) -> bytes:
    return b'{"batch":{"displayName":' + _display_name(params) + b',"inputConfig":{"requests":{"requests":['


def _inline_body(params: BatchParams, requests: Iterator[tuple[str, bytes]]) -> Iterator[bytes]:
    yield _inline_head(params)
    for number, (key, request) in enumerate(requests):
        yield (b"," if number else b"") + _inline_item(key, request)
    yield _INLINE_TAIL


def request_body(params: BatchParams, build: Callable[[CompletionParams], dict[str, Any]]) -> Iterator[bytes]:
    """``{"batch": {"displayName", "inputConfig": {"requests": {"requests": [...]}}}}``, piece by piece."""
    return _inline_body(params, _requests(params, build))


def file_lines(params: BatchParams, build: Callable[[CompletionParams], dict[str, Any]]) -> Iterator[bytes]:
    """The input file Google reads: one ``{"key": custom_id, "request": ...}`` line per input line."""
    for key, request in _requests(params, build):
        yield _file_line(key, request)


def file_batch_body(params: BatchParams, file_name: str) -> dict[str, Any]:
    """The create body of a batch whose requests are in the uploaded file ``file_name`` (``files/...``)."""
    name = json.loads(_display_name(params))
    return {"batch": {"displayName": name, "inputConfig": {"fileName": file_name}}}


def uploaded_file_name(body: bytes, provider: str) -> str:
    """``file.name`` of the Files API's answer to the finished upload."""
    data = loads_object(body, provider, "a file upload reply")
    file = data.get("file")
    name = file.get("name") if isinstance(file, dict) else None
    if not isinstance(name, str) or not name.startswith("files/"):
        raise errors.ResponseValidationError(
            f"{provider} answered the file upload without a file name ('file.name': 'files/...')",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        )
    return name


def responses_file(body: bytes, provider: str) -> str | None:
    """The ``responsesFile`` of a finished file batch, None for inlined results."""
    data = loads_object(body, provider, "a batch")
    meta: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    for output in (data.get("response"), meta.get("output"), data.get("output")):
        if isinstance(output, dict) and isinstance(output.get("responsesFile"), str) and output["responsesFile"]:
            return str(output["responsesFile"])
    return None


def file_result_items(body: bytes, provider: str, parse: Callable[[bytes], ChatCompletion]) -> list[BatchResultItem]:
    """The results file: one ``{"key", "response"}`` or ``{"key", "error"}`` line per request."""
    out = []
    for index, line in enumerate(line for line in body.splitlines() if line.strip()):
        try:
            item = json.loads(line)
        except ValueError:
            raise errors.ResponseValidationError(
                f"{provider} batch results line {index + 1} is not JSON",
                provider=provider,
                body=line.decode("utf-8", "replace")[:2000],
            ) from None
        out.append(_result_item(item, index, parse, key=item.get("key") if isinstance(item, dict) else None))
    return out


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
    data = loads_object(body, provider, "a batch")
    meta: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    output = data.get("response") or meta.get("output") or {}
    inlined = output.get("inlinedResponses") if isinstance(output, dict) else None
    items = inlined.get("inlinedResponses") if isinstance(inlined, dict) else inlined
    if not isinstance(items, list):
        raise errors.ResponseValidationError(
            f"{provider} batch has neither inlined responses nor a responsesFile",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        )
    return [_result_item(item, index, parse, key=_metadata_key(item)) for index, item in enumerate(items)]


def _metadata_key(item: Any) -> Any:
    metadata = item.get("metadata") if isinstance(item, dict) else None
    return metadata.get("key") if isinstance(metadata, dict) else None


def _result_item(item: Any, index: int, parse: Callable[[bytes], ChatCompletion], key: Any) -> BatchResultItem:
    from any_llm.types.batch import BatchResultItem

    custom_id = str(key if key is not None else index)
    if isinstance(item, dict) and isinstance(item.get("response"), dict):
        return BatchResultItem(custom_id=custom_id, result=parse(json.dumps(item["response"]).encode()))
    error: dict[str, Any] = item["error"] if isinstance(item, dict) and isinstance(item.get("error"), dict) else {}
    code = str(error.get("status") or error.get("code") or "error")
    return BatchResultItem(custom_id=custom_id, error={"code": code, "message": str(error.get("message") or "")})
