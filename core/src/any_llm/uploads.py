"""Request bodies that are streamed, not held in memory: multipart/form-data and raw file uploads.

A provider describes an upload declaratively (:class:`Multipart` with :class:`FilePart` parts, or a
:class:`StreamBody` of chunks) in its sans-I/O ``build_*`` function; the transport turns it into an
:class:`UploadStream` that reads the file in 64 KiB pieces while httpx writes them, so a 1 GB batch
file never sits in memory.

Retries and redirects resend the body only when it can be produced again from the start: a path is
reopened, a seekable file object is sought back to where it started, bytes are bytes. A pipe, a socket
or a generator cannot be rewound: once its first byte went out, the request is never resent
(:attr:`UploadStream.replayable` turns False and the transport gives up instead of sending half a file).
"""

from __future__ import annotations

import io
import mimetypes
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Union

import httpx

from any_llm import errors

__all__ = ["CHUNK_SIZE", "FilePart", "FileSource", "Multipart", "StreamBody", "UploadStream", "file_part"]

CHUNK_SIZE = 64 * 1024

FileSource = Union[str, "os.PathLike[str]", bytes, IO[bytes], Callable[[], Iterable[bytes]]]
"""A path, the bytes themselves, a binary file object, or (for a provider translating a file on the
fly) a function returning a fresh iterator of chunks on every call."""


@dataclass(slots=True)
class FilePart:
    """One file of a multipart body. ``source`` is a path, bytes or a binary file object (read lazily)."""

    source: FileSource
    filename: str
    content_type: str = "application/octet-stream"


@dataclass(slots=True)
class Multipart:
    """A multipart/form-data body: plain ``fields`` (repeated names as lists) and ``files`` by field name."""

    fields: dict[str, str | list[str]] = field(default_factory=dict)
    files: dict[str, FilePart] = field(default_factory=dict)


@dataclass(slots=True)
class StreamBody:
    """A raw body produced piece by piece. ``chunks`` is called once per attempt (a fresh iterator), so a
    retry regenerates the body; ``length`` is sent as Content-Length when known (else chunked)."""

    chunks: Callable[[], Iterable[bytes]]
    content_type: str = "application/octet-stream"
    length: int | None = None


