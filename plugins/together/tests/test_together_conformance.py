"""The together plugin passes the conformance kit with OpenAI-shaped answers, its model list and its batch jobs."""

import json
from pathlib import Path
from typing import Any, ClassVar

from anyllm_together import TogetherProvider

from any_llm import AnyLLM, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MODEL_IDS, OpenAICompatibleConformance
from any_llm.testing.families import BATCH_LINES, OPENAI_FAMILY_SCHEMAS, multipart_fields, openai_batch_exchange

JOB: dict[str, Any] = {  # https://docs.together.ai/reference/batch-create (the job object)
    "id": "01234567-8901-2345-6789-012345678901",
    "user_id": "user_789xyz012",
    "input_file_id": "file-in",
    "file_size_bytes": 1048576,
    "status": "VALIDATING",
    "job_deadline": "2024-01-16T14:30:00Z",
    "created_at": "2024-01-15T14:30:00Z",
    "endpoint": "/v1/chat/completions",
    "progress": 0,
    "model_id": "test-model",
}


class TestTogetherConformance(OpenAICompatibleConformance):
    provider_class = TogetherProvider
    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = {
        k: v for k, v in OPENAI_FAMILY_SCHEMAS.items() if k != "batch_upload"
    }
    """Together's upload form has its own fields (file_name, file_type, purpose=batch-api)."""

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario == "list_models":  # GET /models answers a bare array, not {"data": [...]}
            return Reply.json([{"id": m, "object": "model", "created": 1733443200, "type": "chat"} for m in MODEL_IDS])
        if scenario == "batch":
            upload = {
                "id": "file-in",
                "object": "file",
                "created_at": 1705329000,
                "filename": "batch.jsonl",
                "bytes": 300,
                "purpose": "batch-api",
                "Processed": True,
                "FileType": "jsonl",
                "LineCount": 2,
            }
            done = {
                **JOB,
                "status": "COMPLETED",
                "progress": 100,
                "output_file_id": "file-out",
                "error_file_id": "file-err",
                "completed_at": "2024-01-15T15:45:30Z",
            }
            return [
                Reply.json(upload),
                Reply.json({"job": JOB, "warning": ""}),
                Reply.json(done),
                *openai_batch_exchange()[3:],
            ]
        return super().exchange(scenario)


def test_upload_fields_job_statuses_and_the_list(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    jobs = [{**JOB, "id": f"j{i}", "status": s} for i, s in enumerate(["COMPLETED", "IN_PROGRESS", "CANCELLED"])]
    with plugins.registered(TogetherProvider), MockServer() as server:
        server.queue(Reply.json({"id": "file-in", "object": "file", "purpose": "batch-api"}))
        server.queue(Reply.json({"job": JOB}), Reply.json(jobs))
        with AnyLLM.create("together", api_key="tg-key-1234567", api_base=server.url + "/v1", max_retries=0) as c:
            batch = c.create_batch(str(path), "/v1/chat/completions")
            listed = c.list_batches(after="j0", limit=5)
        upload, create, _ = server.requests
    fields, files = multipart_fields(upload)
    assert upload.path == "/v1/files/upload"
    assert fields == {"purpose": "batch-api", "file_name": "in.jsonl", "file_type": "jsonl"}
    assert files["file"] == path.read_bytes()  # OpenAI's JSONL, untouched
    assert create.json == {"input_file_id": "file-in", "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    assert (batch.status, batch.created_at, batch.expires_at) == ("validating", 1705329000, 1705415400)
    assert [(b.id, b.status) for b in listed] == [("j1", "in_progress"), ("j2", "cancelled")]
