"""Conformance scenarios for the API families (rerank, moderation, images, speech, transcription, batch).

Mixed into :class:`~any_llm.testing.conformance.ProviderConformance`, so every plugin runs them: for a
family the provider declares, its ``exchange("<family>")`` answers (recorded from the real API, edited
to carry the canonical values below) must come out of the real core, sync and async, as our types with
those values, and each request body must validate against ``family_request_schemas`` when given; for a
family it does not declare, the call must raise UnsupportedCapabilityError before any request.

Canonical values: rerank of :data:`RERANK_DOCUMENTS` ranks :data:`RERANK_ORDER` with
:data:`RERANK_SCORES`; moderation of :data:`MODERATION_INPUT` flags the first item, in one category
whose name holds "violence" (each provider keeps its own category names), and nothing in the second;
images decode to :data:`IMAGE_BYTES`; speech is :data:`AUDIO_BYTES`; transcription of
:data:`AUDIO_BYTES` is :data:`TRANSCRIPT`; a batch of :data:`BATCH_LINES` ends with "req-1" answered
:data:`~any_llm.testing.conformance.TEXT` and "req-2" failed with the provider's invalid-request code
(OpenAI's :data:`BATCH_ERROR_CODE`, Anthropic's ``invalid_request_error``, Google's ``INVALID_ARGUMENT``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from any_llm import errors
from any_llm.testing.schema import OPENAI_FAMILIES_SPEC
from any_llm.testing.server import MockServer, RecordedRequest, Reply

if TYPE_CHECKING:
    from any_llm.provider import Provider

__all__ = [
    "AUDIO_BYTES",
    "BATCH_ERROR_CODE",
    "BATCH_LINES",
    "FAMILIES",
    "FAMILIES_SPEC",
    "IMAGE_BYTES",
    "MODERATION_INPUT",
    "RERANK_DOCUMENTS",
    "RERANK_ORDER",
    "RERANK_QUERY",
    "RERANK_SCORES",
    "TRANSCRIPT",
    "FamilyConformance",
    "multipart_fields",
    "openai_batch_exchange",
    "openai_family_exchanges",
]

FAMILIES = ("rerank", "moderation", "image_generation", "speech", "transcription", "batch")
FAMILIES_SPEC = OPENAI_FAMILIES_SPEC

RERANK_QUERY = "What is the capital of France?"
RERANK_DOCUMENTS = ["Berlin is in Germany.", "Paris is the capital of France.", "The sky is blue."]
RERANK_ORDER = [1, 0, 2]
RERANK_SCORES = [0.98, 0.21, 0.03]
MODERATION_INPUT = ["I will hurt you.", "Have a nice day."]
IMAGE_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
AUDIO_BYTES = b"ID3" + bytes(range(256)) * 600
TRANSCRIPT = "The capital of France is Paris."
BATCH_ERROR_CODE = "invalid_request"
BATCH_LINES = [
    {
        "custom_id": "req-1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "test-model", "messages": [{"role": "user", "content": "Capital of France?"}]},
    },
    {
        "custom_id": "req-2",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "test-model", "messages": [{"role": "user", "content": ""}]},
    },
]


def multipart_fields(request: RecordedRequest) -> tuple[dict[str, Any], dict[str, bytes]]:
    """(form fields, file contents by field name) of a recorded multipart/form-data request."""
    ctype = request.headers.get("content-type", "")
    assert ctype.startswith("multipart/form-data; boundary="), f"not a multipart request: {ctype!r}"
    boundary = ctype.split("boundary=", 1)[1].encode()
    fields: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for part in request.body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part[2:].partition(b"\r\n\r\n")
        value = value[:-2]  # the CRLF before the next boundary
        disposition = head.split(b"\r\n")[0].decode()
        name = disposition.split('name="', 1)[1].split('"', 1)[0]
        if 'filename="' in disposition:
            files[name] = value
        elif name.endswith("[]"):
            fields.setdefault(name[:-2], []).append(value.decode())
        else:
            fields[name] = value.decode()
    return fields, files


def _png_b64() -> str:
    return base64.b64encode(IMAGE_BYTES).decode()


def openai_batch_exchange() -> list[Reply]:
    """The OpenAI answers of the batch scenario: upload, create, then retrieve + output + error files."""
    from any_llm.testing.conformance import completion_json

    batch = {
        "id": "batch_kit",
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "input_file_id": "file-in",
        "completion_window": "24h",
        "status": "validating",
        "created_at": 1700000000,
        "request_counts": {"total": 2, "completed": 0, "failed": 0},
    }
    done = {
        **batch,
        "status": "completed",
        "output_file_id": "file-out",
        "error_file_id": "file-err",
        "completed_at": 1700000100,
        "request_counts": {"total": 2, "completed": 1, "failed": 1},
    }
    output = {
        "id": "batch_req_1",
        "custom_id": "req-1",
        "response": {"status_code": 200, "request_id": "r1", "body": completion_json({"content": _text()})},
        "error": None,
    }
    failed = {
        "id": "batch_req_2",
        "custom_id": "req-2",
        "response": {
            "status_code": 400,
            "request_id": "r2",
            "body": {
                "error": {
                    "message": "messages[0].content is empty",
                    "type": "invalid_request_error",
                    "code": BATCH_ERROR_CODE,
                }
            },
        },
        "error": None,
    }
    return [
        Reply.json(
            {
                "id": "file-in",
                "object": "file",
                "bytes": 1,
                "created_at": 1700000000,
                "filename": "batch.jsonl",
                "purpose": "batch",
                "status": "processed",
            }
        ),
        Reply.json(batch),
        Reply.json(done),
        Reply.text(json.dumps(output) + "\n", content_type="application/octet-stream"),
        Reply.text(json.dumps(failed) + "\n", content_type="application/octet-stream"),
    ]


def _text() -> str:
    from any_llm.testing.conformance import TEXT

    return TEXT


def openai_family_exchanges() -> dict[str, Reply | list[Reply]]:
    """OpenAI-protocol answers of every family scenario (rerank in the Jina/Cohere shape)."""
    ranked = [
        {"index": i, "relevance_score": s, "document": {"text": RERANK_DOCUMENTS[i]}}
        for i, s in zip(RERANK_ORDER, RERANK_SCORES)
    ]
    categories = {"violence": True, "harassment": False, "sexual": False}
    return {
        "rerank": Reply.json({"id": "rr-kit", "results": ranked[::-1], "usage": {"total_tokens": 42}}),
        "moderation": Reply.json(
            {
                "id": "modr-kit",
                "model": "test-model",
                "results": [
                    {
                        "flagged": True,
                        "categories": categories,
                        "category_scores": {"violence": 0.97, "harassment": 0.2, "sexual": 0.0},
                    },
                    {
                        "flagged": False,
                        "categories": dict.fromkeys(categories, False),
                        "category_scores": {"violence": 0.01, "harassment": 0.0, "sexual": 0.0},
                    },
                ],
            }
        ),
        "image_generation": Reply.json({"created": 1700000000, "data": [{"b64_json": _png_b64()}]}),
        "speech": Reply(
            200, {"content-type": "audio/mpeg"}, [AUDIO_BYTES[i : i + 8192] for i in range(0, len(AUDIO_BYTES), 8192)]
        ),
        "transcription": Reply.json({"text": TRANSCRIPT, "usage": {"type": "duration", "seconds": 3}}),
        "batch": openai_batch_exchange(),
    }


def _family_call(capability: str, client: Any, model: str, workdir: Path, use_async: bool) -> Any:
    """The scenario's call through an AnyLLM client (awaited when ``use_async``)."""
    batch_file = workdir / "batch.jsonl"
    batch_file.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    prefix = "a" if use_async else ""

    async def batch_async() -> Any:
        created = await client.acreate_batch(str(batch_file), "/v1/chat/completions")
        return created, await client.aretrieve_batch_results(created.id)

    def batch_sync() -> Any:
        created = client.create_batch(str(batch_file), "/v1/chat/completions")
        return created, client.retrieve_batch_results(created.id)

    if capability == "batch":
        return asyncio.run(batch_async()) if use_async else batch_sync()
    calls: dict[str, tuple[str, tuple[Any, ...], dict[str, Any]]] = {
        "rerank": ("rerank", (model, RERANK_QUERY, RERANK_DOCUMENTS), {}),
        "moderation": ("moderation", (model, MODERATION_INPUT), {}),
        "image_generation": ("image_generation", (model, "a red circle"), {"n": 1}),
        "speech": ("speech", (model, "The capital of France is Paris.", "alloy"), {}),
        "transcription": ("transcription", (model, AUDIO_BYTES), {"filename": "speech.mp3"}),
    }
    name, args, kwargs = calls[capability]
    method = getattr(client, prefix + name)
    return asyncio.run(method(*args, **kwargs)) if use_async else method(*args, **kwargs)


