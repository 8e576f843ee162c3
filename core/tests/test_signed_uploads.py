"""Streamed uploads to providers that sign request bodies (AWS SigV4): signed without holding the bytes.

Two ways, both checked by a local server that verifies every signature with botocore's signer: a request that
declares ``x-amz-content-sha256: UNSIGNED-PAYLOAD`` (S3-style) is signed at once; otherwise core hashes a
re-readable source in a first streaming pass and the signature covers that digest. A source that cannot be
read twice is refused before anything is sent. A 64 MB file is signed and sent with memory staying flat."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import tempfile
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from any_llm import AnyLLM, errors, plugins
from any_llm.aws import AWSProvider
from any_llm.provider import HTTPRequest
from any_llm.testing.aws import SigV4Server, verify_sigv4
from any_llm.testing.families import multipart_fields
from any_llm.testing.server import RecordedRequest, Reply
from any_llm.types.files import FileObject
from any_llm.uploads import FilePart, Multipart

pytest.importorskip("botocore")

AKID = "AKIDUPLOADSIGNTEST01"
SECRET = "upl0adSecretK7MDENGbPxRfiCYEXAMPLEKEYabc"  # 40 characters, shaped like AWS's
SERVICE = "filestore"


class SignedFiles(AWSProvider):
    """A SigV4-signed files service; ``unsigned_payload`` makes it S3-like (the payload left out)."""

    name = "signed-files-test"
    aws_service = SERVICE
    default_api_base = "https://files.{region}.example.invalid"
    supports_batch = True
    unsigned_payload: ClassVar[bool] = False

    def build_upload_file_request(self, file: FilePart, purpose: str, extra: dict[str, Any]) -> HTTPRequest:
        headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"} if self.unsigned_payload else {}
        return HTTPRequest("POST", "v1/files", upload=Multipart({"purpose": purpose}, {"file": file}), headers=headers)

    def parse_file(self, body: bytes) -> FileObject:
        return FileObject.model_validate(json.loads(body))


class UnsignedFiles(SignedFiles):
    name = "unsigned-payload-files-test"
    unsigned_payload = True


@pytest.fixture(autouse=True)
def _providers() -> Iterator[None]:
    with plugins.registered(SignedFiles), plugins.registered(UnsignedFiles):
        yield


def client(provider: str, url: str, retries: int = 0) -> AnyLLM:
    return AnyLLM.create(
        provider,
        api_base=url,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        region_name="eu-west-3",
        max_retries=retries,
    )


FILE = {"id": "file-1", "object": "file", "bytes": 0, "filename": "in.jsonl", "purpose": "batch"}
DATA = b'{"custom_id": "a"}\n' * 5000


@pytest.mark.parametrize("provider", ["signed-files-test", "unsigned-payload-files-test"])
@pytest.mark.parametrize("source", ["path", "bytes", "seekable"])
def test_a_streamed_upload_is_signed_and_verified(tmp_path: Path, provider: str, source: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(DATA)
    file: Any = {"path": str(path), "bytes": DATA, "seekable": io.BytesIO(DATA)}[source]
    with SigV4Server({AKID: SECRET}, SERVICE) as server:
        server.script.append(Reply.json(FILE))
        with client(provider, server.url) as c:
            assert c.upload_file(file, filename="in.jsonl").id == "file-1"
        (request,) = server.requests
    assert server.verdicts == [None]
    fields, files = multipart_fields(request)
    assert fields == {"purpose": "batch"} and files["file"] == DATA
    declared = request.headers.get("x-amz-content-sha256")
    assert declared == ("UNSIGNED-PAYLOAD" if provider.startswith("unsigned") else None)


def test_a_retry_is_signed_again_over_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import any_llm.transport

    monkeypatch.setattr(any_llm.transport, "backoff", lambda attempt: 0.0)
    with SigV4Server({AKID: SECRET}, SERVICE) as server:
        busy = Reply.json({"message": "slow down"}, 503, headers={"x-amzn-errortype": "ServiceUnavailableException"})
        server.script += [busy, Reply.json(FILE)]
        with client("signed-files-test", server.url, retries=1) as c:
            c.upload_file(DATA, filename="in.jsonl")
    assert server.verdicts == [None, None] and server.requests[0].body == server.requests[1].body


def test_a_changed_byte_fails_verification(tmp_path: Path) -> None:
    """The hashed-first signature covers the bytes: a body that differs from the first pass is caught."""
    reads = iter([b"A" * 1000, b"B" * 1000])
    part_source = lambda: [next(reads)]  # noqa: E731 -- a factory whose second pass differs
    with SigV4Server({AKID: SECRET}, SERVICE) as server, client("signed-files-test", server.url) as c:
        request = HTTPRequest("POST", "v1/files", upload=Multipart({}, {"file": FilePart(part_source, "x")}))
        with pytest.raises(errors.APIStatusError):
            c.transport.send(c.provider, request)
    assert server.verdicts == ["signature mismatch"]


def test_a_source_that_cannot_be_read_twice_is_refused_before_sending() -> None:
    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: Any) -> int:
            return 0

    with SigV4Server({AKID: SECRET}, SERVICE) as server, client("signed-files-test", server.url) as c:
        with pytest.raises(errors.ConfigurationError, match="cannot be read twice"):
            c.upload_file(io.BufferedReader(Pipe()), filename="in.jsonl")
        server.script.append(Reply.json(FILE))  # the S3-style service needs no second read
        with client("unsigned-payload-files-test", server.url) as u:
            assert u.upload_file(io.BufferedReader(Pipe()), filename="in.jsonl").id == "file-1"
    assert server.verdicts == [None]


class _SpoolingVerifier(http.server.BaseHTTPRequestHandler):
    """Reads the body in 64 KiB pieces into a temp file (never in memory), then checks its SigV4 signature
    with botocore reading that file; answers a file object or AWS's 403."""

    verdicts: ClassVar[list[str | None]] = []
    sizes: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        remaining = int(self.headers["content-length"])
        with tempfile.TemporaryFile() as spool:
            while remaining:
                chunk = self.rfile.read(min(remaining, 65536))
                spool.write(chunk)
                remaining -= len(chunk)
            size = spool.tell()
            spool.seek(0)
            headers = {k.lower(): v for k, v in self.headers.items()}
            recorded = RecordedRequest("POST", self.path, headers, spool)  # type: ignore[arg-type]
            verdict = verify_sigv4(recorded, {AKID: SECRET}, service=SERVICE)
        self.verdicts.append(verdict)
        self.sizes.append(size)
        body = json.dumps({**FILE, "bytes": size} if verdict is None else {"message": verdict}).encode()
        self.send_response(200 if verdict is None else 403)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


