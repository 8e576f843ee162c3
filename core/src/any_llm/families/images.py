"""``image_generation`` / ``aimage_generation``: images from a prompt (OpenAI, Azure, Gemini/Imagen, xAI)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from any_llm.api import get_client, split_model
from any_llm.families.twins import async_twin

if TYPE_CHECKING:
    from any_llm.api import LLMProvider
    from any_llm.types.image import ImagesResponse

__all__ = ["aimage_generation", "image_generation"]


def image_generation(
    model: str,
    prompt: str,
    *,
    provider: str | LLMProvider | None = None,
    n: int | None = None,
    size: str | None = None,
    quality: str | None = None,
    style: str | None = None,
    response_format: Literal["url", "b64_json"] | None = None,
    user: str | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ImagesResponse:
    """Generate images from a text prompt.

    Args:
        model: The image model, with ``provider=`` or as 'provider:model' (e.g. 'openai:gpt-image-1').
        prompt: What the image(s) should show.
        provider: Provider name or ``LLMProvider``; the model is then used verbatim.
        n: Number of images.
        size: Size such as '1024x1024' (Gemini/Imagen: an aspect ratio such as '16:9' is accepted too).
        quality: Quality ('standard', 'hd', 'low', 'medium', 'high', ... as the model accepts).
        style: 'vivid' or 'natural' (DALL-E 3).
        response_format: 'url' or 'b64_json'.
        user: Unique identifier of the end user.
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        client_args: Client settings (timeout, max_retries, default_headers, httpx options).
        **kwargs: Provider-specific fields, sent in the request body as given.

    Returns:
        An ``ImagesResponse``: ``data`` holds one ``Image`` (``url`` or ``b64_json``) per image.

    Raises:
        UnsupportedCapabilityError: the provider does not generate images (nothing is sent).
        UnsupportedParameterError: a parameter the provider cannot honour (nothing is sent).
    """
    name, model_id = split_model(model, provider)
    named = dict(n=n, size=size, quality=quality, style=style, response_format=response_format, user=user)
    return get_client(name, api_key, api_base, client_args).image_generation(model_id, prompt, **named, **kwargs)


aimage_generation = async_twin(image_generation)
