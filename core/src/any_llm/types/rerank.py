"""Rerank results (any-llm's shape): the documents' indexes ordered by relevance to the query."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RerankMeta", "RerankResponse", "RerankResult", "RerankUsage"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


class RerankResult(_Model):
    """One document's score; ``index`` points into the ``documents`` list that was sent."""

    index: int
    relevance_score: float
    document: str | None = None
    """The document text, when the provider echoes it back."""


class RerankMeta(_Model):
    """Billing metadata some providers add (Cohere's ``meta``), kept as sent."""

    billed_units: dict[str, float] | None = None
    tokens: dict[str, int] | None = None


class RerankUsage(_Model):
    total_tokens: int | None = None


class RerankResponse(_Model):
    """Results sorted by ``relevance_score``, highest first."""

    id: str = ""
    results: list[RerankResult] = Field(default_factory=list)
    meta: RerankMeta | None = None
    usage: RerankUsage | None = None
