"""Call hooks on every family: responses and messages (native and translated, streamed), rerank,
moderation, images, speech, transcription, files and batch jobs, raw responses and router attempts."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from any_llm import AnyLLM, callhooks, plugins
from any_llm.callhooks import CallInfo
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.testing import MockServer, Reply
from any_llm.testing.api_conformance import openai_responses_exchanges
from any_llm.testing.conformance import TEXT, completion_json, openai_exchanges
from any_llm.testing.families import (
    AUDIO_BYTES,
    BATCH_LINES,
    MODERATION_INPUT,
    RERANK_DOCUMENTS,
    RERANK_QUERY,
    openai_family_exchanges,
)
from any_llm.testing.hooks import CallRecorder

MSG = [{"role": "user", "content": "hello there"}]
RID = {"x-request-id": "req-fam-1", "x-ratelimit-remaining-requests": "41"}


class Family(OpenAICompatibleProvider):
    """Every family on, Responses natively (the OpenAI protocol)."""

    name = "family-kit"
    requires_api_key = False
    supports_responses_native = True
    supports_rerank = True
    supports_moderation = True
    supports_image_generation = True
    supports_speech = True
    supports_transcription = True
    supports_batch = True


class Translated(OpenAICompatibleProvider):
    name = "translated-kit"
    requires_api_key = False
    extra_headers: ClassVar[dict[str, str]] = {}


@pytest.fixture
def recorder(call_recorder: CallRecorder) -> CallRecorder:
    return call_recorder


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


_open: list[AnyLLM] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def family(server: MockServer) -> AnyLLM:
    client = AnyLLM(Family(api_base=server.url + "/v1"), max_retries=0)
    _open.append(client)
    return client


def translated(server: MockServer) -> AnyLLM:
    client = AnyLLM(Translated(api_base=server.url), max_retries=0)
    _open.append(client)
    return client


def run(method: Any, *args: Any, use_async: bool = False, **kwargs: Any) -> Any:
    """``method(...)``, awaited on a loop of its own when ``use_async`` (its client's async pool closed after)."""
    if not use_async:
        return method(*args, **kwargs)
    owner = getattr(method, "__self__", None)
    client = getattr(owner, "_client", owner)

    async def main() -> Any:
        try:
            return await method(*args, **kwargs)
        finally:
            await client.aclose()

    return asyncio.run(main())


# -- one call per family: start, its attempts, one terminal hook ---------------------------------------

FAMILY_CALLS: dict[str, tuple[str, tuple[Any, ...], dict[str, Any], str]] = {
    "rerank": ("rerank", ("rr-model", RERANK_QUERY, RERANK_DOCUMENTS), {"top_n": 2}, "response"),
    "moderation": ("moderation", ("mod-model", MODERATION_INPUT), {}, "response"),
    "image_generation": ("image_generation", ("img-model", "a red circle"), {"n": 1}, "response"),
    "speech": ("speech", ("tts-model", "Paris.", "alloy"), {}, "end"),
    "transcription": ("transcription", ("stt-model", AUDIO_BYTES), {"filename": "a.mp3"}, "response"),
}


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("api", sorted(FAMILY_CALLS))
def test_each_family_call_fires_its_hooks(
    api: str, use_async: bool, recorder: CallRecorder, server: MockServer
) -> None:
    name, args, kwargs, terminal = FAMILY_CALLS[api]
    reply = openai_family_exchanges()[api]
    assert isinstance(reply, Reply)
    reply.headers.update(RID)
    server.queue(reply)
    client = family(server)
    run(getattr(client, ("a" if use_async else "") + name), *args, use_async=use_async, **kwargs)
    assert recorder.names(chunks=False) == ["start", "attempt", terminal]
    call = recorder.events[0][1]
    assert (call.api, call.operation, call.provider, call.model) == (
        api,
        callhooks.OPERATIONS[api],
        "family-kit",
        args[0],
    )
    assert call.request_id == "req-fam-1" and call.status_code == 200 and call.completed
    assert call.server_address == "127.0.0.1" and call.server_port == server.port
    assert call.duration is not None and call.error is None
    if api == "rerank":
        assert call.parameters["top_n"] == 2 and call.result.results[0].index == 1


def test_a_batch_job_is_one_call_whose_attempts_are_its_requests(
    recorder: CallRecorder, server: MockServer, tmp_path: Path
) -> None:
    batch_file = tmp_path / "batch.jsonl"
    batch_file.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    server.queue(*openai_family_exchanges()["batch"])  # type: ignore[misc]
    client = family(server)
    created = client.create_batch(str(batch_file), "/v1/chat/completions")
    results = client.retrieve_batch_results(created.id)
    assert len(results.results) == 2
    assert recorder.names(chunks=False) == [
        "start",
        "attempt",
        "attempt",
        "response",
        "start",
        "attempt",
        "attempt",
        "attempt",
        "response",
    ]
    create, fetch = recorder.calls()
    assert (create.operation, create.parameters["endpoint"], create.attempts) == (
        "create_batch",
        "/v1/chat/completions",
        2,
    )
    assert (fetch.operation, fetch.attempts, fetch.result) == ("retrieve_batch_results", 3, results)
    urls = [e[2].url for e in recorder.events if e[0] == "attempt"]
    assert urls[:2] == [server.url + "/v1/files", server.url + "/v1/batches"]


def test_a_batch_error_is_reported(recorder: CallRecorder, server: MockServer) -> None:
    from any_llm import errors

    server.queue(Reply.json({"error": {"message": "no such batch", "type": "invalid_request_error"}}, status=404))
    with pytest.raises(errors.AnyLLMError):
        family(server).retrieve_batch("batch_missing")
    assert recorder.names(chunks=False) == ["start", "attempt", "error"]
    assert recorder.events[-1][1].status_code == 404


def test_file_content_download_reports_its_end(recorder: CallRecorder, server: MockServer) -> None:
    server.queue(Reply(200, {"content-type": "application/octet-stream", **RID}, [b"a" * 10, b"b" * 10]))
    stream = family(server).file_content("file-1")
    assert recorder.names(chunks=False) == ["start", "attempt"]
    assert stream.read() == b"a" * 10 + b"b" * 10
    assert recorder.names(chunks=False) == ["start", "attempt", "end"]
    assert recorder.events[-1][1].completed and recorder.events[-1][1].stream


# -- responses and messages, native and translated, plain and streamed ------------------------------------


USAGE = (12, 7)  # the kit's usage (any_llm.testing.conformance.USAGE)


def native_responses(scenario: str) -> Reply:
    """OpenAI's documented /responses answers (``plain`` or ``stream``), from the API conformance kit."""
    reply = openai_responses_exchanges()[scenario]
    assert isinstance(reply, Reply)
    reply.headers.update(RID)
    return reply


def chat_stream() -> Reply:
    """A chat-completions stream ending in a usage chunk, from the conformance kit."""
    reply = openai_exchanges()["stream"]
    assert isinstance(reply, Reply)
    return reply


def check_chat_call(call: CallInfo, api: str, finish: str) -> None:
    assert (call.api, call.operation) == (api, "chat")
    assert (call.input_tokens, call.output_tokens) == USAGE
    assert call.finish_reasons == [finish]
    assert call.completed and call.error is None


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_responses_native_plain_and_streamed(use_async: bool, recorder: CallRecorder, server: MockServer) -> None:
    server.queue(native_responses("plain"), native_responses("stream"))
    client = family(server)

    async def stream_async() -> list[Any]:
        return [e async for e in await client.aresponses("native-model", "hi", stream=True)]

    answer = run(client.aresponses if use_async else client.responses, "native-model", "hi", use_async=use_async)
    events = asyncio.run(stream_async()) if use_async else list(client.responses("native-model", "hi", stream=True))
    assert answer.output_text == TEXT and [e.type for e in events][-1] == "response.completed"
    assert recorder.names(chunks=False) == ["start", "attempt", "response", "start", "attempt", "end"]
    plain, streamed = recorder.calls()
    check_chat_call(plain, "responses", "completed")
    check_chat_call(streamed, "responses", "completed")
    assert plain.request_id == "req-fam-1" and plain.response_id == "resp_kit"
    assert streamed.stream and streamed.response_model == "test-model" and streamed.chunks == len(events)
    chunks = [e[2] for e in recorder.events if e[0] == "chunk"]
    assert [c.type for c in chunks] == [e.type for e in events]


def test_responses_translated_streamed(recorder: CallRecorder, server: MockServer) -> None:
    server.queue(chat_stream())
    client = translated(server)
    events = list(
        client.responses("t-model", "hi", stream=True, max_output_tokens=20, temperature=0.5, instructions="Be brief.")
    )
    assert events[-1].type == "response.completed"
    (call,) = recorder.calls()
    check_chat_call(call, "responses", "stop")
    assert call.parameters["max_output_tokens"] == 20 and call.parameters["temperature"] == 0.5
    assert "instructions" not in call.parameters and call.messages == ["hi"]


def test_messages_translated_plain(recorder: CallRecorder, server: MockServer) -> None:
    server.queue(Reply.json(completion_json({"content": "Paris"})))
    client = translated(server)
    message = client.messages("t-model", MSG, 50)
    assert message.text == "Paris"
    assert recorder.names(chunks=False) == ["start", "attempt", "response"]
    call = recorder.calls()[0]
    assert (call.api, call.operation, call.parameters["max_tokens"]) == ("messages", "chat", 50)
    assert call.finish_reasons == ["end_turn"]


# -- raw responses: every family, and a streamed one left unparsed ---------------------------------------


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("api", sorted(FAMILY_CALLS))
def test_with_raw_response_on_each_family(api: str, use_async: bool, server: MockServer) -> None:
    name, args, kwargs, _ = FAMILY_CALLS[api]
    reply = openai_family_exchanges()[api]
    assert isinstance(reply, Reply)
    reply.headers.update(RID)
    server.queue(reply)
    client = family(server)
    method = getattr(client.with_raw_response, ("a" if use_async else "") + name)

    async def read(raw: Any) -> Any:
        parsed = raw.parse()
        return await parsed.read() if api == "speech" else parsed

    async def main() -> tuple[Any, Any]:
        raw = await method(*args, **kwargs)
        try:
            return raw, await read(raw)
        finally:
            await client.aclose()

    if use_async:
        raw, parsed = asyncio.run(main())
    else:
        raw = method(*args, **kwargs)
        parsed = raw.parse().read() if api == "speech" else raw.parse()
    assert raw.status_code == 200 and raw.request_id == "req-fam-1"
    assert raw.headers["x-ratelimit-remaining-requests"] == "41"
    if api == "speech":
        assert parsed == AUDIO_BYTES
    else:
        assert parsed is not None and parsed is raw.parse()


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_with_raw_response_on_responses_messages_and_batches(
    use_async: bool, server: MockServer, tmp_path: Path
) -> None:
    batch_file = tmp_path / "batch.jsonl"
    batch_file.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    upload, created = openai_family_exchanges()["batch"][:2]  # type: ignore[index]
    created.headers.update(RID)
    server.queue(
        native_responses("plain"),
        Reply.json(completion_json({"content": "Paris"}), headers=RID),
        upload,
        created,
    )
    client = family(server)
    raw = client.with_raw_response
    prefix = "a" if use_async else ""
    answers = [
        run(getattr(raw, prefix + "responses"), "m", input_data="hi", use_async=use_async),
        run(getattr(raw, prefix + "messages"), "m", MSG, max_tokens=9, use_async=use_async),
        run(getattr(raw, prefix + "create_batch"), str(batch_file), "/v1/chat/completions", use_async=use_async),
    ]
    for answer in answers:
        assert answer.headers["x-ratelimit-remaining-requests"] == "41" and answer.request_id == "req-fam-1"
    assert answers[0].parse().output_text == TEXT
    assert answers[1].parse().text == "Paris"
    assert answers[2].parse().id == "batch_kit"


def test_raw_response_missing_argument_is_a_type_error(server: MockServer) -> None:
    with pytest.raises(TypeError, match="query"):
        family(server).with_raw_response.rerank("m")


@pytest.mark.parametrize("how", ["close", "with", "garbage"])
def test_unparsed_raw_stream_ends_its_call(how: str, recorder: CallRecorder, server: MockServer) -> None:
    server.queue(chat_stream())
    client = translated(server)
    raw = client.with_raw_response.completion("m", MSG, stream=True)
    assert recorder.names(chunks=False) == ["start", "attempt"]
    if how == "close":
        raw.close()
    elif how == "with":
        with raw:
            pass
    else:
        del raw
        gc.collect()
    assert recorder.names(chunks=False) == ["start", "attempt", "end"]
    call = recorder.events[-1][1]
    assert not call.completed and call.duration is not None
    client.close()


def test_parsed_raw_stream_ends_once_when_read(recorder: CallRecorder, server: MockServer) -> None:
    server.queue(chat_stream())
    client = translated(server)
    with client.with_raw_response.completion("m", MSG, stream=True) as raw:
        assert len(list(raw.parse())) > 2
    assert recorder.names(chunks=False) == ["start", "attempt", "end"] and recorder.events[-1][1].completed


def test_unparsed_async_raw_stream_ends_its_call(recorder: CallRecorder, server: MockServer) -> None:
    server.queue(chat_stream())

    async def main() -> None:
        client = translated(server)
        async with await client.with_raw_response.acompletion("m", MSG, stream=True):
            pass
        await client.aclose()

    asyncio.run(main())
    assert recorder.names(chunks=False) == ["start", "attempt", "end"] and not recorder.events[-1][1].completed


# -- router attempts -----------------------------------------------------------------------------------


def test_router_attempts_reach_the_hooks(recorder: CallRecorder) -> None:
    from any_llm.router import Router

    with MockServer() as a, MockServer() as b:
        a.queue(Reply.json({"error": {"message": "slow down"}}, status=429))
        b.queue(Reply.json(completion_json({"content": "from b"})))
        deployments = [
            {"group": "primary", "model": "openai:m", "api_key": "sk-x", "api_base": a.url, "name": "a"},
            {"group": "backup", "model": "openai:m", "api_key": "sk-x", "api_base": b.url, "name": "b"},
        ]
        router = Router(deployments, fallbacks={"primary": ["backup"]})
        router.completion(model="primary", messages=MSG)
    first, second = recorder.calls()
    assert first.route == callhooks.RouteInfo("primary", "a", 1, False)
    assert second.route == callhooks.RouteInfo("primary", "b", 2, True)
    assert recorder.names(chunks=False) == ["start", "attempt", "error", "start", "attempt", "response"]


# -- the module-level functions: the async twins made from the sync ones forward the same arguments --------


def test_module_level_async_twins_forward_like_the_sync_functions(
    recorder: CallRecorder, server: MockServer, tmp_path: Path
) -> None:
    import inspect

    import any_llm
    from any_llm.api import close_clients

    batch_file = tmp_path / "batch.jsonl"
    batch_file.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    exchanges = openai_family_exchanges()
    upload, created = exchanges["batch"][:2]  # type: ignore[index]
    server.queue(exchanges["image_generation"], upload, created, upload)  # type: ignore[arg-type]
    settings: dict[str, Any] = {"api_key": "sk-x", "api_base": server.url + "/v1"}

    async def main() -> None:
        image = await any_llm.aimage_generation("openai:gpt-image-1", "a red circle", n=2, **settings)
        batch = await any_llm.acreate_batch(
            "openai", str(batch_file), "/v1/chat/completions", metadata={"k": "v"}, **settings
        )
        uploaded = await any_llm.aupload_file("openai", batch_file, purpose="fine-tune", **settings)
        assert len(image.data) == 1 and batch.id == "batch_kit" and uploaded.id == "file-in"

    asyncio.run(main())
    close_clients()
    images, _, create_req, upload_again = server.requests
    assert images.json == {"model": "gpt-image-1", "prompt": "a red circle", "n": 2}
    assert create_req.json["metadata"] == {"k": "v"} and create_req.json["completion_window"] == "24h"
    assert b'name="purpose"\r\n\r\nfine-tune' in upload_again.body
    assert [c.api for c in recorder.calls()] == ["image_generation", "create_batch", "upload_file"]
    for name in ("arerank", "amoderation", "aimage_generation", "atranscription", "acreate_batch", "alist_files"):
        twin, sync = getattr(any_llm, name), getattr(any_llm, name[1:])
        assert inspect.iscoroutinefunction(twin) and twin.__name__ == name
        assert inspect.signature(twin) == inspect.signature(sync) and twin.__doc__ == sync.__doc__


def test_no_hook_no_event_for_the_families(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a hook plugin a family call builds no event and opens plain (unobserved) streams."""
    from importlib.metadata import entry_points

    from any_llm.downloads import BinaryStream
    from any_llm.streaming import Stream

    installed = {ep.dist.name for ep in entry_points(group="anyllm_hooks") if ep.dist is not None}
    monkeypatch.setenv("ANYLLM_DISABLE_PLUGINS", ",".join(sorted(installed)) or "none")
    plugins.reset()

    def boom(*a: Any, **k: Any) -> Any:
        raise AssertionError("event built with no hook registered")

    monkeypatch.setattr(callhooks, "start_call", boom)
    try:
        exchanges = openai_family_exchanges()
        server.queue(exchanges["rerank"], exchanges["speech"], native_responses("stream"))  # type: ignore[arg-type]
        client = family(server)
        client.rerank("m", RERANK_QUERY, RERANK_DOCUMENTS)
        audio = client.speech("m", "Paris.", "alloy", stream=True)
        assert type(audio) is BinaryStream and audio.read() == AUDIO_BYTES
        events = client.responses("m", "hi", stream=True)
        assert type(events._inner) is Stream and list(events)[-1].type == "response.completed"
        assert callhooks.ACTIVE is False
    finally:
        plugins.reset()


FILE = {
    "id": "file-in",
    "object": "file",
    "bytes": 1,
    "created_at": 1700000000,
    "filename": "batch.jsonl",
    "purpose": "batch",
    "status": "processed",
}
FILE_CALLS: dict[str, tuple[tuple[Any, ...], Reply]] = {
    "upload_file": ((b'{"custom_id": "a"}\n',), Reply.json(FILE, headers=RID)),
    "retrieve_file": (("file-in",), Reply.json(FILE, headers=RID)),
    "delete_file": (("file-in",), Reply.json({"id": "file-in", "object": "file", "deleted": True}, headers=RID)),
    "list_files": ((), Reply.json({"object": "list", "data": [FILE], "has_more": False}, headers=RID)),
    "file_content": (("file-in",), Reply(200, {"content-type": "application/octet-stream", **RID}, [b"abc"])),
}


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("api", sorted(FILE_CALLS))
def test_with_raw_response_on_each_file_method(
    api: str, use_async: bool, recorder: CallRecorder, server: MockServer
) -> None:
    args, reply = FILE_CALLS[api]
    server.queue(reply)
    client = family(server)
    method = getattr(client.with_raw_response, ("a" if use_async else "") + api)

    async def main() -> tuple[Any, Any]:
        raw = await method(*args)
        parsed = raw.parse()
        try:
            return raw, await parsed.read() if api == "file_content" else parsed
        finally:
            await client.aclose()

    if use_async:
        raw, parsed = asyncio.run(main())
    else:
        raw = method(*args)
        parsed = raw.parse().read() if api == "file_content" else raw.parse()
    assert raw.headers["x-ratelimit-remaining-requests"] == "41" and raw.request_id == "req-fam-1"
    expected = {"delete_file": True, "file_content": b"abc"}
    if api in expected:
        assert parsed == expected[api]
    else:
        assert (parsed[0] if api == "list_files" else parsed).id == "file-in"
    assert recorder.names(chunks=False)[-1] in ("response", "end") and recorder.calls()[0].api == api
