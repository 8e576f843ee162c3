"""any_llm.bulk against the echo server on 127.0.0.1: formats, answers, failures, retries, resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from any_llm import bulk, errors
from any_llm.testing.echo_server import EchoServer, echo_text
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parents[1] / "src/any_llm/testing/specs/openai-chat.json"
LINE_SCHEMA = json.loads((Path(__file__).parent / "specs/batch-output-line.json").read_text())
KEY = "sk-bulk-SECRET-0123456789abcdef"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


@pytest.fixture
def echo() -> Any:
    with EchoServer() as srv:
        yield srv


def chat_row(i: int, model: str = "openai:gpt-test", **extra: Any) -> dict[str, Any]:
    body = {"model": model, "messages": [{"role": "user", "content": f"prompt number {i}"}], **extra}
    return {"custom_id": f"row-{i}", "method": "POST", "url": "/v1/chat/completions", "body": body}


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def check_answers(lines: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Every input once, each answer the echo of its own prompt."""
    by_id = {r["custom_id"]: r for r in rows}
    ids = [line["custom_id"] for line in lines]
    assert sorted(ids) == sorted(by_id), "every custom_id exactly once"
    for line in lines:
        jsonschema.validate(line, LINE_SCHEMA)
        assert line["error"] is None, line
        body = line["response"]["body"]
        assert schema_errors(SPEC, "CreateChatCompletionResponse", body) == []
        expected = echo_text(by_id[line["custom_id"]]["body"]["messages"])
        assert body["choices"][0]["message"]["content"] == expected


def test_chat_rows_written_in_batch_output_format(echo: EchoServer, tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(30)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows) + "\n")  # a trailing blank line is fine
    out = tmp_path / "out.jsonl"
    stats = bulk.run(src, out, api_base=echo.url + "/v1", concurrency=8)
    check_answers(read(out), rows)
    assert (stats.total, stats.succeeded, stats.failed, stats.done) == (30, 30, 0, 30)
    assert stats.prompt_tokens > 0 and stats.completion_tokens > 0
    assert (tmp_path / "out.errors.jsonl").read_text() == ""
    assert KEY not in out.read_text()


def test_provider_argument_and_embeddings(echo: EchoServer, tmp_path: Path) -> None:
    rows = [
        {"custom_id": "e1", "method": "POST", "url": "/v1/embeddings", "body": {"model": "emb", "input": "hello"}},
        {"custom_id": "e2", "url": "/v1/embeddings", "body": {"model": "emb", "input": ["a", "bcd"]}},
        chat_row(3, model="gpt-test"),
    ]
    out = tmp_path / "out.jsonl"
    bulk.run((json.dumps(r) for r in rows), out, provider="openai", api_base=echo.url + "/v1")
    lines = {line["custom_id"]: line for line in read(out)}
    assert set(lines) == {"e1", "e2", "row-3"}
    for cid in ("e1", "e2"):
        body = lines[cid]["response"]["body"]
        assert schema_errors(SPEC, "CreateEmbeddingResponse", body) == []
    assert [d["embedding"][0] for d in lines["e2"]["response"]["body"]["data"]] == [1.0, 3.0]
    assert lines["row-3"]["response"]["body"]["choices"][0]["message"]["content"] == "echo: prompt number 3"


def test_responses_rows(echo: EchoServer, tmp_path: Path) -> None:
    rows = [
        {"custom_id": "r1", "method": "POST", "url": "/v1/responses", "body": {"model": "openai:gpt-x", "input": "hi"}},
        {
            "custom_id": "r2",
            "url": "/v1/responses",
            "body": {"model": "openai:gpt-x", "input": [{"role": "user", "content": "there"}], "max_output_tokens": 16},
        },
    ]
    out = tmp_path / "out.jsonl"
    stats = bulk.run(rows, out, api_base=echo.url + "/v1")
    lines = {line["custom_id"]: line for line in read(out)}
    assert stats.succeeded == 2, read(out)
    texts = {cid: line["response"]["body"]["output"][0]["content"][0]["text"] for cid, line in lines.items()}
    assert texts == {"r1": "echo: hi", "r2": "echo: there"}
    from any_llm.types.responses import Response

    for line in lines.values():
        jsonschema.validate(line, LINE_SCHEMA)
        assert Response.model_validate(line["response"]["body"]).output_text.startswith("echo: ")
    assert stats.prompt_tokens > 0 and stats.completion_tokens > 0