def _check_family(capability: str, result: Any, requests: list[RecordedRequest]) -> None:
    if capability == "rerank":
        got = [(r.index, r.relevance_score) for r in result.results]
        assert got == list(zip(RERANK_ORDER, RERANK_SCORES)), f"rerank results {got}"
    elif capability == "moderation":
        flags = [r.flagged for r in result.results]
        assert flags == [True, False], f"moderation flags {flags}"
        raised = [k for k, v in result.results[0].categories.items() if v]
        assert len(raised) == 1 and "violence" in raised[0], f"flagged categories {raised}"
        assert not any(result.results[1].categories.values()), result.results[1].categories
    elif capability == "image_generation":
        assert [img.decode() for img in result.data] == [IMAGE_BYTES], "the image bytes differ"
    elif capability == "speech":
        assert result == AUDIO_BYTES, f"speech: {len(result)} bytes, expected {len(AUDIO_BYTES)}"
    elif capability == "transcription":
        assert result.text == TRANSCRIPT, result
        assert any(AUDIO_BYTES in r.body for r in requests), "the audio was not uploaded"
    elif capability == "batch":
        created, results = result
        assert created.status in ("validating", "in_progress"), created.status
        by_id = {item.custom_id: item for item in results.results}
        assert sorted(by_id) == ["req-1", "req-2"], sorted(by_id)
        first, second = by_id["req-1"], by_id["req-2"]
        assert first.error is None and first.result is not None, first
        assert first.result.choices[0].message.content == _text(), first.result
        assert second.result is None and second.error is not None and "invalid" in second.error.code.lower(), second


