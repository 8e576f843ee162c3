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

import json
from collections.abc import Iterable
from typing import Any

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.provider import CompletionParams, StreamEvent, StreamParser, loads
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

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

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        try:
            return super().parse_completion(body, params)
        except errors.ResponseValidationError:
            data = loads(body, self.name)
            if not _flatten_blocks(data, "message"):
                raise
            return super().parse_completion(json.dumps(data).encode(), params)

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return _DatabricksStreamParser(self)


class _DatabricksStreamParser(OpenAIStreamParser):
    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        try:
            return super().feed(event)
        except errors.ResponseValidationError:
            data = loads(event.data, self.provider.name)
            if not _flatten_blocks(data, "delta"):
                raise
            return super().feed(StreamEvent(json.dumps(data).encode(), event.event))


def _flatten_blocks(data: Any, key: str) -> bool:
    """List-valued ``content`` → text in ``content``, reasoning summaries in ``reasoning_content``."""
    changed = False
    for choice in (data.get("choices") or ()) if isinstance(data, dict) else ():
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
        if thought:
            message["reasoning_content"] = "".join(thought)
        changed = True
    return changed


@hookimpl
def anyllm_register_providers(registry: Any) -> None:
    registry.register(DatabricksProvider)
