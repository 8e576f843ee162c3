"""``upload_file``, ``retrieve_file``, ``file_content``, ``delete_file`` and async twins: the files batch jobs use.

Uploads and downloads are streamed (64 KiB at a time), so a gigabyte batch file never sits in memory;
``file_content`` returns a :class:`~any_llm.downloads.BinaryStream` to iterate or ``write_to(path)``.
Served by the providers that run OpenAI-style batch jobs (``supports_batch``).
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

from any_llm.families.twins import async_twin, client_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from any_llm.api import LLMProvider
    from any_llm.downloads import AsyncBinaryStream, BinaryStream
    from any_llm.types.files import FileObject

__all__ = [
    "adelete_file",
    "afile_content",
    "alist_files",
    "aretrieve_file",
    "aupload_file",
    "delete_file",
    "file_content",
    "list_files",
    "retrieve_file",
    "upload_file",
]

FileArg = str | os.PathLike[str] | bytes | IO[bytes]


def upload_file(
    provider: str | LLMProvider,
    file: FileArg,
    *,
    purpose: str = "batch",
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> FileObject:
    """Upload a path, bytes or binary file object (streamed multipart) for ``purpose``."""
    return client_for(provider, api_key, api_base, client_args).upload_file(file, purpose=purpose, **kwargs)


def retrieve_file(
    provider: str | LLMProvider,
    file_id: str,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> FileObject:
    """The file object ``file_id`` (name, size, purpose, status)."""
    return client_for(provider, api_key, api_base, client_args).retrieve_file(file_id, **kwargs)


def file_content(
    provider: str | LLMProvider,
    file_id: str,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> BinaryStream:
    """The bytes of ``file_id`` as a stream; a download cut mid-way raises APIConnectionError."""
    return client_for(provider, api_key, api_base, client_args).file_content(file_id, **kwargs)


async def afile_content(
    provider: str | LLMProvider,
    file_id: str,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> AsyncBinaryStream:
    """Async twin of :func:`file_content`."""
    return await client_for(provider, api_key, api_base, client_args).afile_content(file_id, **kwargs)


def delete_file(
    provider: str | LLMProvider,
    file_id: str,
    *,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> bool:
    """Delete ``file_id``; True when the provider confirms."""
    return client_for(provider, api_key, api_base, client_args).delete_file(file_id, **kwargs)


def list_files(
    provider: str | LLMProvider,
    *,
    purpose: str | None = None,
    limit: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Sequence[FileObject]:
    """Uploaded files (of ``purpose``), following the provider's pages to the end (or up to ``limit``)."""
    return client_for(provider, api_key, api_base, client_args).list_files(purpose=purpose, limit=limit, **kwargs)


aupload_file = async_twin(upload_file)
aretrieve_file = async_twin(retrieve_file)
adelete_file = async_twin(delete_file)
alist_files = async_twin(list_files)
