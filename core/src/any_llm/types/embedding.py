"""OpenAI-shaped embedding types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CreateEmbeddingResponse", "Embedding", "Usage"]


class _Model(BaseModel):
    # defer_build: the schema is built at first validation, not at import, so a chat call never
    # pays for the types it does not use (chunks, embeddings, models); see bench/results/coldstart-notes.md.
    model_config = ConfigDict(extra="allow", protected_namespaces=(), defer_build=True)


class Embedding(_Model):
    embedding: list[float]
    index: int
    object: Literal["embedding"] = "embedding"


class Usage(_Model):
    prompt_tokens: int = 0
    total_tokens: int = 0


class CreateEmbeddingResponse(_Model):
    data: list[Embedding]
    model: str
    object: Literal["list"] = "list"
    usage: Usage = Field(default_factory=Usage)  # an instance here would build Usage at import
