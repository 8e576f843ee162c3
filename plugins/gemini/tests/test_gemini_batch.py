"""Gemini batch jobs: inlined requests streamed from the OpenAI JSONL, cancel, pages, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anyllm_gemini import GeminiProvider

from any_llm import AnyLLM, errors, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.families import BATCH_LINES
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "gemini-native.json"
KEY = "gemini-test-key-123456"
OPERATION = {
    "name": "batches/b1",
    "metadata": {
        "name": "batches/b1",
        "model": "models/test-model",
        "state": "BATCH_STATE_RUNNING",
        "createTime": "2025-07-09T17:01:02Z",
    },
}


def client(server: MockServer) -> AnyLLM:
    return AnyLLM.create("gemini", api_key=KEY, api_base=server.url + "/v1beta", max_retries=0)


def test_the_jsonl_becomes_inlined_generate_content_requests(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    with plugins.registered(GeminiProvider), MockServer() as server:
        server.queue(
            Reply.json(OPERATION),
            Reply.json({}),
            Reply.json({**OPERATION, "metadata": {**OPERATION["metadata"], "state": "BATCH_STATE_CANCELLED"}}),
        )
        with client(server) as c:
            batch = c.create_batch(str(path), "/v1/chat/completions", metadata={"display_name": "nightly"})
            cancelled = c.cancel_batch(batch.id)
        create, cancel, get = server.requests
    assert create.path == "/v1beta/models/test-model:batchGenerateContent"
    assert create.headers.get("transfer-encoding") == "chunked"
    body = create.json["batch"]
    assert body["displayName"] == "nightly"
    requests = body["inputConfig"]["requests"]["requests"]
    assert [r["metadata"]["key"] for r in requests] == ["req-1", "req-2"]
    for request in requests:
        assert schema_errors(SPEC, "GenerateContentRequest", request["request"]) == []
    assert requests[0]["request"]["contents"] == [{"role": "user", "parts": [{"text": "Capital of France?"}]}]
    assert (batch.id, batch.status, batch.created_at) == ("batches/b1", "in_progress", 1752080462)
    assert (cancel.method, cancel.path, get.path) == ("POST", "/v1beta/batches/b1:cancel", "/v1beta/batches/b1")
    assert cancelled.status == "cancelled"


def test_pages_and_refusals(tmp_path: Path) -> None:
    two = tmp_path / "two.jsonl"
    other = {**BATCH_LINES[1], "body": {**BATCH_LINES[1]["body"], "model": "other"}}
    two.write_text(json.dumps(BATCH_LINES[0]) + "\n" + json.dumps(other) + "\n")
    page1 = {"operations": [OPERATION, {**OPERATION, "name": "batches/b2"}], "nextPageToken": "t"}
    page2 = {
        "operations": [{**OPERATION, "name": "batches/b3", "metadata": {**OPERATION["metadata"], "name": "batches/b3"}}]
    }
    with plugins.registered(GeminiProvider), MockServer() as server:
        with client(server) as c:
            with pytest.raises(errors.ConfigurationError, match="one model"):
                c.create_batch(str(two), "/v1/chat/completions")
            with pytest.raises(errors.UnsupportedParameterError, match="metadata"):
                c.create_batch(str(two), "/v1/chat/completions", metadata={"team": "x"})
            assert server.requests == []
            server.queue(Reply.json(page1), Reply.json(page2))
            listed = c.list_batches()
        assert [r.query.get("pageToken") for r in server.requests] == [None, "t"]
    assert [b.status for b in listed] == ["in_progress"] * 3 and listed[-1].id == "batches/b3"
