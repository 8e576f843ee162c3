"""Image generation on the Gemini API, both ways it is served, as OpenAI's ``ImagesResponse``.

- Imagen models (``imagen-*``): ``POST models/{m}:predict`` with ``{"instances": [{"prompt"}], "parameters":
  {"sampleCount", "aspectRatio", ...}}``, answered ``predictions[].bytesBase64Encoded`` + ``mimeType``
  (https://ai.google.dev/gemini-api/docs/imagen);
- Gemini image models (``gemini-*-image*``): ``generateContent`` with ``responseModalities: ["TEXT", "IMAGE"]``
  and ``imageConfig.aspectRatio``; images come back as ``inlineData`` parts, one answer per call
  (https://ai.google.dev/gemini-api/docs/image-generation).

Both answer base64 only (``response_format="url"`` is refused), take an aspect ratio rather than pixels
(``size`` may be ``"16:9"`` or a ``"WxH"`` that reduces to a supported ratio), and have no ``quality``,
``style`` or ``user``: those are refused before sending, never dropped.
"""

from __future__ import annotations

import time
from math import gcd
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.families.openai_wire import validated
from any_llm.provider import HTTPRequest
from any_llm.wire import loads_object
from anyllm_gemini._request import model_path

if TYPE_CHECKING:
    from any_llm.families.params import ImageGenerationParams
    from any_llm.types.image import ImagesResponse

__all__ = ["build_image_request", "parse_images"]

RATIOS = frozenset({"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"})


def is_imagen(model: str) -> bool:
    return model.strip().removeprefix("models/").startswith("imagen")


def aspect_ratio(size: str, provider: str) -> str:
    ratio = size
    if "x" in size:
        width, _, height = size.partition("x")
        if width.isdigit() and height.isdigit() and int(width) and int(height):
            d = gcd(int(width), int(height))
            ratio = f"{int(width) // d}:{int(height) // d}"
    if ratio not in RATIOS:
        raise errors.UnsupportedParameterError(
            "size", provider, f"Gemini takes an aspect ratio ({', '.join(sorted(RATIOS))}), got {size!r}"
        )
    return ratio


def build_image_request(params: ImageGenerationParams, provider: str) -> HTTPRequest:
    for name in ("quality", "style", "user"):
        if getattr(params, name) is not None:
            raise errors.UnsupportedParameterError(name, provider, "the Gemini API has no such image option")
    if params.response_format == "url":
        raise errors.UnsupportedParameterError("response_format", provider, "Gemini answers images as base64 only")
    ratio = aspect_ratio(params.size, provider) if params.size is not None else None
    path = model_path(params.model)
    if is_imagen(params.model):
        parameters: dict[str, Any] = {"sampleCount": params.n or 1}
        if ratio is not None:
            parameters["aspectRatio"] = ratio
        parameters.update(params.extra)
        return HTTPRequest(
            "POST", f"{path}:predict", json={"instances": [{"prompt": params.prompt}], "parameters": parameters}
        )
    if params.n not in (None, 1):
        raise errors.UnsupportedParameterError("n", provider, "Gemini image models answer one image per call")
    config: dict[str, Any] = {"responseModalities": ["TEXT", "IMAGE"]}
    if ratio is not None:
        config["imageConfig"] = {"aspectRatio": ratio}
    body: dict[str, Any] = {
        "contents": [{"role": "user", "parts": [{"text": params.prompt}]}],
        "generationConfig": config,
    }
    for key, value in params.extra.items():
        if key == "generationConfig" and isinstance(value, dict):
            config.update(value)
        else:
            body[key] = value
    return HTTPRequest("POST", f"{path}:generateContent", json=body)


def parse_images(body: bytes, params: ImageGenerationParams, provider: str) -> ImagesResponse:
    from any_llm.types.image import ImagesResponse

    data = loads_object(body, provider, "an images answer")
    images: list[dict[str, Any]] = []
    texts: list[str] = []
    if is_imagen(params.model):
        for item in data.get("predictions") or []:
            if isinstance(item, dict) and isinstance(item.get("bytesBase64Encoded"), str):
                images.append({"b64_json": item["bytesBase64Encoded"], "mime_type": item.get("mimeType")})
    else:
        for candidate in data.get("candidates") or []:
            content = candidate.get("content") if isinstance(candidate, dict) else None
            for part in (content or {}).get("parts") or []:
                inline = part.get("inlineData") if isinstance(part, dict) else None
                if isinstance(inline, dict) and isinstance(inline.get("data"), str):
                    images.append({"b64_json": inline["data"], "mime_type": inline.get("mimeType")})
                elif isinstance(part, dict) and isinstance(part.get("text"), str) and not part.get("thought"):
                    texts.append(part["text"])
    if not images:
        raise errors.ResponseValidationError(
            f"{provider} answered without an image (blocked, or not an image model?)",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        )
    shaped: dict[str, Any] = {"created": int(time.time()), "data": images}
    if texts:
        shaped["text"] = "".join(texts)
    result: ImagesResponse = validated(ImagesResponse, shaped, provider, "an images answer", body)
    return result