SIZE = 64 * 1024 * 1024


def test_a_64_mb_upload_is_hashed_signed_and_sent_with_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as fh:
        block = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB
        for _ in range(SIZE // len(block)):
            fh.write(block)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SpoolingVerifier)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SpoolingVerifier.verdicts.clear()
    _SpoolingVerifier.sizes.clear()
    try:
        with client("signed-files-test", f"http://127.0.0.1:{server.server_address[1]}") as c:
            c.transport.timeout = c.transport.timeout.__class__(60.0)
            c.upload_file(DATA, filename="warm-up.jsonl")  # imports and pools (botocore's too) before measuring
            tracemalloc.start()
            try:
                uploaded = c.upload_file(str(path))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    finally:
        server.shutdown()
        server.server_close()
    assert _SpoolingVerifier.verdicts == [None, None]
    assert uploaded.bytes == _SpoolingVerifier.sizes[1] > SIZE
    print(f"\n{SIZE >> 20} MB signed upload: tracemalloc peak {peak / 1e6:.2f} MB")
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while signing and sending {SIZE >> 20} MB"


def test_the_async_client_signs_the_same_way(tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "in.jsonl"
    path.write_bytes(DATA)
    with SigV4Server({AKID: SECRET}, SERVICE) as server, client("signed-files-test", server.url) as c:
        server.script += [Reply.json(FILE), Reply.json(FILE)]
        asyncio.run(c.aupload_file(str(path)))
        with client("unsigned-payload-files-test", server.url) as u:
            asyncio.run(u.aupload_file(str(path)))
    assert server.verdicts == [None, None]
    assert [multipart_fields(r)[1]["file"] for r in server.requests] == [DATA, DATA]