def file_part(
    source: Any, filename: str | None = None, content_type: str | None = None, *, what: str = "file"
) -> FilePart:
    """Check ``source`` and name it: the name comes from ``filename``, the path, or the file object's name."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise errors.ConfigurationError(f"{what}: {str(path)!r} is not a readable file; pass an existing path")
        name = filename or path.name
    elif isinstance(source, (bytes, bytearray, memoryview)):
        source = bytes(source)
        name = filename or what
    elif callable(getattr(source, "read", None)):
        if isinstance(source, io.TextIOBase):
            raise errors.ConfigurationError(f"{what}: open the file in binary mode ('rb'), not text mode")
        raw_name = getattr(source, "name", None)
        name = filename or (Path(raw_name).name if isinstance(raw_name, str) and raw_name else what)
    else:
        raise errors.ConfigurationError(
            f"{what} must be a path, bytes or a binary file object, got {type(source).__name__}"
        )
    ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FilePart(source, name, ctype)


class _Source:
    """One file source, able to say its size and to produce its bytes again when it can."""

    def __init__(self, source: FileSource) -> None:
        self.source: Any = source
        src: Any = source
        self.start: int | None = None
        self.generated = callable(source) and not hasattr(source, "read")
        if not self.generated and not isinstance(source, (str, os.PathLike, bytes)):
            try:
                self.start = src.tell() if src.seekable() else None
            except (AttributeError, OSError, ValueError):
                self.start = None

    @property
    def rewindable(self) -> bool:
        return self.generated or isinstance(self.source, (str, os.PathLike, bytes)) or self.start is not None

    def size(self) -> int | None:
        src = self.source
        if self.generated:
            return None
        if isinstance(src, bytes):
            return len(src)
        if isinstance(src, (str, os.PathLike)):
            return os.path.getsize(src)
        if self.start is not None:
            try:
                return os.fstat(src.fileno()).st_size - self.start
            except (AttributeError, OSError, ValueError):
                pass
            try:
                end = src.seek(0, os.SEEK_END)
                src.seek(self.start)
                return int(end) - self.start
            except (OSError, ValueError):
                return None
        return None

    def chunks(self) -> Iterator[bytes]:
        src = self.source
        if self.generated:
            for chunk in src():
                if chunk:
                    yield bytes(chunk)
            return
        if isinstance(src, bytes):
            for i in range(0, len(src), CHUNK_SIZE):
                yield src[i : i + CHUNK_SIZE]
            return
        if isinstance(src, (str, os.PathLike)):
            with open(src, "rb") as fh:
                yield from _read_all(fh)
            return
        if self.start is not None:
            src.seek(self.start)
        yield from _read_all(src)


def _read_all(fh: IO[bytes]) -> Iterator[bytes]:
    while True:
        chunk = fh.read(CHUNK_SIZE)
        if not chunk:
            return
        if not isinstance(chunk, bytes):
            raise errors.ConfigurationError("the upload file object returned text: open it in binary mode ('rb')")
        yield chunk


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class UploadStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The httpx body for a :class:`Multipart` or :class:`StreamBody`, read lazily on every attempt.

    ``replayable`` is False once a body that cannot be rewound has started going out; the transport
    checks it before any retry or redirect.
    """

    def __init__(self, body: Multipart | StreamBody) -> None:
        self.body = body
        self.started = False
        self.sent = 0
        """Bytes handed to httpx by the latest attempt (tests read it to see what was sent)."""
        self._pieces: list[bytes | _Source] = []
        self._rewindable = True
        self._digest: str | None = None
        if isinstance(body, Multipart):
            self.boundary = secrets.token_hex(16)
            self.content_type = f"multipart/form-data; boundary={self.boundary}"
            self._build_multipart(body)
        else:
            self.boundary = ""
            self.content_type = body.content_type
            self._rewindable = True  # the factory gives a fresh iterator each time

    def _build_multipart(self, body: Multipart) -> None:
        sep = f"--{self.boundary}\r\n".encode()
        for name, value in body.fields.items():
            for item in value if isinstance(value, list) else [value]:
                self._pieces.append(
                    sep
                    + f'Content-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode()
                    + item.encode()
                    + b"\r\n"
                )
        for name, part in body.files.items():
            head = (
                f'Content-Disposition: form-data; name="{_quote(name)}"; filename="{_quote(part.filename)}"\r\n'
                f"Content-Type: {part.content_type}\r\n\r\n"
            )
            source = _Source(part.source)
            self._rewindable = self._rewindable and source.rewindable
            self._pieces += [sep + head.encode(), source, b"\r\n"]
        self._pieces.append(f"--{self.boundary}--\r\n".encode())

    def sha256(self) -> str | None:
        """The hex SHA-256 of the whole body, computed in one streaming pass (for a provider that signs
        bodies, see :meth:`~any_llm.provider.Provider.sign_upload`), or None when the source cannot be read
        twice (the pass would consume what must be sent). Kept: every retry sends the same bytes."""
        if self._digest is None and self._rewindable and not self.started:
            import hashlib

            digest = hashlib.sha256()
            for chunk in self._produce():
                digest.update(chunk)
            self._digest = digest.hexdigest()
        return self._digest

    @property
    def replayable(self) -> bool:
        """Whether the body can be sent again from its first byte."""
        return self._rewindable or not self.started

    def length(self) -> int | None:
        """The body's size in bytes, or None when a part's size is unknown (sent chunked)."""
        if isinstance(self.body, StreamBody):
            return self.body.length
        total = 0
        for piece in self._pieces:
            size = len(piece) if isinstance(piece, bytes) else piece.size()
            if size is None:
                return None
            total += size
        return total

    def headers(self) -> dict[str, str]:
        size = self.length()
        out = {"Content-Type": self.content_type}
        if size is None:
            out["Transfer-Encoding"] = "chunked"
        else:
            out["Content-Length"] = str(size)
        return out

    def __iter__(self) -> Iterator[bytes]:
        if self.started and not self._rewindable:
            raise errors.APIConnectionError(
                "the upload was already partly sent and its source cannot be rewound; pass a path or a "
                "seekable file to allow retries"
            )
        self.started = True
        self.sent = 0
        for chunk in self._produce():
            self.sent += len(chunk)
            yield chunk

    def _produce(self) -> Iterator[bytes]:
        if isinstance(self.body, StreamBody):
            for chunk in self.body.chunks():
                if chunk:
                    yield bytes(chunk)
            return
        for piece in self._pieces:
            if isinstance(piece, bytes):
                yield piece
            else:
                yield from piece.chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # File reads are local disk reads of 64 KiB: done inline, like httpx's own multipart encoder.
        for chunk in self.__iter__():
            yield chunk