def test_failed_rows_are_written_with_their_typed_error_and_the_job_goes_on(echo: EchoServer, tmp_path: Path) -> None:
    rows: list[Any] = [
        chat_row(0),
        {"custom_id": "bad-url", "method": "POST", "url": "/v1/images", "body": {}},
        {"custom_id": "bad-method", "method": "GET", "url": "/v1/chat/completions", "body": {}},
        chat_row(1, model="nosuchprovider:model"),
        chat_row(2, temperature="hot"),
        {"custom_id": "no-model", "url": "/v1/chat/completions", "body": {"messages": []}},
        {"custom_id": "stream", **{k: v for k, v in chat_row(9, stream=True).items() if k != "custom_id"}},
        chat_row(3),
    ]
    out = tmp_path / "out.jsonl"
    errs = tmp_path / "failed.jsonl"
    stats = bulk.run(rows, out, api_base=echo.url + "/v1", errors_path=errs)
    lines = {line["custom_id"]: line for line in read(out)}
    assert len(lines) == len(rows)
    assert stats.failed == 6 and stats.succeeded == 2
    for cid in ("row-0", "row-3"):
        assert lines[cid]["error"] is None
    codes = {cid: line["error"]["code"] for cid, line in lines.items() if line["error"]}
    assert codes == {
        "bad-url": "ConfigurationError",
        "bad-method": "ConfigurationError",
        "row-1": "UnsupportedProviderError",
        "row-2": "ConfigurationError",
        "no-model": "ConfigurationError",
        "stream": "ConfigurationError",
    }
    assert "temperature" in lines["row-2"]["error"]["message"]
    assert "/v1/chat/completions" in lines["bad-url"]["error"]["message"]
    failed = read(errs)
    assert sorted(f["custom_id"] for f in failed) == sorted(codes)
    for line in [*lines.values()]:
        jsonschema.validate(line, LINE_SCHEMA)


def test_http_error_rows_carry_status_and_no_key(tmp_path: Path) -> None:
    from any_llm.testing import MockServer, Reply

    with MockServer(lambda req: Reply.json({"error": {"message": f"bad key {KEY}"}}, status=401)) as srv:
        out = tmp_path / "out.jsonl"
        stats = bulk.run([chat_row(0)], out, api_base=srv.url + "/v1")
        assert len(srv.requests) == 1  # 401 is not retried
    [line] = read(out)
    assert stats.failed == 1
    assert line["error"]["code"] == "AuthenticationError"
    assert line["response"]["status_code"] == 401
    assert KEY not in out.read_text()
    jsonschema.validate(line, LINE_SCHEMA)


def test_rows_without_custom_id_stop_the_job_with_the_line_number(echo: EchoServer, tmp_path: Path) -> None:
    rows = [json.dumps(chat_row(0)), '{"url": "/v1/chat/completions"}']
    with pytest.raises(errors.ConfigurationError, match="input line 2 .*custom_id"):
        bulk.run(rows, tmp_path / "out.jsonl", api_base=echo.url + "/v1")
    with pytest.raises(errors.ConfigurationError, match="input line 1 is not JSON"):
        bulk.run(["{nope"], tmp_path / "out2.jsonl", api_base=echo.url + "/v1")
    with pytest.raises(errors.ConfigurationError, match="concurrency"):
        bulk.run([], tmp_path / "o.jsonl", concurrency=0)
    with pytest.raises(errors.ConfigurationError, match="must not be the input"):
        bulk.run(tmp_path / "out.jsonl", tmp_path / "out.jsonl")


def test_429_bursts_resets_and_slowness_are_retried(tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(40)]
    out = tmp_path / "out.jsonl"
    server = EchoServer(burst_every=0.4, burst_length=0.1, reset_rate=0.1, slow_rate=0.1, slow_delay=0.1, seed=3)
    with server:
        stats = bulk.run(rows, out, api_base=server.url + "/v1", concurrency=8, max_retries=10)
    check_answers(read(out), rows)
    assert stats.failed == 0
    assert server.stats.resets > 0
    assert stats.retries >= server.stats.resets


def test_concurrency_backs_off_when_the_server_is_over_capacity(tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(60)]
    out = tmp_path / "out.jsonl"
    with EchoServer(capacity=2, delay=0.05) as server:
        stats = bulk.run(rows, out, api_base=server.url + "/v1", concurrency=16, max_retries=20)
    check_answers(read(out), rows)
    assert stats.rate_limited > 0  # the server did push back...
    assert stats.concurrency < 16  # ...and the limiter listened


