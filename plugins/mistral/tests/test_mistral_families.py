"""Mistral's moderation, transcription and batch specifics against a local server (the kit covers the rest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anyllm_mistral import MistralProvider
from test_mistral_conformance import FAMILY_EXCHANGES, FAMILY_SPEC

from any_llm import AnyLLM, errors, plugins
from any_llm.testing import MockServer
from any_llm.testing.families import BATCH_LINES, multipart_fields
from any_llm.testing.schema import schema_errors

KEY = "test-key-123456"


def client_for(server: MockServer) -> AnyLLM:
    return AnyLLM.create("mistral", api_key=KEY, api_base=server.url + "/v1", max_retries=0)


def test_the_batch_file_is_uploaded_in_mistral_lines_and_the_model_moves_to_the_job(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    with plugins.registered(MistralProvider), MockServer() as server:
        server.queue(*FAMILY_EXCHANGES["batch"][:2])  # type: ignore[misc]
        with client_for(server) as client:
            batch = client.create_batch(str(path), "/v1/chat/completions", metadata={"job": "kit"})
        upload, job = server.requests
    assert (upload.path, job.path) == ("/v1/files", "/v1/batch/jobs")
    fields, files = multipart_fields(upload)
    assert fields == {"purpose": "batch"}
    lines = [json.loads(line) for line in files["file"].splitlines()]
    assert [line["custom_id"] for line in lines] == ["req-1", "req-2"]
    for line in lines:
        assert "model" not in line["body"] and set(line) == {"custom_id", "body"}
        assert schema_errors(FAMILY_SPEC, "BatchRequest", line) == []
    assert job.json == {
        "input_files": ["f_in"],
        "endpoint": "/v1/chat/completions",
        "model": "test-model",
        "metadata": {"job": "kit"},
        "timeout_hours": 24,
    }
    assert batch.status == "validating" and batch.request_counts is not None and batch.request_counts.total == 2


def test_a_file_with_two_models_or_a_foreign_url_is_refused_before_sending(tmp_path: Path) -> None:
    two = tmp_path / "two.jsonl"
    other = {**BATCH_LINES[1], "body": {**BATCH_LINES[1]["body"], "model": "other"}}
    two.write_text(json.dumps(BATCH_LINES[0]) + "\n" + json.dumps(other) + "\n")
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps({**BATCH_LINES[0], "url": "/v1/embeddings"}) + "\n")
    with plugins.registered(MistralProvider), MockServer() as server, client_for(server) as client:
        with pytest.raises(errors.ConfigurationError, match="one model"):
            client.create_batch(str(two), "/v1/chat/completions")
        with pytest.raises(errors.ConfigurationError, match="targets /v1/embeddings"):
            client.create_batch(str(wrong), "/v1/chat/completions")
        assert server.requests == []


def test_parameters_mistral_lacks_are_refused_before_sending() -> None:
    with plugins.registered(MistralProvider), MockServer() as server, client_for(server) as client:
        with pytest.raises(errors.UnsupportedParameterError, match="input"):
            client.moderation("mistral-moderation-latest", [{"type": "text", "text": "hi"}])
        for name in ("prompt", "response_format"):
            with pytest.raises(errors.UnsupportedParameterError, match=name):
                client.transcription("voxtral-mini-latest", b"ID3 audio", **{name: "json"})
        with pytest.raises(errors.UnsupportedCapabilityError):
            client.speech("voxtral", "hi", "alloy")
        assert server.requests == []


def test_job_statuses_map_onto_openai_statuses() -> None:
    from anyllm_mistral._batch import STATUSES, batch_from_job
    from test_mistral_conformance import JOB

    for theirs, ours in STATUSES.items():
        assert batch_from_job(json.dumps({**JOB, "status": theirs}).encode(), "mistral").status == ours
    with pytest.raises(errors.ResponseValidationError, match="unknown batch status"):
        batch_from_job(json.dumps({**JOB, "status": "PAUSED"}).encode(), "mistral")
