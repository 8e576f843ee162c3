"""The normalized requests of each family, as providers receive them (``extra`` is the caller's ``**kwargs``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from any_llm.uploads import FilePart

__all__ = [
    "BatchParams",
    "ImageGenerationParams",
    "ModerationParams",
    "RerankParams",
    "SpeechParams",
    "TranscriptionParams",
]


def _given(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names if getattr(obj, n) is not None}


@dataclass(slots=True)
class RerankParams:
    model: str
    query: str
    documents: list[str]
    top_n: int | None = None
    max_tokens_per_doc: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ModerationParams:
    model: str
    input: str | list[str] | list[dict[str, Any]]
    include_raw: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def items(self) -> list[Any]:
        return [self.input] if isinstance(self.input, str) else list(self.input)


@dataclass(slots=True)
class ImageGenerationParams:
    model: str
    prompt: str
    n: int | None = None
    size: str | None = None
    quality: str | None = None
    style: str | None = None
    response_format: str | None = None
    user: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def given(self) -> dict[str, Any]:
        """The optional parameters the caller set."""
        return _given(self, ("n", "size", "quality", "style", "response_format", "user"))


@dataclass(slots=True)
class SpeechParams:
    model: str
    input: str
    voice: str
    instructions: str | None = None
    response_format: str | None = None
    speed: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def given(self) -> dict[str, Any]:
        return _given(self, ("instructions", "response_format", "speed"))


@dataclass(slots=True)
class TranscriptionParams:
    model: str
    file: FilePart
    language: str | None = None
    prompt: str | None = None
    response_format: str | None = None
    temperature: float | None = None
    timestamp_granularities: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def given(self) -> dict[str, Any]:
        return _given(self, ("language", "prompt", "response_format", "temperature", "timestamp_granularities"))


@dataclass(slots=True)
class BatchParams:
    input_file_path: str
    endpoint: str
    completion_window: str = "24h"
    metadata: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
