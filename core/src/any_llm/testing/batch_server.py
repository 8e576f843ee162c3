"""A batch API on 127.0.0.1 with state: files, batches that move through their statuses, echo answers.

The families tests script each answer of a batch (upload, create, retrieve, download) on a
:class:`~any_llm.testing.server.MockServer` queue; a bulk job in batch mode needs more: it polls an
unknown number of times, may be killed and rerun, lists batches to find one it created. So this
server keeps the state a provider keeps, behind a MockServer handler (real sockets, the real httpx
stack), and answers each request line the way :mod:`any_llm.testing.echo_server` does
(``"echo: <last user message>"``), so a test can check every answer against its own row.

Two protocols, chosen by path:

- OpenAI: ``POST /v1/files`` (multipart), ``POST /v1/batches``, ``GET /v1/batches[/{id}]``,
  ``POST /v1/batches/{id}/cancel``, ``GET /v1/files/{id}/content``; statuses validating →
  in_progress → finalizing → completed, one step per poll after ``polls_to_finish`` polls; failed rows
  (an empty user message) go to the error file as 400s with code ``invalid_request``.
- Anthropic message batches: ``POST /v1/messages/batches`` (``{"requests": [{custom_id, params}]}``),
  ``GET /v1/messages/batches[/{id}]``, ``GET /v1/messages/batches/{id}/results``; in_progress →
  ended; failed rows are ``errored`` with ``invalid_request_error``.

``fail_polls`` answers that many retrieve calls with a 503 first (a poller must retry them).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from any_llm.testing.echo_server import echo_text
from any_llm.testing.server import MockServer, RecordedRequest, Reply

__all__ = ["BatchServer"]

_OPENAI_STEPS = ("validating", "in_progress", "finalizing", "completed")


@dataclass
class _Batch:
    id: str
    protocol: str
    lines: list[dict[str, Any]]
    endpoint: str = "/v1/chat/completions"
    metadata: dict[str, Any] | None = None
    input_file_id: str = ""
    polls: int = 0
    cancelled: bool = False
    output_file_id: str | None = None
    error_file_id: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


def _user_text(messages: Any) -> str:
    return echo_text(messages)[len("echo: ") :]


class BatchServer:
    """``with BatchServer(polls_to_finish=2) as srv: srv.url``; ``srv.created`` counts batch creations."""

    def __init__(self, polls_to_finish: int = 2, fail_polls: int = 0, model: str = "test-model") -> None:
        self.polls_to_finish = polls_to_finish
        self.fail_polls = fail_polls
        self.model = model
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, _Batch] = {}
        self.created = 0
        self.polls = 0
        self._lock = threading.Lock()
        self._server = MockServer(self._handle)
        self.url = self._server.url

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._server.requests

    def __enter__(self) -> BatchServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    # -- routing --------------------------------------------------------------------------------

    def _handle(self, request: RecordedRequest) -> Reply:
        path = request.path.split("?")[0].rstrip("/")
        with self._lock:
            if path.startswith("/v1/messages/batches"):
                return self._anthropic(request, path[len("/v1/messages/batches") :])
            if path == "/v1/files" and request.method == "POST":
                return self._upload(request)
            if path.startswith("/v1/files/") and path.endswith("/content"):
                content = self.files.get(path.split("/")[3])
                if content is None:
                    return _not_found("file")
                return Reply.text(content.decode(), content_type="application/octet-stream")
            if path.startswith("/v1/batches"):
                return self._openai(request, path[len("/v1/batches") :])
        return _not_found("route " + path)

    # -- OpenAI ---------------------------------------------------------------------------------

    def _upload(self, request: RecordedRequest) -> Reply:
        from any_llm.testing.families import multipart_fields

        fields, files = multipart_fields(request)
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = files["file"]
        return Reply.json(
            {
                "id": file_id,
                "object": "file",
                "bytes": len(files["file"]),
                "created_at": 1700000000,
                "filename": "batch.jsonl",
                "purpose": fields.get("purpose", "batch"),
                "status": "processed",
            }
        )

    def _openai(self, request: RecordedRequest, rest: str) -> Reply:
        if rest == "" and request.method == "POST":
            body = request.json
            content = self.files.get(body["input_file_id"])
            if content is None:
                return _not_found("input file")
            lines = [json.loads(line) for line in content.splitlines() if line.strip()]
            batch = self._new("openai", lines, metadata=body.get("metadata"))
            batch.endpoint, batch.input_file_id = body["endpoint"], body["input_file_id"]
            return Reply.json(self._openai_json(batch))
        if rest == "" and request.method == "GET":
            data = [self._openai_json(b) for b in reversed(self.batches.values()) if b.protocol == "openai"]
            last = data[-1]["id"] if data else None
            return Reply.json({"object": "list", "data": data, "has_more": False, "first_id": None, "last_id": last})
        found = self.batches.get(rest.strip("/").split("/")[0])
        if found is None or found.protocol != "openai":
            return _not_found("batch")
        batch = found
        if rest.endswith("/cancel"):
            batch.cancelled = True
            return Reply.json(self._openai_json(batch))
        if self.fail_polls > 0:
            self.fail_polls -= 1
            return Reply.json({"error": {"message": "overloaded", "type": "server_error"}}, status=503)
        self.polls += 1
        batch.polls += 1
        return Reply.json(self._openai_json(batch))

    def _new(self, protocol: str, lines: list[dict[str, Any]], metadata: Any = None) -> _Batch:
        self.created += 1
        prefix = "batch" if protocol == "openai" else "msgbatch"
        batch = _Batch(f"{prefix}_{self.created:04d}", protocol, lines, metadata=metadata)
        self.batches[batch.id] = batch
        return batch

    def _step(self, batch: _Batch) -> int:
        return min(batch.polls, self.polls_to_finish)

    def _finish(self, batch: _Batch) -> None:
        """Answer every line (once, when the batch completes)."""
        if batch.results:
            return
        for line in batch.lines:
            if batch.protocol == "openai":
                messages = line.get("body", {}).get("messages")
            else:
                messages = line["params"].get("messages")
            text = _user_text(messages)
            batch.results.append({"custom_id": line["custom_id"], "ok": bool(text), "text": "echo: " + text})

    def _openai_json(self, batch: _Batch) -> dict[str, Any]:
        step = self._step(batch)
        status = "cancelled" if batch.cancelled else _OPENAI_STEPS[min(step * 3 // max(self.polls_to_finish, 1), 3)]
        if step >= self.polls_to_finish and not batch.cancelled:
            status = "completed"
            self._finish(batch)
            if batch.output_file_id is None:
                batch.output_file_id, batch.error_file_id = self._openai_files(batch)
        ok = sum(1 for r in batch.results if r["ok"])
        return {
            "id": batch.id,
            "object": "batch",
            "endpoint": batch.endpoint,
            "input_file_id": batch.input_file_id,
            "completion_window": "24h",
            "status": status,
            "created_at": 1700000000,
            "output_file_id": batch.output_file_id,
            "error_file_id": batch.error_file_id,
            "metadata": batch.metadata,
            "request_counts": {"total": len(batch.lines), "completed": ok, "failed": len(batch.results) - ok},
        }

    def _openai_files(self, batch: _Batch) -> tuple[str, str]:
        out: list[str] = []
        err: list[str] = []
        for n, result in enumerate(batch.results):
            if result["ok"]:
                body = _completion(result["text"], self.model)
                line = {"id": f"br_{n}", "custom_id": result["custom_id"], "error": None}
                out.append(json.dumps({**line, "response": {"status_code": 200, "request_id": f"r{n}", "body": body}}))
            else:
                error = {"message": "messages[0].content is empty", "type": "invalid_request_error"}
                response = {
                    "status_code": 400,
                    "request_id": f"r{n}",
                    "body": {"error": {**error, "code": "invalid_request"}},
                }
                err.append(
                    json.dumps({"id": f"br_{n}", "custom_id": result["custom_id"], "response": response, "error": None})
                )
        out_id, err_id = f"file-out-{batch.id}", f"file-err-{batch.id}"
        self.files[out_id] = "".join(line + "\n" for line in out).encode()
        self.files[err_id] = "".join(line + "\n" for line in err).encode()
        return out_id, err_id

    # -- Anthropic ------------------------------------------------------------------------------

    def _anthropic(self, request: RecordedRequest, rest: str) -> Reply:
        if rest == "" and request.method == "POST":
            batch = self._new("anthropic", list(request.json["requests"]))
            return Reply.json(self._anthropic_json(batch))
        if rest == "" and request.method == "GET":
            data = [self._anthropic_json(b) for b in reversed(self.batches.values()) if b.protocol == "anthropic"]
            return Reply.json({"data": data, "has_more": False, "first_id": None, "last_id": None})
        found = self.batches.get(rest.strip("/").split("/")[0])
        if found is None or found.protocol != "anthropic":
            return _not_found("message batch")
        batch = found
        if rest.endswith("/results"):
            return Reply.text(
                "".join(json.dumps(r) + "\n" for r in self._anthropic_results(batch)), content_type="application/binary"
            )
        if self.fail_polls > 0:
            self.fail_polls -= 1
            return Reply.json({"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}, status=529)
        self.polls += 1
        batch.polls += 1
        return Reply.json(self._anthropic_json(batch))

    def _anthropic_json(self, batch: _Batch) -> dict[str, Any]:
        ended = self._step(batch) >= self.polls_to_finish
        if ended:
            self._finish(batch)
        ok = sum(1 for r in batch.results if r["ok"])
        counts = {
            "processing": 0 if ended else len(batch.lines),
            "succeeded": ok,
            "errored": len(batch.results) - ok,
            "canceled": 0,
            "expired": 0,
        }
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "ended_at": "2024-09-24T19:01:02.000000Z" if ended else None,
            "created_at": "2024-09-24T18:37:24.100435Z",
            "expires_at": "2024-09-25T18:37:24.100435Z",
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }

    def _anthropic_results(self, batch: _Batch) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for result in batch.results:
            if result["ok"]:
                message = {
                    "id": "msg_" + result["custom_id"],
                    "type": "message",
                    "role": "assistant",
                    "model": self.model,
                    "content": [{"type": "text", "text": result["text"]}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": 3, "output_tokens": len(result["text"].split())},
                }
                out.append({"custom_id": result["custom_id"], "result": {"type": "succeeded", "message": message}})
            else:
                error = {"type": "invalid_request_error", "message": "messages: text content blocks must be non-empty"}
                errored = {"type": "errored", "error": {"type": "error", "error": error}}
                out.append({"custom_id": result["custom_id"], "result": errored})
        return out


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-batch",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": len(text.split()), "total_tokens": 3 + len(text.split())},
    }


def _not_found(what: str) -> Reply:
    return Reply.json({"error": {"message": f"no such {what}", "type": "invalid_request_error"}}, status=404)
