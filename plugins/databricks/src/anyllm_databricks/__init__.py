"""Databricks Model Serving (``<workspace>/serving-endpoints``) for anyllm: chat and embeddings.

Quirks (https://docs.databricks.com/aws/en/machine-learning/model-serving/score-foundation-models,
/query-reason-models):
- the base URL is the workspace URL (``DATABRICKS_HOST``, as the Databricks SDK and any-llm name it)
  plus ``/serving-endpoints``, appended when missing; the model is the serving endpoint's name;
- reasoning models answer ``content`` as a list of blocks, ``{"type": "reasoning", "summary":
  [{"type": "summary_text", "text": ...}]}`` and ``{"type": "text", "text": ...}``, streamed too; the
  reasoning goes to ``message.reasoning`` and the text to ``content``.
"""

from __future__ import annotations

from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["DatabricksProvider"]

SUFFIX = "/serving-endpoints"


class DatabricksProvider(OpenAICompatibleProvider):
    """Databricks' OpenAI-compatible serving endpoints."""

    name = "databricks"
    display_name = "Databricks"
    api_key_env = ("DATABRICKS_TOKEN",)
    api_base_env = ("DATABRICKS_HOST",)
    default_api_base = ""
    docs_url = "https://docs.databricks.com/aws/en/machine-learning/model-serving/score-foundation-models"
    supports_reasoning = True
    supports_embedding = True

    def __init__(self, api_key: str | None = None, api_base: str | None = None) -> None:
        super().__init__(api_key, api_base)
        if self.api_base and not self.api_base.endswith(SUFFIX):
            self.api_base += SUFFIX

    def normalize_response(self, data: dict[str, Any]) -> dict[str, Any]:
        _flatten_blocks(data, "message")
        return data

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        _flatten_blocks(payload, "delta")
        return payload

    def chunk_needs_normalize(self, data: bytes) -> bool:
        """Only a list-valued ``content`` is rewritten, and its blocks all carry a ``"type"`` (so do tool
        calls: they take the slow path, harmlessly). Plain text chunks keep the fast path. Exactness does
        not hang on this test: a chunk it misses does not validate as it is, and the core then normalizes it."""
        return b'"type"' in data


def _flatten_blocks(data: dict[str, Any], key: str) -> None:
    """List-valued ``content`` → text in ``content``, reasoning summaries in ``reasoning_content``."""
    for choice in data.get("choices") or ():
        message = choice.get(key) if isinstance(choice, dict) else None
        if not isinstance(message, dict) or not isinstance(message.get("content"), list):
            continue
        text, thought = [], []
        for block in message["content"]:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text":
                text.append(str(block.get("text") or ""))
            elif block.get("type") == "reasoning":
                thought += [str(s.get("text") or "") for s in block.get("summary") or () if isinstance(s, dict)]
        message["content"] = "".join(text) or None
        if any(thought):  # empty summaries add no reasoning
            message["reasoning_content"] = "".join(thought)


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(DatabricksProvider)