class FamilyConformance:
    """The family scenarios; see the module docstring. ``exchange(family)`` gives the server's answers."""

    provider_class: ClassVar[type[Provider]]
    model: ClassVar[str]
    base_path: ClassVar[str]
    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = {}
    """family → (spec file, schema name) that each JSON body (or multipart form) of that family must match;
    ``"batch_upload"`` is the batch input file's multipart form."""

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        raise NotImplementedError

    def run_family(self, capability: str, use_async: bool) -> None:
        from any_llm import plugins
        from any_llm.client import AnyLLM
        from any_llm.testing.conformance import KEY

        cls = self.provider_class
        supported = getattr(cls, f"supports_{capability}")
        with plugins.registered(cls), MockServer() as server, tempfile.TemporaryDirectory() as tmp:
            if supported:
                replies = self.exchange(capability)
                server.queue(*(replies if isinstance(replies, list) else [replies]))
            client = AnyLLM.create(cls.name, api_key=KEY, api_base=server.url + self.base_path, max_retries=0)
            try:
                if not supported:
                    try:
                        _family_call(capability, client, self.model, Path(tmp), use_async)
                    except errors.UnsupportedCapabilityError:
                        assert server.requests == [], f"{capability}: a request was sent for a declared gap"
                        return
                    raise AssertionError(f"{capability} is declared unsupported but the call went through")
                result = _family_call(capability, client, self.model, Path(tmp), use_async)
            finally:
                client.close()
            requests = list(server.requests)
        _check_family(capability, result, requests)
        for request in requests:
            assert KEY not in request.path, f"{capability}: the API key was sent in the URL"
        _check_bodies(capability, requests, self.family_request_schemas)


def _check_bodies(capability: str, requests: list[RecordedRequest], schemas: dict[str, tuple[str | Path, str]]) -> None:
    """Each POST body against its schema: a batch's multipart upload against ``schemas["batch_upload"]``."""
    from any_llm.testing.schema import schema_errors

    for request in requests:
        if request.method != "POST":
            continue
        multipart = request.headers.get("content-type", "").startswith("multipart/")
        if multipart:
            body, files = multipart_fields(request)
            body.update(dict.fromkeys(files, "<binary>"))
        else:
            body = request.json
        key = "batch_upload" if capability == "batch" and multipart else capability
        schema = schemas.get(key)
        if schema is None:
            continue
        problems = schema_errors(schema[0], schema[1], body)
        assert not problems, f"{capability}: request body does not match {schema[1]}: {problems[:3]}"


def _make_family_test(capability: str, use_async: bool) -> Callable[[FamilyConformance], None]:
    def test(self: FamilyConformance) -> None:
        self.run_family(capability, use_async)

    test.__name__ = f"test_family_{capability}_{'async' if use_async else 'sync'}"
    test.__doc__ = f"Family scenario {capability!r}, {'async' if use_async else 'sync'}."
    return test


for _family in FAMILIES:
    for _mode in (False, True):
        _t = _make_family_test(_family, _mode)
        setattr(FamilyConformance, _t.__name__, _t)

OPENAI_FAMILY_SCHEMAS: dict[str, tuple[str | Path, str]] = {
    "moderation": (FAMILIES_SPEC, "CreateModerationRequest"),
    "image_generation": (FAMILIES_SPEC, "CreateImageRequest"),
    "speech": (FAMILIES_SPEC, "CreateSpeechRequest"),
    "transcription": (FAMILIES_SPEC, "CreateTranscriptionRequest"),
    "batch": (FAMILIES_SPEC, "CreateBatchRequest"),
    "batch_upload": (FAMILIES_SPEC, "CreateFileRequest"),
}
"""OpenAI's official request schemas per family (the batch upload is checked against CreateFileRequest)."""
