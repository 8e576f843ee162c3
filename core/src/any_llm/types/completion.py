"""OpenAI-shaped chat completion types, our own (no dependency on the openai package).

Every model keeps unknown fields (``extra="allow"``): providers add fields, and dropping them
would lose data. ``model_dump(exclude_unset=True)`` of a parsed OpenAI body gives the body back.
"""

# No ``from __future__ import annotations`` here: with real annotations pydantic does not have to evaluate
# each field's annotation string when the class is created (~30% of these classes' creation time, which
# every chat call pays at import; see bench/results/coldstart-notes.md). Python >= 3.10 reads ``X | None``.
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

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
    "FinishReason",
    "Function",
    "ParsedChatCompletion",
    "ParsedChatCompletionMessage",
    "ParsedChoice",
    "PromptTokensDetails",
    "Reasoning",
    "TopLogprob",
]

FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]


class _Model(BaseModel):
    # defer_build: the schema is built at first validation, not at import, so a chat call never
    # pays for the types it does not use (chunks, embeddings, models); see bench/results/coldstart-notes.md.
    model_config = ConfigDict(extra="allow", protected_namespaces=(), defer_build=True)


class Reasoning(_Model):
    """The model's visible thinking, whatever the provider called it."""

    content: str


class Function(_Model):
    name: str
    arguments: str


class ChatCompletionMessageFunctionToolCall(_Model):
    id: str
    function: Function
    type: Literal["function"] = "function"


ChatCompletionMessageToolCall = ChatCompletionMessageFunctionToolCall


class TopLogprob(_Model):
    token: str
    logprob: float
    bytes: list[int] | None = None


class ChatCompletionTokenLogprob(_Model):
    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = []


class ChoiceLogprobs(_Model):
    content: list[ChatCompletionTokenLogprob] | None = None
    refusal: list[ChatCompletionTokenLogprob] | None = None


class ChatCompletionMessage(_Model):
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ChatCompletionMessageFunctionToolCall] | None = None
    reasoning: Reasoning | None = None
    annotations: list[dict[str, Any]] | None = None
    audio: dict[str, Any] | None = None
    function_call: dict[str, Any] | None = None


class Choice(_Model):
    index: int = 0
    message: ChatCompletionMessage
    finish_reason: FinishReason | None = None
    logprobs: ChoiceLogprobs | None = None


class CompletionTokensDetails(_Model):
    accepted_prediction_tokens: int | None = None
    audio_tokens: int | None = None
    reasoning_tokens: int | None = None
    rejected_prediction_tokens: int | None = None


class PromptTokensDetails(_Model):
    audio_tokens: int | None = None
    cached_tokens: int | None = None


class CompletionUsage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    completion_tokens_details: CompletionTokensDetails | None = None
    prompt_tokens_details: PromptTokensDetails | None = None


class ChatCompletion(_Model):
    id: str
    choices: list[Choice]
    created: int
    model: str
    object: Literal["chat.completion"] = "chat.completion"
    service_tier: str | None = None
    system_fingerprint: str | None = None
    usage: CompletionUsage | None = None


class ChoiceDeltaToolCallFunction(_Model):
    name: str | None = None
    arguments: str | None = None


class ChoiceDeltaToolCall(_Model):
    index: int
    id: str | None = None
    function: ChoiceDeltaToolCallFunction | None = None
    type: Literal["function"] | None = None


class ChoiceDelta(_Model):
    role: Literal["developer", "system", "user", "assistant", "tool"] | None = None
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ChoiceDeltaToolCall] | None = None
    reasoning: Reasoning | None = None
    function_call: dict[str, Any] | None = None


class ChunkChoice(_Model):
    index: int = 0
    delta: ChoiceDelta
    finish_reason: FinishReason | None = None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletionChunk(_Model):
    id: str
    choices: list[ChunkChoice]
    created: int
    model: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    service_tier: str | None = None
    system_fingerprint: str | None = None
    usage: CompletionUsage | None = None


ContentType = TypeVar("ContentType")


class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[ContentType]):
    parsed: ContentType | None = None


class ParsedChoice(Choice, Generic[ContentType]):
    message: ParsedChatCompletionMessage[ContentType]


class ParsedChatCompletion(ChatCompletion, Generic[ContentType]):
    """A completion whose ``choices[i].message.parsed`` holds the requested pydantic/dataclass object."""

    choices: list[ParsedChoice[ContentType]]  # type: ignore[assignment]
