"""The files batch jobs need (upload, retrieve, content, delete) against a local server, sync and async."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from anyllm_openai import OpenAIProvider

import any_llm
from any_llm import errors, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.families import FAMILIES_SPEC, multipart_fields
from any_llm.testing.schema import schema_errors

KEY = "sk-files-test-000000000"
FILE = {
    "id": "file-abc",
    "object": "file",
    "bytes": 6,
    "created_at": 1700000000,
    "filename": "in.jsonl",
    "purpose": "batch",
    "status": "processed",
}
CONTENT = b'{"custom_id": "1"}\n' * 5000


def run(mode: str, name: str, *args: Any, **kwargs: Any) -> Any:
    if mode == "async":

        async def go() -> Any:
            out = await getattr(any_llm, "a" + name)("openai", *args, **kwargs)
            return await out.read() if name == "file_content" else out

        return asyncio.run(go())
    out = getattr(any_llm, name)("openai", *args, **kwargs)
    return out.read() if name == "file_content" else out


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_upload_retrieve_content_delete(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"{}\n{}\n")
    pieces = [CONTENT[i : i + 10000] for i in range(0, len(CONTENT), 10000)]
    with plugins.registered(OpenAIProvider), MockServer() as server:
        server.queue(
            Reply.json(FILE),
            Reply.json(FILE),
            Reply(200, {"content-type": "application/octet-stream"}, pieces),
            Reply.json({"id": "file-abc", "object": "file", "deleted": True}),
        )
        kw = {"api_key": KEY, "api_base": server.url + "/v1"}
        uploaded = run(mode, "upload_file", str(path), **kw)
        assert run(mode, "retrieve_file", uploaded.id, **kw).filename == "in.jsonl"
        assert run(mode, "file_content", uploaded.id, **kw) == CONTENT
        assert run(mode, "delete_file", uploaded.id, **kw) is True
        requests = server.requests
    assert [(r.method, r.path) for r in requests] == [
        ("POST", "/v1/files"),
        ("GET", "/v1/files/file-abc"),
        ("GET", "/v1/files/file-abc/content"),
        ("DELETE", "/v1/files/file-abc"),
    ]
    fields, files = multipart_fields(requests[0])
    assert (fields, files) == ({"purpose": "batch"}, {"file": b"{}\n{}\n"})
    assert schema_errors(FAMILIES_SPEC, "CreateFileRequest", {**fields, "file": "<binary>"}) == []
    assert schema_errors(FAMILIES_SPEC, "OpenAIFile", FILE) == []


def test_providers_without_batches_have_no_files() -> None:
    from any_llm.openai_compat import OpenAICompatibleProvider

    class NoBatches(OpenAICompatibleProvider):  # in process: this plugin's session installs openai alone
        name = "no-batches"

    with plugins.registered(NoBatches), MockServer() as server:
        with pytest.raises(errors.UnsupportedCapabilityError):
            any_llm.upload_file("no-batches", b"x", api_key=KEY, api_base=server.url)
        assert server.requests == []


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_list_files_follows_the_pages(mode: str) -> None:
    def page(ids: list[str], more: bool) -> Reply:
        data = [{**FILE, "id": i} for i in ids]
        return Reply.json({"object": "list", "data": data, "first_id": ids[0], "last_id": ids[-1], "has_more": more})

    with plugins.registered(OpenAIProvider), MockServer() as server:
        server.queue(page(["f1", "f2"], True), page(["f3"], False))
        kw = {"api_key": KEY, "api_base": server.url + "/v1", "purpose": "batch"}
        files = (
            asyncio.run(any_llm.alist_files("openai", **kw)) if mode == "async" else any_llm.list_files("openai", **kw)
        )
        assert [f.id for f in files] == ["f1", "f2", "f3"]
        assert [r.query for r in server.requests] == [{"purpose": "batch"}, {"purpose": "batch", "after": "f2"}]


def test_per_call_options_reach_family_requests(tmp_path: Path) -> None:
    from any_llm.testing.families import openai_family_exchanges

    answers = openai_family_exchanges()
    path = tmp_path / "in.jsonl"
    path.write_text('{"custom_id": "1", "method": "POST", "url": "/v1/chat/completions", "body": {}}\n')
    with plugins.registered(OpenAIProvider), MockServer() as server:
        server.queue(answers["moderation"], *answers["batch"][:2])  # type: ignore[misc]
        kw = {"api_key": KEY, "api_base": server.url + "/v1"}
        any_llm.moderation("m", "x", provider="openai", extra_headers={"X-Trace": "t1"}, extra_body={"k": 1}, **kw)
        any_llm.create_batch(
            "openai", str(path), "/v1/chat/completions", extra_query={"q": "2"}, extra_body={"b": 3}, **kw
        )
        with pytest.raises(errors.ConfigurationError, match="extra_body"):
            any_llm.upload_file("openai", str(path), extra_body={"x": 1}, **kw)
        moderation, upload, create = server.requests
    assert (
        moderation.headers["x-trace"] == "t1" and moderation.json["k"] == 1 and "extra_headers" not in moderation.json
    )
    assert upload.query == {"q": "2"} and create.query == {"q": "2"}
    assert create.json["b"] == 3 and "b" not in multipart_fields(upload)[0]
