"""Every call becomes one row: plain, streamed, closed early, failed; cost priced; content only when asked."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyllm_calllog
import pytest
import tomllib

from any_llm import AnyLLM, errors, plugins
from any_llm.testing import MockServer, Reply

KEY = "sk-calllog-SECRETSECRET-123"
MSG = [{"role": "user", "content": "a private question"}]
OK = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "a private answer"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
}


def chunk(content: str | None, finish: str | None = None) -> dict[str, Any]:
    delta = {"content": content} if content is not None else {}
    return {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


STREAM = [
    chunk("a private "),
    chunk("answer", "stop"),
    {**chunk(None), "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}},
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "calls.sqlite3"
    plugins.reset()
    anyllm_calllog.configure(path=path, content=False)
    plugins.register_plugin(anyllm_calllog, name="anyllm-calllog")
    yield path
    plugins.unregister_plugin(anyllm_calllog)
    anyllm_calllog.configure(path=anyllm_calllog.default_path(), content=False)
    plugins.reset()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


def rows(path: Path) -> list[dict[str, Any]]:
    anyllm_calllog.flush()
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM calls ORDER BY id")]


def client(server: MockServer, **kw: Any) -> AnyLLM:
    return AnyLLM.create("openai", api_key=KEY, api_base=server.url + "/v1", **kw)


def test_plain_streamed_closed_and_failed_calls(db: Path, server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda s: None)
    busy = Reply.json({"error": {"message": "overloaded"}}, status=503)
    server.queue(
        Reply.json(OK, headers={"x-request-id": "req-1"}),
        Reply.sse(STREAM),
        Reply.sse(STREAM),
        busy,
        busy,
    )
    with client(server, max_retries=1) as c:
        c.completion("gpt-4o", MSG)
        list(c.completion("gpt-4o", MSG, stream=True))
        with c.completion("gpt-4o", MSG, stream=True) as s:
            next(s)
        with pytest.raises(errors.ProviderError):
            c.completion("gpt-4o", MSG)
    plain, streamed, closed, failed = rows(db)

    assert plain["provider"] == "openai" and plain["model"] == "gpt-4o"
    assert plain["response_model"] == "gpt-4o-2024-08-06" and plain["operation"] == "chat"
    assert (plain["input_tokens"], plain["output_tokens"]) == (1000, 100)
    assert plain["request_id"] == "req-1" and plain["status_code"] == 200 and plain["attempts"] == 1
    assert plain["completed"] == 1 and plain["error_type"] is None and plain["latency_ms"] > 0
    # gpt-4o: $2.5 / M input, $10 / M output
    assert Decimal(plain["cost_usd"]) == Decimal("0.0025") + Decimal("0.001")

    assert streamed["stream"] == 1 and streamed["completed"] == 1
    assert (streamed["input_tokens"], streamed["output_tokens"]) == (10, 2)
    assert streamed["first_chunk_ms"] is not None and streamed["first_chunk_ms"] <= streamed["latency_ms"]
    assert Decimal(streamed["cost_usd"]) > 0

    assert closed["stream"] == 1 and closed["completed"] == 0 and closed["error_type"] is None

    assert failed["error_type"] == "ProviderError" and failed["completed"] == 0
    assert failed["status_code"] == 503 and failed["attempts"] == 2 and failed["cost_usd"] is None

    for row in (plain, streamed, closed, failed):
        assert row["messages"] is None and row["output"] is None  # content is off by default
        assert KEY not in json.dumps(row)
    assert KEY.encode() not in db.read_bytes()


def test_content_only_when_asked(db: Path, server: MockServer) -> None:
    anyllm_calllog.configure(content=True)
    server.queue(Reply.json(OK), Reply.sse(STREAM))
    with client(server) as c:
        c.completion("gpt-4o", MSG)
        list(c.completion("gpt-4o", MSG, stream=True))
    plain, streamed = rows(db)
    assert json.loads(plain["messages"]) == MSG and plain["output"] == "a private answer"
    assert streamed["output"] == "a private answer"


def test_unknown_model_has_no_cost_and_local_servers_too(db: Path, server: MockServer) -> None:
    server.queue(Reply.json({**OK, "model": "my-finetune-xyz"}))
    with client(server) as c:
        c.completion("my-finetune-xyz", MSG)
    (row,) = rows(db)
    assert row["cost_usd"] is None and row["input_tokens"] == 1000


def test_disabled_logs_nothing(db: Path, server: MockServer) -> None:
    anyllm_calllog.configure(enabled=False)
    server.queue(Reply.json(OK))
    with client(server) as c:
        c.completion("gpt-4o", MSG)
    anyllm_calllog.flush()
    assert not db.exists()


def test_summary_cli(db: Path, server: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    from anyllm_calllog.__main__ import main

    server.queue(Reply.json(OK), Reply.json(OK))
    with client(server) as c:
        c.completion("gpt-4o", MSG)
        c.completion("gpt-4o", MSG)
    anyllm_calllog.flush()
    assert main(["--db", str(db)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("openai"))
    assert line.split()[1:6] == ["gpt-4o-2024-08-06", "2", "0", "2000", "200"]
    assert line.split()[-1] == "0.007000"


def test_declared_as_a_hook_plugin() -> None:
    meta = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["anyllm_hooks"] == {"calllog": "anyllm_calllog"}