def test_rpm_is_never_exceeded(tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(12)]
    with EchoServer(record_starts=True) as server:
        bulk.run(rows, tmp_path / "out.jsonl", api_base=server.url + "/v1", concurrency=8, rpm=600)
    starts = sorted(server.stats.starts)
    assert len(starts) == 12
    # 600 rpm = one every 0.1 s (the pacer's exact spacing is tested below): seen by the server, in
    # any 0.5 s window at most 5, +1 at the window's edge, +1 for a request delayed into the next one
    for i, t in enumerate(starts):
        assert sum(1 for u in starts[i:] if u - t < 0.5) <= 7
    assert starts[-1] - starts[0] >= 0.9  # 11 gaps of 0.1 s, minus the first connection's set-up


def test_resume_skips_done_rows_and_cuts_a_half_written_line(echo: EchoServer, tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(20)]
    out = tmp_path / "out.jsonl"
    bulk.run(rows[:8], out, api_base=echo.url + "/v1")
    failed = {"custom_id": "gone", "url": "/v1/nothing", "body": {}}
    bulk.run([failed], out, api_base=echo.url + "/v1")
    with open(out, "ab") as f:
        f.write(b'{"id":"batch_req_x","custom_id":"row-9","response":{"status_co')  # killed mid-write
    before = echo.stats.requests
    stats = bulk.run([*rows, failed], out, api_base=echo.url + "/v1")
    assert echo.stats.requests - before == 12  # rows 8..19 only
    assert stats.resumed == 9 and stats.succeeded == 12 and stats.failed == 1
    lines = read(out)
    check_answers([line for line in lines if line["custom_id"] != "gone"], rows)
    assert [line["custom_id"] for line in read(tmp_path / "out.errors.jsonl")] == ["gone"]  # rebuilt from output


def test_retry_failed_sends_earlier_failures_again(tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(6)]
    out = tmp_path / "out.jsonl"
    import socket

    with socket.socket() as s:  # a port where nothing listens: every row fails to connect
        s.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    first = bulk.run(rows, out, api_base=refused, max_retries=0)
    assert first.failed == 6
    assert {line["error"]["code"] for line in read(out)} == {"APIConnectionError"}
    with EchoServer() as server:
        kept = bulk.run(rows, out, api_base=server.url + "/v1")  # a plain resume keeps the failures
        assert kept.resumed == 6 and kept.succeeded == 0
        again = bulk.run(rows, out, api_base=server.url + "/v1", retry_failed=True)
    assert again.succeeded == 6 and again.failed == 0
    check_answers(read(out), rows)
    assert (tmp_path / "out.errors.jsonl").read_text() == ""


def test_a_corrupt_line_in_the_middle_of_the_output_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"custom_id": "a", "error": null}\nnot json\n')
    with pytest.raises(errors.ConfigurationError, match="line 2 of"):
        bulk.run([], out)


