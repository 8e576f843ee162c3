"""OpenAI-shaped embedding types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["CreateEmbeddingResponse", "Embedding", "Usage"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


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
    usage: Usage = Usage()
