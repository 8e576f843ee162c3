"""The streamed transports under faults: multipart uploads that are retried (or must not be), downloads cut
mid-way, redirects of an upload, and a 200 MB upload whose memory stays flat. Sync and async, OpenAI plugin."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyllm_openai import OpenAIProvider

from any_llm import AnyLLM, errors, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.families import AUDIO_BYTES, multipart_fields

KEY = "sk-transfer-test-0000000000"
TEXT = {"text": "ok"}
FAST = {"retry-after-ms": "1"}


@pytest.fixture
def server() -> Iterator[MockServer]:
    with plugins.registered(OpenAIProvider), MockServer() as srv:
        yield srv


def client(server_url: str, retries: int = 2) -> AnyLLM:
    return AnyLLM.create("openai", api_key=KEY, api_base=server_url + "/v1", max_retries=retries)


def transcribe(c: AnyLLM, mode: str, file: Any) -> Any:
    if mode == "async":
        return asyncio.run(c.atranscription("whisper-1", file, filename="a.mp3"))
    return c.transcription("whisper-1", file, filename="a.mp3")


def speak(c: AnyLLM, mode: str, **kwargs: Any) -> Any:
    if mode == "async":

        async def run() -> Any:
            out = await c.aspeech("tts-1", "hello", "alloy", **kwargs)
            return await out.read() if hasattr(out, "read") and kwargs.get("stream") else out

        return asyncio.run(run())
    out = c.speech("tts-1", "hello", "alloy", **kwargs)
    return out.read() if kwargs.get("stream") else out


def uploaded(server: MockServer) -> list[bytes]:
    return [multipart_fields(r)[1]["file"] for r in server.requests]


MODES = ["sync", "async"]


# -- multipart retries ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", ["500", "reset"])
def test_a_path_upload_is_resent_whole_after_a_retryable_failure(
    server: MockServer, tmp_path: Path, mode: str, fault: str
) -> None:
    path = tmp_path / "a.mp3"
    path.write_bytes(AUDIO_BYTES)
    first = Reply.json({"error": {"message": "busy"}}, 500, headers=FAST) if fault == "500" else Reply(fault="reset")
    server.queue(first, Reply.json(TEXT))
    with client(server.url) as c:
        assert transcribe(c, mode, str(path)).text == "ok"
    assert uploaded(server) == [AUDIO_BYTES, AUDIO_BYTES]


@pytest.mark.parametrize("mode", MODES)
def test_a_seekable_file_is_resent_from_where_it_started(server: MockServer, tmp_path: Path, mode: str) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"HEADER" + AUDIO_BYTES)
    server.queue(Reply.json({"error": {"message": "busy"}}, 503, headers=FAST), Reply.json(TEXT))
    with client(server.url) as c, open(path, "rb") as fh:
        fh.read(6)  # the caller skipped a header: the upload starts here, every time
        assert transcribe(c, mode, fh).text == "ok"
    assert uploaded(server) == [AUDIO_BYTES, AUDIO_BYTES]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", ["500", "reset"])
def test_a_pipe_is_never_resent_once_it_went_out(server: MockServer, mode: str, fault: str) -> None:
    read_fd, write_fd = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_fd, AUDIO_BYTES[:60000]), os.close(write_fd)))
    writer.start()
    first = Reply.json({"error": {"message": "busy"}}, 500, headers=FAST) if fault == "500" else Reply(fault="reset")
    server.queue(first, Reply.json(TEXT))
    expected = errors.ProviderError if fault == "500" else errors.APIConnectionError
    with client(server.url) as c, os.fdopen(read_fd, "rb") as pipe, pytest.raises(expected):
        transcribe(c, mode, pipe)
    writer.join()
    assert len(server.requests) == 1, "a half-consumed stream was sent again"
    assert server.requests[0].headers.get("transfer-encoding") == "chunked"  # unknown size: chunked


@pytest.mark.parametrize("mode", MODES)
def test_a_same_origin_307_resends_a_path_upload_but_refuses_a_pipe(
    server: MockServer, tmp_path: Path, mode: str
) -> None:
    path = tmp_path / "a.mp3"
    path.write_bytes(AUDIO_BYTES)
    moved = Reply(307, {"location": "/v1/audio/transcriptions2"}, [b""])
    server.queue(moved, Reply.json(TEXT))
    with client(server.url) as c:
        assert transcribe(c, mode, str(path)).text == "ok"
    assert uploaded(server) == [AUDIO_BYTES, AUDIO_BYTES]
    assert server.requests[1].path == "/v1/audio/transcriptions2"

    server.requests.clear()
    read_fd, write_fd = os.pipe()
    os.write(write_fd, AUDIO_BYTES[:1000])
    os.close(write_fd)
    server.queue(moved, Reply.json(TEXT))
    with (
        client(server.url) as c,
        os.fdopen(read_fd, "rb") as pipe,
        pytest.raises(errors.APIConnectionError, match="cannot be rewound"),
    ):
        transcribe(c, mode, pipe)
    assert len(server.requests) == 1


# -- streamed downloads ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_speech_streams_in_pieces_to_an_iterator_and_a_file(server: MockServer, tmp_path: Path, mode: str) -> None:
    pieces = [AUDIO_BYTES[i : i + 4096] for i in range(0, len(AUDIO_BYTES), 4096)]
    server.queue(Reply(200, {"content-type": "audio/mpeg"}, pieces), Reply(200, {"content-type": "audio/mpeg"}, pieces))
    target = tmp_path / "out.mp3"
    with client(server.url) as c:
        assert speak(c, mode, stream=True) == AUDIO_BYTES
        assert speak(c, mode, output_file=target) == len(AUDIO_BYTES)
    assert target.read_bytes() == AUDIO_BYTES
    assert server.requests[0].json == {"model": "tts-1", "input": "hello", "voice": "alloy"}


@pytest.mark.parametrize("mode", MODES)
def test_a_download_cut_midway_raises_is_not_retried_and_leaves_no_partial_file(
    server: MockServer, tmp_path: Path, mode: str
) -> None:
    pieces = [AUDIO_BYTES[:50000], AUDIO_BYTES[50000:100000]]
    server.queue(Reply(200, {"content-type": "audio/mpeg"}, pieces, fault="cut"))
    target = tmp_path / "out.mp3"
    with client(server.url) as c, pytest.raises(errors.APIConnectionError, match=r"after \d+ bytes of the download"):
        speak(c, mode, output_file=target)
    assert not target.exists(), "a partial download was left behind"
    assert len(server.requests) == 1

    server.queue(Reply(200, {"content-type": "audio/mpeg"}, pieces, fault="cut"))
    got = bytearray()

    def drain(stream: Any) -> None:
        for chunk in stream:
            got.extend(chunk)

    with client(server.url) as c, pytest.raises(errors.APIConnectionError):
        drain(c.speech("tts-1", "hello", "alloy", stream=True))
    assert got and AUDIO_BYTES.startswith(bytes(got)), "the chunks before the cut are delivered"


# -- a 200 MB upload with flat memory ------------------------------------------------------------------


class SinkServer:
    """Answers each request after reading (and hashing) its body in 1 MiB reads; never holds the body."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.received: list[tuple[int, str]] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as reader:
                headers = {}
                reader.readline()
                while (line := reader.readline()) not in (b"\r\n", b""):
                    k, _, v = line.decode().partition(":")
                    headers[k.strip().lower()] = v.strip()
                digest, size = hashlib.sha256(), 0
                left = int(headers["content-length"])
                while left:
                    block = reader.read(min(left, 1 << 20))
                    if not block:
                        break
                    digest.update(block)
                    size += len(block)
                    left -= len(block)
                self.received.append((size, digest.hexdigest()))
                body = json.dumps({"text": str(size)}).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                    + f"content-length: {len(body)}\r\n\r\n".encode()
                    + body
                )

    def close(self) -> None:
        self.sock.close()


