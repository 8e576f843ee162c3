"""Transcription results in OpenAI's shape (``text`` always; the verbose fields when asked for)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Transcription"]


class Transcription(BaseModel):
    """``text`` is the transcript; ``verbose_json`` adds language, duration, segments and words;
    ``srt`` / ``vtt`` / ``text`` formats arrive as the raw document in ``text``."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    text: str
    language: str | None = None
    duration: float | None = None
    segments: list[dict[str, Any]] | None = None
    words: list[dict[str, Any]] | None = None
    usage: dict[str, Any] | None = None
