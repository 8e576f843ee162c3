"""OpenAI-shaped model-list types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Model"]


class Model(BaseModel):
    # defer_build: the schema is built at first validation, not at import, so a chat call never
    # pays for the types it does not use (chunks, embeddings, models); see bench/results/coldstart-notes.md.
    model_config = ConfigDict(extra="allow", protected_namespaces=(), defer_build=True)

    id: str
    created: int = 0
    object: Literal["model"] = "model"
    owned_by: str = ""
