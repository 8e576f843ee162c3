"""An OpenAI batch's whole life against a local server that plays the Batch API, sync and async:
validating → in_progress → completed with a failed row; expired (with and without partial output);
cancelled; pages of the batch list. Bodies are checked against OpenAI's official schemas."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_openai import OpenAIProvider

import any_llm
from any_llm import errors, plugins
from any_llm.testing import MockServer, RecordedRequest, Reply
from any_llm.testing.conformance import completion_json
from any_llm.testing.families import BATCH_LINES, FAMILIES_SPEC, multipart_fields
from any_llm.testing.schema import schema_errors

KEY = "sk-batch-test-000000000"


class BatchAPI:
    """A tiny stateful OpenAI Batch API: each retrieve moves a batch one step along ``script``."""

    def __init__(self, script: list[str], output: bool = True) -> None:
        self.script = script
        self.output = output
        self.batches: dict[str, dict[str, Any]] = {}
        self.step: dict[str, int] = {}
        self.uploads: list[bytes] = []

    def batch(self, batch_id: str) -> dict[str, Any]:
        status = self.script[min(self.step[batch_id], len(self.script) - 1)]
        body = {**self.batches[batch_id], "status": status}
        if status in ("completed", "expired", "cancelled") and self.output:
            body |= {"output_file_id": "file-out", "error_file_id": "file-err"}
        if status != "validating":
            body["in_progress_at"] = 1700000010
        assert schema_errors(FAMILIES_SPEC, "Batch", body) == []
        return body

    def __call__(self, request: RecordedRequest) -> Reply:
        path = request.path.split("?")[0]
        if request.method == "POST" and path == "/v1/files":
            fields, files = multipart_fields(request)
            assert schema_errors(FAMILIES_SPEC, "CreateFileRequest", {**fields, "file": "<binary>"}) == []
            self.uploads.append(files["file"])
            return Reply.json(
                {
                    "id": "file-in",
                    "object": "file",
                    "bytes": len(files["file"]),
                    "created_at": 1,
                    "filename": "in.jsonl",
                    "purpose": "batch",
                }
            )
        if request.method == "POST" and path == "/v1/batches":
            assert schema_errors(FAMILIES_SPEC, "CreateBatchRequest", request.json) == []
            batch_id = f"batch_{len(self.batches)}"
            self.batches[batch_id] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": request.json["endpoint"],
                "input_file_id": request.json["input_file_id"],
                "completion_window": "24h",
                "created_at": 1700000000,
                "metadata": request.json.get("metadata"),
                "request_counts": {"total": 2, "completed": 1, "failed": 1},
            }
            self.step[batch_id] = 0
            return Reply.json(self.batch(batch_id))
        if request.method == "GET" and path.startswith("/v1/batches/"):
            batch_id = path.rsplit("/", 1)[1]
            body = self.batch(batch_id)
            self.step[batch_id] += 1
            return Reply.json(body)
        if request.method == "POST" and path.endswith("/cancel"):
            batch_id = path.split("/")[3]
            self.script = ["cancelling", "cancelled"]
            self.step[batch_id] = 0
            return Reply.json(self.batch(batch_id))
        if path == "/v1/files/file-out/content":
            line = {
                "id": "r1",
                "custom_id": "req-1",
                "error": None,
                "response": {"status_code": 200, "request_id": "q1", "body": completion_json({"content": "Paris."})},
            }
            return Reply.text(json.dumps(line) + "\n")
        if path == "/v1/files/file-err/content":
            line = {
                "id": "r2",
                "custom_id": "req-2",
                "response": None,
                "error": {"code": "invalid_request", "message": "empty content"},
            }
            return Reply.text(json.dumps(line) + "\n")
        if path == "/v1/batches":
            query = request.query
            ids = [f"batch_{i}" for i in range(5)]
            start = ids.index(query["after"]) + 1 if "after" in query else 0
            page = ids[start : start + 2]
            data = [
                {
                    "id": i,
                    "object": "batch",
                    "endpoint": "/v1/chat/completions",
                    "input_file_id": "f",
                    "completion_window": "24h",
                    "status": "completed",
                    "created_at": 1,
                }
                for i in page
            ]
            return Reply.json(
                {
                    "object": "list",
                    "data": data,
                    "first_id": page[0],
                    "last_id": page[-1],
                    "has_more": start + 2 < len(ids),
                }
            )
        return Reply.json({"error": {"message": f"unexpected {request.method} {path}"}}, 404)


def call(mode: str, name: str, *args: Any, **kwargs: Any) -> Any:
    if mode == "async":
        return asyncio.run(getattr(any_llm, "a" + name)("openai", *args, **kwargs))
    return getattr(any_llm, name)("openai", *args, **kwargs)


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    return path


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
def test_validating_in_progress_completed_with_a_failed_row(batch_file: Path, mode: str) -> None:
    api = BatchAPI(["validating", "in_progress", "finalizing", "completed"])
    with plugins.registered(OpenAIProvider), MockServer(api) as server:
        kw = {"api_key": KEY, "api_base": server.url + "/v1"}
        batch = call(mode, "create_batch", str(batch_file), "/v1/chat/completions", metadata={"k": "v"}, **kw)
        assert (batch.status, batch.metadata) == ("validating", {"k": "v"})
        assert api.uploads == [batch_file.read_bytes()]
        seen = [call(mode, "retrieve_batch", batch.id, **kw).status for _ in range(2)]
        assert seen == ["validating", "in_progress"]
        with pytest.raises(errors.BatchNotCompleteError) as caught:
            call(mode, "retrieve_batch_results", batch.id, **kw)
        assert (caught.value.status, caught.value.batch_id) == ("finalizing", batch.id)
        assert "poll retrieve_batch()" in str(caught.value)
        results = call(mode, "retrieve_batch_results", batch.id, **kw)
    by_id = {item.custom_id: item for item in results.results}
    assert by_id["req-1"].result.choices[0].message.content == "Paris."
    assert by_id["req-2"].result is None and by_id["req-2"].error.code == "invalid_request"


@pytest.mark.parametrize("mode", MODES)
def test_expired_gives_partial_results_or_says_why_there_are_none(batch_file: Path, mode: str) -> None:
    for output in (True, False):
        api = BatchAPI(["expired"], output=output)
        with plugins.registered(OpenAIProvider), MockServer(api) as server:
            kw = {"api_key": KEY, "api_base": server.url + "/v1"}
            batch = call(mode, "create_batch", str(batch_file), "/v1/chat/completions", **kw)
            if output:
                assert len(call(mode, "retrieve_batch_results", batch.id, **kw).results) == 2
            else:
                with pytest.raises(errors.BatchNotCompleteError, match="expired.*create a new batch"):
                    call(mode, "retrieve_batch_results", batch.id, **kw)


@pytest.mark.parametrize("mode", MODES)
def test_cancel_then_cancelled(batch_file: Path, mode: str) -> None:
    api = BatchAPI(["in_progress"], output=False)
    with plugins.registered(OpenAIProvider), MockServer(api) as server:
        kw = {"api_key": KEY, "api_base": server.url + "/v1"}
        batch = call(mode, "create_batch", str(batch_file), "/v1/chat/completions", **kw)
        assert call(mode, "cancel_batch", batch.id, **kw).status == "cancelling"
        assert call(mode, "retrieve_batch", batch.id, **kw).status == "cancelling"
        assert call(mode, "retrieve_batch", batch.id, **kw).status == "cancelled"
        with pytest.raises(errors.BatchNotCompleteError) as caught:
            call(mode, "retrieve_batch_results", batch.id, **kw)
        assert caught.value.status == "cancelled"
        assert server.requests[-4].path == f"/v1/batches/{batch.id}/cancel"


@pytest.mark.parametrize("mode", MODES)
def test_list_batches_follows_every_page_or_stops_at_limit(mode: str) -> None:
    api = BatchAPI(["completed"])
    with plugins.registered(OpenAIProvider), MockServer(api) as server:
        kw = {"api_key": KEY, "api_base": server.url + "/v1"}
        assert [b.id for b in call(mode, "list_batches", **kw)] == [f"batch_{i}" for i in range(5)]
        assert len(server.requests) == 3
        assert [b.id for b in call(mode, "list_batches", after="batch_0", limit=3, **kw)] == [
            "batch_1",
            "batch_2",
            "batch_3",
        ]
        assert [r.query for r in server.requests[3:]] == [
            {"after": "batch_0", "limit": "3"},
            {"after": "batch_2", "limit": "1"},
        ]


def test_bad_batch_arguments_send_nothing(tmp_path: Path) -> None:
    with plugins.registered(OpenAIProvider), MockServer() as server:
        kw = {"api_key": KEY, "api_base": server.url + "/v1"}
        with pytest.raises(errors.ConfigurationError, match="existing JSONL file"):
            any_llm.create_batch("openai", str(tmp_path / "missing.jsonl"), "/v1/chat/completions", **kw)
        (tmp_path / "x.jsonl").write_text("{}\n")
        with pytest.raises(errors.ConfigurationError, match="endpoint"):
            any_llm.create_batch("openai", str(tmp_path / "x.jsonl"), "/v2/unknown", **kw)
        with pytest.raises(errors.ConfigurationError, match="limit"):
            any_llm.list_batches("openai", limit=0, **kw)
        assert server.requests == []
