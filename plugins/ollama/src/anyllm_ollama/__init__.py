"""Ollama's native API (chat, streaming, tools, structured output, thinking, embeddings, models) for anyllm."""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.plugins import ProviderRegistry
from anyllm_ollama.provider import OllamaProvider

__all__ = ["OllamaProvider"]


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(OllamaProvider)