@pytest.mark.timeout(10)
def test_limiter_aimd_and_signals() -> None:
    import asyncio

    from any_llm.bulk.limits import Limiter, Pacer, RateSignals, parse_reset

    now = [100.0]
    lim = Limiter(8, clock=lambda: now[0])

    async def scenario() -> None:
        leases = [await lim.acquire(10) for _ in range(8)]
        assert lim.in_flight == 8
        lim.failed(leases[0], 429, None)
        assert lim.limit == 4.0
        lim.failed(leases[1], 429, None)  # same round trip: no second cut
        assert lim.limit == 4.0
        for lease in leases[2:]:
            lim.succeeded(lease, 12, None)  # additive increase: about +1 per limit's worth of successes
        assert 4.0 < lim.limit < 6.0
        assert lim.in_flight == 0
        later = await lim.acquire(10)  # sent after the cut: a new round trip
        lim.failed(later, 429, 0.2)  # cut again, and everyone pauses for the Retry-After
        assert 2.0 < lim.limit < 3.0
        assert lim.cooldown_until == 100.2
        waiter = asyncio.ensure_future(lim.acquire(10))
        await asyncio.sleep(0.01)
        assert not waiter.done()  # held by the cooldown (the fake clock does not move)
        now[0] = 100.3
        await asyncio.wait_for(waiter, 2)
        lim.succeeded(waiter.result(), None, None)

    asyncio.run(scenario())
    sig = RateSignals.from_headers({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s"})
    assert sig is not None
    lim.observe(sig)
    assert lim.cooldown_until == 100.3 + 360.0
    assert RateSignals.from_headers({"content-type": "x"}) is None
    assert parse_reset("20ms") == 0.02 and parse_reset("1.5") == 1.5 and parse_reset("1m30s") == 90.0
    pacer = Pacer(10.0, clock=lambda: now[0])
    assert [round(pacer.reserve(1), 3) for _ in range(3)] == [0.0, 0.1, 0.2]
    pacer.adjust(-2)  # usage was lower than charged: refunded
    assert round(pacer.reserve(1), 3) == 0.1


def test_rate_limit_headers_of_real_answers_reach_the_limiter() -> None:
    import asyncio

    from any_llm.bulk.calls import Caller
    from any_llm.bulk.limits import Limiter, RateSignals

    with EchoServer(rpm=3) as server:  # sends x-ratelimit-remaining-requests / -reset-requests
        caller = Caller(api_base=server.url + "/v1")
        body = chat_row(0)["body"]

        async def scenario() -> tuple[RateSignals | None, float]:
            limiter = Limiter(4)
            signals = None
            for _ in range(3):
                lease = await limiter.acquire(10)
                answer = await caller.call("chat", body)
                signals = RateSignals.from_headers(answer.headers)
                limiter.succeeded(lease, answer.total_tokens, signals)
            return signals, limiter.cooldown_until - time.monotonic()

        signals, pause = asyncio.run(scenario())
    assert signals is not None and signals.remaining_requests == 0
    assert signals.reset_requests is not None and 55 < signals.reset_requests <= 60
    assert 55 < pause <= 60  # nothing left in this window: new sends wait for its reset


def test_token_estimates_meter_tpm_and_learn_from_usage() -> None:
    from any_llm.bulk.calls import estimate_tokens
    from any_llm.bulk.limits import Lease, Limiter, Pacer

    chat = {"messages": [{"role": "user", "content": "x" * 400}], "max_tokens": 50}
    assert estimate_tokens("chat", chat) == 101 + 50  # 4 characters a token, plus the answer's budget
    assert estimate_tokens("chat", {"messages": chat["messages"]}, completion_guess=20) == 121
    assert estimate_tokens("embeddings", {"input": ["abcd" * 10, "abcd"]}) == 12
    now = [0.0]
    lim = Limiter(4, tpm=6000, clock=lambda: now[0])  # 100 tokens a second
    assert isinstance(lim.tpm, Pacer)
    assert lim.tpm.reserve(150) == 0.0
    assert lim.tpm.reserve(150) == pytest.approx(1.5)  # the second waits for the first's 150 tokens
    lim.in_flight = 1
    lim.succeeded(Lease(generation=0, tokens=150), 30, None)  # it used 30, not 150: the next send comes sooner
    assert lim.tpm.reserve(10) == pytest.approx(1.8)


def test_cli_runs_resumes_and_keeps_the_listing(echo: EchoServer, tmp_path: Path) -> None:
    rows = [chat_row(i) for i in range(6)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "OPENAI_API_KEY": KEY}
    cmd = [sys.executable, "-m", "any_llm", "bulk", str(src), "-o", str(out), "--api-base", echo.url + "/v1"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "[bulk] done: 6/6 rows" in done.stdout
    assert "6 succeeded, 0 failed" in done.stdout
    check_answers(read(out), rows)
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert "(6 from an earlier run)" in again.stdout
    assert len(read(out)) == 6
    bad = subprocess.run([*cmd[:4], str(tmp_path / "missing.jsonl"), "-o", str(out)], capture_output=True, text=True)
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    listing = subprocess.run([sys.executable, "-m", "any_llm"], capture_output=True, text=True, timeout=60)
    assert listing.stdout.startswith("anthropic") or "openai" in listing.stdout


def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(tmp_path: Path) -> None:
    import signal
    import time

    rows = [chat_row(i) for i in range(60)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "OPENAI_API_KEY": KEY}
    with EchoServer(delay=0.1) as server:
        cmd = [sys.executable, "-m", "any_llm", "bulk", str(src), "-o", str(out), "--api-base", server.url + "/v1"]
        proc = subprocess.Popen([*cmd, "--concurrency", "4"], env=env, stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while (not out.exists() or out.read_bytes().count(b"\n") < 8) and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=30)
        assert proc.returncode == 130, stdout
        assert "[bulk] interrupted" in stdout and "run the same command again to resume" in stdout
        partial = read(out)  # every line whole
        assert 8 <= len(partial) < 60
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert f"({len(partial)} from an earlier run)" in done.stdout
    check_answers(read(out), rows)


def test_a_missing_sniffio_is_looked_up_once_not_on_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore imports sniffio ~10 times a request; a failed import walks sys.path each time (asyncenv)."""
    import importlib.util

    from any_llm import asyncenv

    monkeypatch.setattr(asyncenv, "_checked", False)
    monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    installed = importlib.util.find_spec("sniffio") is not None
    asyncenv.cache_missing_sniffio()
    if installed:
        assert "sniffio" not in sys.modules or sys.modules["sniffio"] is not None  # an installed one is untouched
    else:
        assert sys.modules["sniffio"] is None
        with pytest.raises(ImportError):
            import sniffio  # noqa: F401
