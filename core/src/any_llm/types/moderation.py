"""Moderation results in OpenAI's shape; a provider fills only the categories it really returns.

A category missing from ``categories`` means "this provider does not judge it", not "not flagged".
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ModerationResponse", "ModerationResult"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


class ModerationResult(_Model):
    """The decision for one input item."""

    flagged: bool
    categories: dict[str, bool] = Field(default_factory=dict)
    category_scores: dict[str, float] = Field(default_factory=dict)
    category_applied_input_types: dict[str, list[str]] | None = None
    provider_raw: dict[str, Any] | None = None
    """The provider's own result object, when the call passed ``include_raw=True``."""


class ModerationResponse(_Model):
    id: str = ""
    model: str = ""
    results: list[ModerationResult] = Field(default_factory=list)
