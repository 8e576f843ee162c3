"""OpenAI-shaped chat completion types, our own (no dependency on the openai package).

Every model keeps unknown fields (``extra="allow"``): providers add fields, and dropping them
would lose data. ``model_dump(exclude_unset=True)`` of a parsed OpenAI body gives the body back.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, Optional, TypeVar

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
    model_config = ConfigDict(extra="allow", protected_namespaces=())


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
    bytes: Optional[list[int]] = None


class ChatCompletionTokenLogprob(_Model):
    token: str
    logprob: float
    bytes: Optional[list[int]] = None
    top_logprobs: list[TopLogprob] = []


class ChoiceLogprobs(_Model):
    content: Optional[list[ChatCompletionTokenLogprob]] = None
    refusal: Optional[list[ChatCompletionTokenLogprob]] = None


class ChatCompletionMessage(_Model):
    role: Literal["assistant"] = "assistant"
    content: Optional[str] = None
    refusal: Optional[str] = None
    tool_calls: Optional[list[ChatCompletionMessageFunctionToolCall]] = None
    reasoning: Optional[Reasoning] = None
    annotations: Optional[list[dict[str, Any]]] = None
    audio: Optional[dict[str, Any]] = None
    function_call: Optional[dict[str, Any]] = None


class Choice(_Model):
    index: int = 0
    message: ChatCompletionMessage
    finish_reason: Optional[FinishReason] = None
    logprobs: Optional[ChoiceLogprobs] = None


class CompletionTokensDetails(_Model):
    accepted_prediction_tokens: Optional[int] = None
    audio_tokens: Optional[int] = None
    reasoning_tokens: Optional[int] = None
    rejected_prediction_tokens: Optional[int] = None


class PromptTokensDetails(_Model):
    audio_tokens: Optional[int] = None
    cached_tokens: Optional[int] = None


class CompletionUsage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    completion_tokens_details: Optional[CompletionTokensDetails] = None
    prompt_tokens_details: Optional[PromptTokensDetails] = None


class ChatCompletion(_Model):
    id: str
    choices: list[Choice]
    created: int
    model: str
    object: Literal["chat.completion"] = "chat.completion"
    service_tier: Optional[str] = None
    system_fingerprint: Optional[str] = None
    usage: Optional[CompletionUsage] = None


class ChoiceDeltaToolCallFunction(_Model):
    name: Optional[str] = None
    arguments: Optional[str] = None


class ChoiceDeltaToolCall(_Model):
    index: int
    id: Optional[str] = None
    function: Optional[ChoiceDeltaToolCallFunction] = None
    type: Optional[Literal["function"]] = None


class ChoiceDelta(_Model):
    role: Optional[Literal["developer", "system", "user", "assistant", "tool"]] = None
    content: Optional[str] = None
    refusal: Optional[str] = None
    tool_calls: Optional[list[ChoiceDeltaToolCall]] = None
    reasoning: Optional[Reasoning] = None
    function_call: Optional[dict[str, Any]] = None


class ChunkChoice(_Model):
    index: int = 0
    delta: ChoiceDelta
    finish_reason: Optional[FinishReason] = None
    logprobs: Optional[ChoiceLogprobs] = None


class ChatCompletionChunk(_Model):
    id: str
    choices: list[ChunkChoice]
    created: int
    model: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    service_tier: Optional[str] = None
    system_fingerprint: Optional[str] = None
    usage: Optional[CompletionUsage] = None


ContentType = TypeVar("ContentType")


class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[ContentType]):
    parsed: Optional[ContentType] = None


class ParsedChoice(Choice, Generic[ContentType]):
    message: ParsedChatCompletionMessage[ContentType]


class ParsedChatCompletion(ChatCompletion, Generic[ContentType]):
    """A completion whose ``choices[i].message.parsed`` holds the requested pydantic/dataclass object."""

    choices: list[ParsedChoice[ContentType]]  # type: ignore[assignment]
