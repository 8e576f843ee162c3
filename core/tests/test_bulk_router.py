"""``bulk --router CONFIG``: rows dispatched through an any_llm.Router built from a JSON/TOML/YAML file.

Two local deployments: one that always fails (503), one echo server; the router falls back from the
first to the second, so every row is answered by the echo server, and the failing one did see traffic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from any_llm import bulk, errors
from any_llm.bulk.cli import main as cli
from any_llm.router.config import load_router
from any_llm.testing.echo_server import EchoServer, echo_text
from any_llm.testing.server import MockServer, RecordedRequest, Reply

KEY = "sk-router-SECRET-0123456789abcdef"


def overloaded(_: RecordedRequest) -> Reply:
    return Reply.json({"error": {"message": "overloaded", "type": "server_error"}}, status=503)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULK_ROUTER_KEY", KEY)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def config(broken: str, good: str) -> dict[str, Any]:
    return {
        "deployments": [
            {
                "group": "main",
                "model": "openai:gpt-broken",
                "api_base": broken + "/v1",
                "api_key_env": "BULK_ROUTER_KEY",
            },
            {"group": "backup", "model": "openai:gpt-echo", "api_base": good + "/v1", "api_key_env": "BULK_ROUTER_KEY"},
        ],
        "fallbacks": {"main": ["backup"]},
        "cooldown": {"allowed_fails": 3, "window": 60, "duration": 60},
        "retry": {"max_retries": 0},
    }


def rows(n: int, group: str = "main") -> list[dict[str, Any]]:
    return [
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": group, "messages": [{"role": "user", "content": f"ticket {i}"}]},
        }
        for i in range(n)
    ]


def check(out: Path, items: list[dict[str, Any]]) -> None:
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["custom_id"] for line in lines) == sorted(r["custom_id"] for r in items)
    prompts = {r["custom_id"]: r["body"]["messages"] for r in items}
    for line in lines:
        assert line["error"] is None, line
        body = line["response"]["body"]
        assert body["choices"][0]["message"]["content"] == echo_text(prompts[line["custom_id"]])
        assert body["model"] == "gpt-echo"  # answered by the backup deployment
    assert KEY not in out.read_text()


def test_rows_fall_back_from_a_failing_deployment_json_config_through_the_cli(tmp_path: Path) -> None:
    items = rows(40)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in items))
    out = tmp_path / "out.jsonl"
    with MockServer(overloaded) as broken, EchoServer() as good:
        cfg = tmp_path / "router.json"
        cfg.write_text(json.dumps(config(broken.url, good.url)))
        assert cli([str(src), "-o", str(out), "--router", str(cfg), "--concurrency", "8", "--quiet"]) == 0
        tried_broken = len(broken.requests)
        answered = good.stats.answered
    check(out, items)
    assert 1 <= tried_broken < len(items)  # tried, then benched by the cooldown: later rows went straight on
    assert answered == len(items)
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in broken.requests)  # the key from api_key_env


@pytest.mark.skipif(sys.version_info < (3, 11), reason="TOML uses the standard library's tomllib (Python 3.11+)")
def test_toml_config_and_a_router_object(tmp_path: Path) -> None:
    items = rows(12)
    with MockServer(overloaded) as broken, EchoServer() as good:
        cfg = tmp_path / "router.toml"
        cfg.write_text(
            f"""
strategy = "weighted"
retry = {{ max_retries = 0 }}

[[deployments]]
group = "main"
model = "openai:gpt-broken"
api_base = "{broken.url}/v1"
api_key_env = "BULK_ROUTER_KEY"

[[deployments]]
group = "backup"
model = "openai:gpt-echo"
api_base = "{good.url}/v1"
api_key_env = "BULK_ROUTER_KEY"

[fallbacks]
main = ["backup"]
"""
        )
        out = tmp_path / "out.jsonl"
        stats = bulk.run(items, out, router=cfg, concurrency=4)
        assert stats.succeeded == 12
        router = load_router(cfg)
        out2 = tmp_path / "out2.jsonl"
        assert bulk.run(items, out2, router=router).succeeded == 12
    check(out, items)
    check(out2, items)


def test_when_every_deployment_fails_rows_carry_the_routers_typed_error(tmp_path: Path) -> None:
    items = rows(3)
    with MockServer(overloaded) as broken:
        cfg = {"deployments": [config(broken.url, broken.url)["deployments"][0]], "retry": {"max_retries": 0}}
        path = tmp_path / "router.json"
        path.write_text(json.dumps(cfg))
        out = tmp_path / "out.jsonl"
        stats = bulk.run(items, out, router=path, max_retries=0)
    assert stats.failed == 3
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {line["error"]["code"] for line in lines} == {"FallbacksExhaustedError"}
    assert all("main/openai:gpt-broken" in line["error"]["message"] for line in lines)
    assert len((tmp_path / "out.errors.jsonl").read_text().splitlines()) == 3


def test_bad_config_files_name_the_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = rows(1)
    cases = {
        "a.json": ("{not json", "not valid JSON"),
        "b.json": (json.dumps({"deployments": []}), "non-empty 'deployments'"),
        "c.json": (json.dumps({"deployments": [{"group": "g", "model": "openai:x"}], "fallback": {}}), "unknown keys"),
        "d.json": (
            json.dumps({"deployments": [{"group": "g", "model": "openai:x", "api_key_env": "NOPE_X"}]}),
            "NOPE_X",
        ),
        "e.ini": ("[x]", "unknown format"),
    }
    monkeypatch.delenv("NOPE_X", raising=False)
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(errors.ConfigurationError, match=message):
            bulk.run(items, tmp_path / "out.jsonl", router=path)
        assert not (tmp_path / "out.jsonl").exists()  # the output is not touched by a bad config
    with pytest.raises(errors.ConfigurationError, match="drop provider"):
        bulk.run(items, tmp_path / "out.jsonl", router=tmp_path / "b.json", provider="openai")
    with pytest.raises(errors.ConfigurationError, match="batch"):
        bulk.run(items, tmp_path / "out.jsonl", router=tmp_path / "b.json", mode="batch-api")


def test_toml_without_a_reader_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.10 without tomli: the error names the fix (core does not depend on a TOML reader)."""
    from any_llm.router import config as router_config

    monkeypatch.setattr(router_config, "_toml_loads", lambda: None)
    path = tmp_path / "router.toml"
    path.write_text('[[deployments]]\ngroup = "g"\nmodel = "openai:x"\n')
    with pytest.raises(errors.ConfigurationError, match=r"Python 3\.11\+ \(tomllib\) or `pip install tomli`"):
        load_router(path)
