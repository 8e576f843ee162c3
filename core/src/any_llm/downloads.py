"""Binary responses read piece by piece (speech audio, file contents), never buffered whole.

:class:`BinaryStream` / :class:`AsyncBinaryStream` wrap a response the transport left unread. Iterate
them for chunks, or :meth:`~BinaryStream.write_to` a path or file object. The connection is released
when the body ends, on ``close()``, at the end of a ``with`` block, or when iteration breaks. A body
cut mid-way raises :class:`~any_llm.errors.APIConnectionError` (it is never retried: the bytes
already handed out cannot be taken back); ``write_to(path)`` then removes the partial file.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Any

import httpx

from any_llm import errors

__all__ = ["AsyncBinaryStream", "BinaryStream"]

CHUNK_SIZE = 64 * 1024


def _cut(exc: Exception, provider: str, received: int) -> errors.AnyLLMError:
    from any_llm.transport import map_transport_error

    return map_transport_error(exc, provider, during=f"after {received} bytes of the download")


def _target(output: Any) -> tuple[IO[bytes], Path | None]:
    if isinstance(output, (str, os.PathLike)):
        path = Path(output)
        return open(path, "wb"), path
    if callable(getattr(output, "write", None)):
        return output, None
    raise errors.ConfigurationError(f"output must be a path or a binary file object, got {type(output).__name__}")


class BinaryStream:
    """A binary response body as an iterator of byte chunks (also a context manager)."""

    def __init__(self, response: httpx.Response, provider: str) -> None:
        self.response = response
        self.provider = provider
        self.received = 0
        self.content_type = response.headers.get("content-type")

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self.response.iter_bytes(CHUNK_SIZE):
                self.received += len(chunk)
                yield chunk
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise _cut(exc, self.provider, self.received) from exc
        finally:
            self.response.close()

    def read(self) -> bytes:
        """The whole body (for small answers; iterate or ``write_to`` for large ones)."""
        return b"".join(self)

    def write_to(self, output: str | os.PathLike[str] | IO[bytes]) -> int:
        """Write the body to a path (removed again if the download breaks) or a file object; returns bytes written."""
        fh, path = _target(output)
        written = 0
        try:
            for chunk in self:
                fh.write(chunk)
                written += len(chunk)
        except BaseException:
            if path is not None:
                fh.close()
                path.unlink(missing_ok=True)
            raise
        finally:
            if path is not None:
                fh.close()
        return written

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> BinaryStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.response.close()
        except Exception:
            pass


class AsyncBinaryStream:
    """Async twin of :class:`BinaryStream`."""

    def __init__(self, response: httpx.Response, provider: str) -> None:
        self.response = response
        self.provider = provider
        self.received = 0
        self.content_type = response.headers.get("content-type")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.response.aiter_bytes(CHUNK_SIZE):
                self.received += len(chunk)
                yield chunk
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise _cut(exc, self.provider, self.received) from exc
        finally:
            await self.response.aclose()

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self])

    async def write_to(self, output: str | os.PathLike[str] | IO[bytes]) -> int:
        fh, path = _target(output)
        written = 0
        try:
            async for chunk in self:
                fh.write(chunk)
                written += len(chunk)
        except BaseException:
            if path is not None:
                fh.close()
                path.unlink(missing_ok=True)
            raise
        finally:
            if path is not None:
                fh.close()
        return written

    async def aclose(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> AsyncBinaryStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
