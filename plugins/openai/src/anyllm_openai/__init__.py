"""OpenAI chat completions, embeddings, models, moderation, images, speech, transcription and batches for anyllm."""

from __future__ import annotations

from typing import ClassVar

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["OpenAIProvider"]


class OpenAIProvider(OpenAICompatibleProvider):
    """api.openai.com: the reference protocol, so only declarations and the max_tokens rename."""

    name = "openai"
    display_name = "OpenAI"
    api_key_env = ("OPENAI_API_KEY",)
    api_base_env = ("OPENAI_BASE_URL", "OPENAI_API_BASE")
    default_api_base = "https://api.openai.com/v1"
    docs_url = "https://platform.openai.com/docs/api-reference/chat"
    supports_reasoning = True
    supports_images = True
    supports_audio = True
    supports_documents = True
    supports_embedding = True
    supports_list_models = True
    supports_moderation = True
    supports_image_generation = True
    supports_speech = True
    supports_transcription = True
    supports_batch = True
    supports_responses_native = True
    param_renames: ClassVar[dict[str, str]] = {"max_tokens": "max_completion_tokens"}


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(OpenAIProvider)
