"""OpenAI-shaped model-list types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Model"]


class Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())

    id: str
    created: int = 0
    object: Literal["model"] = "model"
    owned_by: str = ""
