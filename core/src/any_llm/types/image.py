"""Image generation results in OpenAI's ``ImagesResponse`` shape: each image as a URL or base64."""

from __future__ import annotations

import base64

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Image", "ImagesResponse", "ImagesUsage"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


class Image(_Model):
    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None
    mime_type: str | None = None
    """The image's media type when the provider says it (Gemini, Imagen); OpenAI's follows ``output_format``."""

    def decode(self) -> bytes:
        """The image bytes, when it came as base64 (a URL image must be fetched by the caller)."""
        if self.b64_json is None:
            raise ValueError("this image came as a URL; fetch it from image.url")
        return base64.b64decode(self.b64_json)


class ImagesUsage(_Model):
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None


class ImagesResponse(_Model):
    created: int = 0
    data: list[Image] = Field(default_factory=list)
    usage: ImagesUsage | None = None