SIZE = 200 * 1024 * 1024


def generated(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:  # a generated file: a repeating pattern, written in 1 MiB blocks
        block = bytes(range(256)) * 4096
        for _ in range(size // len(block)):
            fh.write(block)
    return path


@pytest.mark.parametrize(("mode", "size"), [("sync", SIZE), ("async", SIZE // 4)])
def test_a_200_mb_upload_keeps_memory_flat(tmp_path: Path, mode: str, size: int) -> None:
    """200 MB through the sync client; the async client (same UploadStream) with 50 MB to keep the suite fast."""
    path = generated(tmp_path / "big.wav", size)
    sink = SinkServer()
    try:
        with plugins.registered(OpenAIProvider):
            c = AnyLLM.create("openai", api_key=KEY, api_base=sink.url + "/v1", max_retries=0, timeout=60)
            tracemalloc.start()
            try:
                result = transcribe(c, mode, str(path))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
                c.close()
    finally:
        sink.close()
    sent, _ = sink.received[0]
    assert sent > size  # the file plus the multipart framing
    assert result.text == str(sent)
    print(f"\n{size >> 20} MB upload ({mode}): tracemalloc peak {peak / 1e6:.2f} MB")
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while uploading {size >> 20} MB"


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"ID3\x04", "audio.mp3"),
        (b"RIFF\x00\x00\x00\x00WAVE", "audio.wav"),
        (b"\x00\x00\x00\x20ftypM4A ", "audio.m4a"),
        (b"OggS", "audio.ogg"),
        (b"fLaC", "audio.flac"),
        (b"\x00\x01", "audio"),
    ],
)
def test_audio_bytes_without_a_name_get_the_extension_of_their_container(
    server: MockServer, head: bytes, name: str
) -> None:
    server.queue(Reply.json(TEXT))
    with client(server.url) as c:
        c.transcription("whisper-1", head + b"\x00" * 100)
    disposition = server.requests[0].body.split(b'name="file"; filename="', 1)[1].split(b'"', 1)[0]
    assert disposition.decode() == name
