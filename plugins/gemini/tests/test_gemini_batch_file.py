"""Gemini batches through an uploaded JSONL file (Google's input for batches over the 20 MB inline cap): the
Files API's resumable upload (start, then one streamed ``upload, finalize``), the create body naming the file,
polling, and the results file downloaded and read back into OpenAI's result shape. A fake Gemini server on
127.0.0.1 validates every body against the trimmed spec; plus a retried upload, a foreign upload URL, and the
translation's memory staying flat on a multi-megabyte input."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyllm_gemini import GeminiProvider, _batch

from any_llm import AnyLLM, errors, plugins
from any_llm.families.params import BatchParams
from any_llm.testing.conformance import TEXT
from any_llm.testing.families import BATCH_LINES
from any_llm.testing.schema import schema_errors
from any_llm.testing.server import MockServer, RecordedRequest, Reply

SPEC = Path(__file__).parent / "spec" / "gemini-native.json"
KEY = "gemini-test-key-123456"
SESSION = "/upload/v1beta/files?upload_id=up-1&upload_protocol=resumable"


def operation(state: str, **extra: Any) -> dict[str, Any]:
    meta = {"name": "batches/b1", "model": "models/test-model", "state": state, "createTime": "2025-07-09T17:01:02Z"}
    return {"name": "batches/b1", "metadata": {**meta, **extra.pop("metadata", {})}, **extra}


DONE = operation(
    "BATCH_STATE_SUCCEEDED",
    done=True,
    metadata={"endTime": "2025-07-09T17:30:00.123456789Z", "output": {"responsesFile": "files/batch-out-1"}},
    response={
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
        "responsesFile": "files/batch-out-1",
    },
)
ANSWER = {
    "candidates": [{"content": {"role": "model", "parts": [{"text": TEXT}]}, "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 6, "candidatesTokenCount": 8, "totalTokenCount": 14},
    "modelVersion": "test-model",
}


class FakeGemini(MockServer):
    """The routes of one file batch's life, each request checked against the spec before it is answered."""

    def __init__(self, upload_url: str | None = None, upload_failures: int = 0) -> None:
        super().__init__(handler=self.answer)
        self.upload_url = upload_url
        self.upload_failures = upload_failures
        self.declared = -1
        self.lines: list[dict[str, Any]] = []
        self.polls = 0

    def answer(self, request: RecordedRequest) -> Reply:
        path, headers = request.path, request.headers
        if path == "/upload/v1beta/files":
            assert (headers["x-goog-upload-protocol"], headers["x-goog-upload-command"]) == ("resumable", "start")
            assert headers["x-goog-upload-header-content-type"] == "application/jsonl"
            assert headers["x-goog-api-key"] == KEY
            assert schema_errors(SPEC, "CreateFileRequest", request.json) == []
            self.declared = int(headers["x-goog-upload-header-content-length"])
            return Reply.json({}, headers={"x-goog-upload-url": self.upload_url or self.url + SESSION})
        if path == SESSION:
            assert (headers["x-goog-upload-command"], headers["x-goog-upload-offset"]) == ("upload, finalize", "0")
            assert int(headers["content-length"]) == len(request.body) == self.declared
            if self.upload_failures:
                self.upload_failures -= 1
                return Reply.json({"error": {"code": 503, "message": "busy", "status": "UNAVAILABLE"}}, 503)
            self.lines = [json.loads(line) for line in request.body.splitlines()]
            for line in self.lines:
                assert set(line) == {"key", "request"} and isinstance(line["key"], str)
                assert schema_errors(SPEC, "GenerateContentRequest", line["request"]) == []
            file = {
                "name": "files/in-1",
                "mimeType": "application/jsonl",
                "sizeBytes": str(len(request.body)),
                "state": "ACTIVE",
                "source": "UPLOADED",
                "createTime": "2025-07-09T17:01:00Z",
            }
            assert schema_errors(SPEC, "MediaUploadResponse", {"file": file}) == []
            return Reply.json({"file": file})
        if path == "/v1beta/models/test-model:batchGenerateContent":
            assert schema_errors(SPEC, "CreateBatchGenerateContentRequest", request.json) == []
            assert request.json["batch"]["inputConfig"] == {"fileName": "files/in-1"}
            return Reply.json(operation("BATCH_STATE_PENDING"))
        if path == "/v1beta/batches/b1":
            self.polls += 1
            return Reply.json(operation("BATCH_STATE_RUNNING") if self.polls == 1 else DONE)
        if path == "/download/v1beta/files/batch-out-1:download?alt=media":
            assert schema_errors(SPEC, "GenerateContentResponse", ANSWER) == []
            first, second = (line["key"] for line in self.lines)
            error = {"code": 400, "message": "contents is empty", "status": "INVALID_ARGUMENT"}
            body = json.dumps({"key": second, "error": error}) + "\n" + json.dumps({"key": first, "response": ANSWER})
            return Reply(200, {"content-type": "application/octet-stream"}, [body.encode() + b"\n"])
        return Reply.json({"error": {"code": 404, "message": f"no route {path}", "status": "NOT_FOUND"}}, 404)


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    return path


