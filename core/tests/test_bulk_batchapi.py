"""``bulk.run(mode="batch-api")`` / ``--mode batch-api``: the whole batch lifecycle against a stateful local batch API.

Upload (or Anthropic's inline requests), create, poll with retries, results into the same output format,
typed errors for failed rows, and resume without a second batch: after ``max_wait``, after Ctrl-C, and
after a kill between the provider creating the batch and the sidecar recording its id.
"""

from __future__ import annotations

import _thread
import json
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from any_llm import bulk, errors
from any_llm.bulk import batchapi
from any_llm.bulk.cli import main as cli
from any_llm.testing.batch_server import BatchServer
from any_llm.testing.echo_server import echo_text
from any_llm.testing.families import multipart_fields
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parents[1] / "src/any_llm/testing/specs/openai-chat.json"
LINE_SCHEMA = json.loads((Path(__file__).parent / "specs/batch-output-line.json").read_text())
KEY = "sk-batch-SECRET-0123456789abcdef"
FAST = {"poll_interval": 0.01, "max_poll_interval": 0.02}


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)


def rows(n: int, model: str = "openai:gpt-test", empty: tuple[int, ...] = (3,)) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        content = "" if i in empty else f"question {i}"
        body = {"model": model, "messages": [{"role": "user", "content": content}], "max_tokens": 32}
        out.append({"custom_id": f"row-{i}", "method": "POST", "url": "/v1/chat/completions", "body": body})
    return out


def write(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in items))
    return path


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def check_output(out: Path, items: list[dict[str, Any]], failed: set[str]) -> None:
    """Every row exactly once; answers echo their own row; failed rows typed, and in the errors file."""
    lines = read(out)
    assert sorted(line["custom_id"] for line in lines) == sorted(r["custom_id"] for r in items)
    by_id = {r["custom_id"]: r for r in items}
    for line in lines:
        jsonschema.validate(line, LINE_SCHEMA)
        cid = line["custom_id"]
        if cid in failed:
            assert line["error"]["code"] == "InvalidRequestError", line
            assert "batch " in line["error"]["message"]
            continue
        assert line["error"] is None, line
        body = line["response"]["body"]
        assert schema_errors(SPEC, "CreateChatCompletionResponse", body) == []
        assert body["choices"][0]["message"]["content"] == echo_text(by_id[cid]["body"]["messages"])
    errors_file = out.with_name(out.name.replace(".jsonl", ".errors.jsonl"))
    assert sorted(json.loads(line)["custom_id"] for line in errors_file.read_text().splitlines()) == sorted(failed)
    assert KEY not in out.read_text()


def test_openai_batch_lifecycle_writes_the_direct_modes_output(tmp_path: Path) -> None:
    items = rows(12)
    src, out = write(tmp_path / "in.jsonl", items), tmp_path / "out.jsonl"
    with BatchServer(polls_to_finish=3, fail_polls=2) as server:
        no_retries = {"max_retries": 0}  # the 503s reach the poller itself, which must keep polling
        stats = bulk.run(src, out, mode="batch-api", api_base=server.url + "/v1", client_args=no_retries, **FAST)
        upload = next(r for r in server.requests if r.path == "/v1/files")
        create = next(r for r in server.requests if r.path == "/v1/batches" and r.method == "POST")
    check_output(out, items, {"row-3"})
    assert (stats.total, stats.succeeded, stats.failed, stats.interrupted) == (12, 11, 1, False)
    assert stats.prompt_tokens == 33 and stats.completion_tokens > 0
    assert server.created == 1 and server.polls >= 3  # two 503s on the way were retried, not fatal
    fields, files = multipart_fields(upload)
    assert fields["purpose"] == "batch"
    sent = [json.loads(line) for line in files["file"].splitlines()]
    assert [s["custom_id"] for s in sent] == [r["custom_id"] for r in items]
    assert {s["body"]["model"] for s in sent} == {"gpt-test"}  # the provider prefix is ours, not the API's
    assert create.json["endpoint"] == "/v1/chat/completions" and batchapi.METADATA_KEY in create.json["metadata"]
    side = json.loads((tmp_path / "out.batch.json").read_text())
    assert side["provider"] == "openai" and [b["state"] for b in side["batches"]] == ["written"]
    assert not list(tmp_path.glob("out.batch-*.jsonl"))  # the spool is gone once its results are in


def test_max_wait_returns_then_the_rerun_polls_the_same_batch(tmp_path: Path, capsys: Any) -> None:
    items = rows(6, model="gpt-test")
    src, out = write(tmp_path / "in.jsonl", items), tmp_path / "out.jsonl"
    with BatchServer(polls_to_finish=4) as server:
        args = [str(src), "-o", str(out), "--mode", "batch-api", "--provider", "openai", "--quiet"]
        args += ["--api-base", server.url + "/v1", "--poll-interval", "0.01", "--max-poll-interval", "0.01"]
        assert cli([*args, "--max-wait", "0"]) == 3  # not finished: exit 3, the batch id printed
        printed = capsys.readouterr().out
        assert "batch batch_0001 is still running" in printed and "run the same command again" in printed
        assert out.read_text() == ""
        assert cli(args) == 1  # finished; one row failed
        assert server.created == 1  # the rerun waited for the recorded batch instead of submitting again
        assert cli(args) == 1  # a third run: nothing left to do, nothing submitted
        assert server.created == 1
    check_output(out, items, {"row-3"})


