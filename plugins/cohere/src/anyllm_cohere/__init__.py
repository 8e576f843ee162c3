"""Cohere's Chat API v2 (chat, streaming, tools, structured output, reasoning), embeddings and models for anyllm."""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.plugins import ProviderRegistry
from anyllm_cohere.provider import CohereProvider

__all__ = ["CohereProvider"]


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(CohereProvider)