@pytest.fixture
def file_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every batch over the inline cap: the file route without a 20 MB input."""
    monkeypatch.setattr(GeminiProvider, "batch_inline_limit", 0)
    with plugins.registered(GeminiProvider):
        yield


def client(server: MockServer, retries: int = 0) -> AnyLLM:
    return AnyLLM.create("gemini", api_key=KEY, api_base=server.url + "/v1beta", max_retries=retries)


@pytest.mark.usefixtures("file_mode")
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_whole_life_of_a_file_batch(jsonl: Path, mode: str) -> None:
    with FakeGemini() as server, client(server) as c:
        if mode == "async":
            batch = asyncio.run(c.acreate_batch(str(jsonl), "/v1/chat/completions", metadata={"display_name": "n"}))
        else:
            batch = c.create_batch(str(jsonl), "/v1/chat/completions", metadata={"display_name": "n"})
        assert (batch.id, batch.status) == ("batches/b1", "validating")
        with pytest.raises(errors.BatchNotCompleteError, match="in_progress"):
            c.retrieve_batch_results(batch.id)
        results = (
            c.retrieve_batch_results(batch.id) if mode == "sync" else asyncio.run(c.aretrieve_batch_results(batch.id))
        )
        assert c.retrieve_batch(batch.id).status == "completed"
        paths = [r.path for r in server.requests]
    assert paths[:3] == ["/upload/v1beta/files", SESSION, "/v1beta/models/test-model:batchGenerateContent"]
    assert paths[3:6] == [
        "/v1beta/batches/b1",
        "/v1beta/batches/b1",
        "/download/v1beta/files/batch-out-1:download?alt=media",
    ]
    assert [line["key"] for line in server.lines] == ["req-1", "req-2"]
    assert server.lines[0]["request"]["contents"] == [{"role": "user", "parts": [{"text": "Capital of France?"}]}]
    by_id = {item.custom_id: item for item in results.results}
    assert by_id["req-1"].result is not None and by_id["req-1"].result.choices[0].message.content == TEXT
    assert by_id["req-1"].result.usage is not None and by_id["req-1"].result.usage.total_tokens == 14
    error = by_id["req-2"].error
    assert error is not None and (error.code, error.message) == ("INVALID_ARGUMENT", "contents is empty")


@pytest.mark.usefixtures("file_mode")
def test_a_failed_upload_is_retried_with_the_same_bytes(jsonl: Path) -> None:
    with FakeGemini(upload_failures=1) as server, client(server, retries=1) as c:
        c.create_batch(str(jsonl), "/v1/chat/completions")
        first, second = (r for r in server.requests if r.path == SESSION)
    assert first.body == second.body and len(first.body) == server.declared


@pytest.mark.usefixtures("file_mode")
def test_an_upload_url_on_another_origin_is_refused(jsonl: Path) -> None:
    with FakeGemini(upload_url="http://203.0.113.9/upload?upload_id=x") as server, client(server) as c:
        with pytest.raises(errors.ResponseValidationError, match="upload URL"):
            c.create_batch(str(jsonl), "/v1/chat/completions")
        assert [r.path for r in server.requests] == ["/upload/v1beta/files"]  # the key went nowhere else


def test_small_batches_stay_inline_and_the_sizes_are_exact(jsonl: Path) -> None:
    provider = GeminiProvider(api_key=KEY)
    params = BatchParams(str(jsonl), "/v1/chat/completions", "24h", None, {})
    scan = _batch.scan_input(params, provider._batch_request)
    assert scan.model == "test-model" and scan.inline_bytes <= provider.batch_inline_limit
    assert scan.inline_bytes == len(b"".join(_batch.request_body(params, provider._batch_request)))
    assert scan.file_bytes == len(b"".join(_batch.file_lines(params, provider._batch_request)))


def test_translating_a_large_input_keeps_memory_flat(tmp_path: Path) -> None:
    """8 MB of OpenAI JSONL measured and translated line by line: the peak stays far below the file."""
    path = tmp_path / "big.jsonl"
    line = {**BATCH_LINES[0], "body": {**BATCH_LINES[0]["body"], "messages": [{"role": "user", "content": "x" * 8000}]}}
    with open(path, "w") as fh:
        for n in range(1000):
            fh.write(json.dumps({**line, "custom_id": f"r{n}"}) + "\n")
    provider = GeminiProvider(api_key=KEY)
    params = BatchParams(str(path), "/v1/chat/completions", "24h", None, {})
    tracemalloc.start()
    try:
        scan = _batch.scan_input(params, provider._batch_request)
        sent = sum(len(chunk) for chunk in _batch.file_lines(params, provider._batch_request))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sent == scan.file_bytes > 8_000_000 > provider.batch_inline_limit / 4
    assert peak < 1_000_000, f"peak {peak / 1e6:.1f} MB while translating {sent / 1e6:.1f} MB"