def test_ctrl_c_while_polling_keeps_the_batch_id_and_the_rerun_finishes(tmp_path: Path) -> None:
    items = rows(5, empty=())
    src, out = write(tmp_path / "in.jsonl", items), tmp_path / "out.jsonl"
    with BatchServer(polls_to_finish=10**6) as server:
        timer = threading.Timer(0.5, _thread.interrupt_main)
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                bulk.run(src, out, mode="batch-api", api_base=server.url + "/v1", **FAST)
        finally:
            timer.cancel()
        side = json.loads((tmp_path / "out.batch.json").read_text())
        assert [(b["batch_id"], b["state"]) for b in side["batches"]] == [("batch_0001", "submitted")]
        server.polls_to_finish = 1
        stats = bulk.run(src, out, mode="batch-api", api_base=server.url + "/v1", **FAST)
        assert server.created == 1
    assert stats.succeeded == 5
    check_output(out, items, set())


def test_a_kill_right_after_create_is_found_again_by_its_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = rows(4, empty=())
    src, out = write(tmp_path / "in.jsonl", items), tmp_path / "out.jsonl"
    real_save = batchapi.Sidecar.save

    def killed_before_recording(self: batchapi.Sidecar) -> None:
        if any(b.state == "submitted" for b in self.batches):
            raise KeyboardInterrupt  # the process dies before the id reaches the disk
        real_save(self)

    with BatchServer(polls_to_finish=1) as server:
        monkeypatch.setattr(batchapi.Sidecar, "save", killed_before_recording)
        with pytest.raises(KeyboardInterrupt):
            bulk.run(src, out, mode="batch-api", api_base=server.url + "/v1", **FAST)
        monkeypatch.setattr(batchapi.Sidecar, "save", real_save)
        side = json.loads((tmp_path / "out.batch.json").read_text())
        assert [(b["batch_id"], b["state"]) for b in side["batches"]] == [(None, "submitting")]
        assert server.created == 1
        bulk.run(src, out, mode="batch-api", api_base=server.url + "/v1", **FAST)
        assert server.created == 1  # adopted through list_batches and its metadata token
    check_output(out, items, set())


def test_retry_failed_submits_only_the_failed_rows(tmp_path: Path) -> None:
    items = rows(5)
    src, out = write(tmp_path / "in.jsonl", items), tmp_path / "out.jsonl"
    with BatchServer(polls_to_finish=1) as server:
        bulk.run(src, out, mode="batch-api", api_base=server.url + "/v1", **FAST)
        bulk.run(src, out, mode="batch-api", api_base=server.url + "/v1", retry_failed=True, **FAST)
        assert server.created == 2
        second = server.batches["batch_0002"]
        assert [line["custom_id"] for line in second.lines] == ["row-3"]
    check_output(out, items, {"row-3"})  # it fails again, the same way, once in the output


def test_anthropic_message_batches_through_the_cli(tmp_path: Path) -> None:
    pytest.importorskip("anyllm_anthropic", reason="the anthropic plugin is not installed")
    items = rows(7, model="anthropic:claude-test", empty=(3, 5))
    src, out = write(tmp_path / "in.jsonl", items), tmp_path / "out.jsonl"
    with BatchServer(polls_to_finish=2, fail_polls=1) as server:
        args = [str(src), "-o", str(out), "--mode", "batch-api", "--api-base", server.url, "--quiet"]
        assert cli([*args, "--poll-interval", "0.01", "--max-poll-interval", "0.02"]) == 1
        create = next(r for r in server.requests if r.method == "POST")
    assert create.path == "/v1/messages/batches"
    params = [r["params"] for r in create.json["requests"]]
    assert {p["model"] for p in params} == {"claude-test"} and {p["max_tokens"] for p in params} == {32}
    assert server.created == 1
    check_output(out, items, {"row-3", "row-5"})


def test_rows_for_two_providers_or_with_rpm_are_refused(tmp_path: Path) -> None:
    items = rows(2, empty=())
    items.append({**items[0], "custom_id": "other", "body": {**items[0]["body"], "model": "mistral:small"}})
    src, out = write(tmp_path / "in.jsonl", items), tmp_path / "out.jsonl"
    with pytest.raises(errors.ConfigurationError, match="one provider"):
        bulk.run(src, out, mode="batch-api", api_base="http://127.0.0.1:9/v1", **FAST)
    with pytest.raises(errors.ConfigurationError, match="rpm/tpm"):
        bulk.run(src, tmp_path / "o2.jsonl", mode="batch-api", rpm=10)
    with pytest.raises(errors.ConfigurationError, match="mode"):
        bulk.run(src, tmp_path / "o3.jsonl", mode="batch")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("invalid_request", errors.InvalidRequestError),
        ("invalid_request_error", errors.InvalidRequestError),
        ("INVALID_ARGUMENT", errors.InvalidRequestError),
        ("rate_limit_exceeded", errors.RateLimitError),
        ("context_length_exceeded", errors.ContextLengthExceededError),
        ("authentication_error", errors.AuthenticationError),
        ("expired", errors.BatchNotCompleteError),
        ("canceled", errors.BatchNotCompleteError),
        ("http_500", errors.ProviderError),
    ],
)
def test_row_error_codes_become_typed_errors(code: str, expected: type[Exception]) -> None:
    err = batchapi.row_error(code, "why", "openai", "batch_x")
    assert type(err) is expected
    assert "batch_x" in str(err)
