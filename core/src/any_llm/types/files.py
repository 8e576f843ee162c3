"""Uploaded files (OpenAI's ``FileObject`` shape), as batch jobs use them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["FileObject"]


class FileObject(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())

    id: str
    bytes: int | None = None
    created_at: int = 0
    filename: str = ""
    object: str = "file"
    purpose: str = ""
    status: str | None = None
