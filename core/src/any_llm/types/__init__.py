"""Public response types: OpenAI-shaped pydantic models (``from any_llm.types import ChatCompletion``).

The submodules load on first access to one of their names: a chat call imports ``completion`` only,
never the embedding and model-list types (see bench/results/coldstart-notes.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from any_llm.types.completion import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatCompletionMessage,
        ChatCompletionMessageFunctionToolCall,
        ChatCompletionMessageToolCall,
        ChatCompletionTokenLogprob,
        Choice,
        ChoiceDelta,
        ChoiceDeltaToolCall,
        ChoiceDeltaToolCallFunction,
        ChoiceLogprobs,
        ChunkChoice,
        CompletionTokensDetails,
        CompletionUsage,
        Function,
        ParsedChatCompletion,
        ParsedChatCompletionMessage,
        ParsedChoice,
        PromptTokensDetails,
        Reasoning,
        TopLogprob,
    )
    from any_llm.types.embedding import CreateEmbeddingResponse, Embedding, Usage
    from any_llm.types.model import Model

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageFunctionToolCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionTokenLogprob",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChoiceLogprobs",
    "ChunkChoice",
    "CompletionTokensDetails",
    "CompletionUsage",
    "CreateEmbeddingResponse",
    "Embedding",
    "Function",
    "Model",
    "ParsedChatCompletion",
    "ParsedChatCompletionMessage",
    "ParsedChoice",
    "PromptTokensDetails",
    "Reasoning",
    "TopLogprob",
    "Usage",
]


_MODULE_OF = {
    **dict.fromkeys(__all__, "completion"),
    "CreateEmbeddingResponse": "embedding",
    "Embedding": "embedding",
    "Usage": "embedding",
    "Model": "model",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'any_llm.types' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"any_llm.types.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
