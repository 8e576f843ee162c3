"""Anthropic message batches behind OpenAI's batch shape, against a local server, sync and async."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from anyllm_anthropic import AnthropicProvider

sys.path.insert(0, str(Path(__file__).parent))
from test_anthropic_conformance import BATCH, ENDED, batch_results

import any_llm
from any_llm import errors, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.families import BATCH_LINES

KEY = "test-key-123456"
MODES = ["sync", "async"]


def call(mode: str, name: str, *args: Any, **kwargs: Any) -> Any:
    if mode == "async":
        return asyncio.run(getattr(any_llm, "a" + name)("anthropic", *args, **kwargs))
    return getattr(any_llm, name)("anthropic", *args, **kwargs)


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    lines = [
        {**BATCH_LINES[0], "body": {**BATCH_LINES[0]["body"], "max_tokens": 64, "temperature": 0.2}},
        {
            **BATCH_LINES[1],
            "body": {
                **BATCH_LINES[1]["body"],
                "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            },
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.mark.parametrize("mode", MODES)
def test_the_jsonl_is_streamed_as_translated_message_requests(batch_file: Path, mode: str, check: Any) -> None:
    with plugins.registered(AnthropicProvider), MockServer() as server:
        server.queue(Reply.json(BATCH), Reply.json(ENDED), batch_results())
        kw = {"api_key": KEY, "api_base": server.url}
        batch = call(mode, "create_batch", str(batch_file), "/v1/chat/completions", **kw)
        results = call(mode, "retrieve_batch_results", batch.id, **kw)
        create, retrieve, download = server.requests
    assert (create.method, create.path) == ("POST", "/v1/messages/batches")
    assert create.headers.get("transfer-encoding") == "chunked"  # produced while sent
    assert create.headers["anthropic-version"] == "2023-06-01" and create.headers["x-api-key"] == KEY
    requests = create.json["requests"]
    assert [r["custom_id"] for r in requests] == ["req-1", "req-2"]
    assert requests[0]["params"] == {
        "model": "test-model",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Capital of France?"}],
        "temperature": 0.2,
    }
    assert requests[1]["params"]["system"] == "Be brief."
    for request in requests:
        check("CreateMessageRequest", request["params"])
    assert (retrieve.path, download.path) == (
        f"/v1/messages/batches/{batch.id}",
        f"/v1/messages/batches/{batch.id}/results",
    )
    assert batch.status == "in_progress" and batch.created_at == 1727203044
    by_id = {item.custom_id: item for item in results.results}
    assert by_id["req-2"].error.code == "invalid_request_error"
    assert by_id["req-1"].result.usage is not None


@pytest.mark.parametrize("mode", MODES)
def test_statuses_cancel_and_results_not_ready(batch_file: Path, mode: str) -> None:
    canceling = {**BATCH, "processing_status": "canceling", "cancel_initiated_at": "2024-09-24T18:40:00Z"}
    cancelled = {
        **ENDED,
        "cancel_initiated_at": "2024-09-24T18:40:00Z",
        "request_counts": {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 2, "expired": 0},
    }
    expired = {**ENDED, "request_counts": {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 2}}
    with plugins.registered(AnthropicProvider), MockServer() as server:
        kw = {"api_key": KEY, "api_base": server.url}
        server.queue(Reply.json(BATCH))
        with pytest.raises(errors.BatchNotCompleteError) as caught:
            call(mode, "retrieve_batch_results", BATCH["id"], **kw)
        assert caught.value.status == "in_progress"
        server.queue(Reply.json(canceling), Reply.json(cancelled), Reply.json(expired))
        assert call(mode, "cancel_batch", BATCH["id"], **kw).status == "cancelling"
        assert call(mode, "retrieve_batch", BATCH["id"], **kw).status == "cancelled"
        assert call(mode, "retrieve_batch", BATCH["id"], **kw).status == "expired"
        assert server.requests[1].path == f"/v1/messages/batches/{BATCH['id']}/cancel"
        lines = [{"custom_id": "a", "result": {"type": "canceled"}}, {"custom_id": "b", "result": {"type": "expired"}}]
        server.queue(Reply.json(cancelled), Reply.text("\n".join(json.dumps(x) for x in lines)))
        results = call(mode, "retrieve_batch_results", BATCH["id"], **kw)
    assert [(r.custom_id, r.error.code) for r in results.results] == [("a", "canceled"), ("b", "expired")]


@pytest.mark.parametrize("mode", MODES)
def test_list_follows_after_id_pages(mode: str) -> None:
    page1 = {
        "data": [{**BATCH, "id": "b1"}, {**BATCH, "id": "b2"}],
        "has_more": True,
        "first_id": "b1",
        "last_id": "b2",
    }
    page2 = {"data": [{**BATCH, "id": "b3"}], "has_more": False, "first_id": "b3", "last_id": "b3"}
    with plugins.registered(AnthropicProvider), MockServer() as server:
        server.queue(Reply.json(page1), Reply.json(page2))
        batches = call(mode, "list_batches", api_key=KEY, api_base=server.url)
        queries = [r.query for r in server.requests]
    assert [b.id for b in batches] == ["b1", "b2", "b3"]
    assert queries == [{"limit": "1000"}, {"limit": "1000", "after_id": "b2"}]


def test_what_anthropic_batches_cannot_take_is_refused_before_sending(batch_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(BATCH_LINES[0]) + "\n" + json.dumps({"custom_id": "x", "body": {"model": "m"}}) + "\n")
    with plugins.registered(AnthropicProvider), MockServer() as server:
        kw = {"api_key": KEY, "api_base": server.url}
        with pytest.raises(errors.UnsupportedParameterError, match="metadata"):
            any_llm.create_batch("anthropic", str(batch_file), "/v1/chat/completions", metadata={"a": "b"}, **kw)
        with pytest.raises(errors.ConfigurationError, match="embeddings"):
            any_llm.create_batch("anthropic", str(batch_file), "/v1/embeddings", **kw)
        with pytest.raises(errors.ConfigurationError, match="bad.jsonl:2"):
            any_llm.create_batch("anthropic", str(bad), "/v1/chat/completions", **kw)
        seeded = tmp_path / "seed.jsonl"
        seeded.write_text(json.dumps({**BATCH_LINES[0], "body": {**BATCH_LINES[0]["body"], "seed": 1}}) + "\n")
        with pytest.raises(errors.UnsupportedParameterError, match="seed"):
            any_llm.create_batch("anthropic", str(seeded), "/v1/chat/completions", **kw)
        assert server.requests == []
