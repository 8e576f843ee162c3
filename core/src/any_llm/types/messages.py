"""Anthropic Messages API types, our own (no dependency on the anthropic package).

Imported only by ``messages()`` / ``amessages()`` and the bridges, never by the chat hot path.
Unknown fields are kept (``extra="allow"``) and unknown block, delta and event types parse into
generic ``*Other`` models, so ``model_dump(exclude_unset=True)`` of a parsed body gives it back.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Discriminator, Tag

__all__ = [
    "ContentBlock",
    "ContentBlockDeltaEvent",
    "ContentBlockOther",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "InputJSONDelta",
    "MessageDelta",
    "MessageDeltaEvent",
    "MessageDeltaUsage",
    "MessageResponse",
    "MessageStartEvent",
    "MessageStopEvent",
    "MessageStreamEvent",
    "MessageStreamEventOther",
    "MessageUsage",
    "ParsedMessage",
    "PingEvent",
    "RedactedThinkingBlock",
    "SignatureDelta",
    "StopReason",
    "StreamErrorEvent",
    "TextBlock",
    "TextDelta",
    "ThinkingBlock",
    "ThinkingDelta",
    "ToolUseBlock",
    "parse_stream_event",
]

StopReason = Literal["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


def _tagger(known: tuple[str, ...]) -> Any:
    def tag(value: Any) -> str:
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        return kind if kind in known else "other"

    return tag


# -- content blocks -------------------------------------------------------------------------------


class TextBlock(_Model):
    type: Literal["text"] = "text"
    text: str
    citations: list[dict[str, Any]] | None = None


class ToolUseBlock(_Model):
    type: Literal["tool_use"] = "tool_use"
    id: str
    name: str
    input: dict[str, Any]


class ThinkingBlock(_Model):
    type: Literal["thinking"] = "thinking"
    thinking: str
    signature: str | None = None


class RedactedThinkingBlock(_Model):
    type: Literal["redacted_thinking"] = "redacted_thinking"
    data: str


class ContentBlockOther(_Model):
    """Any other block (server_tool_use, web_search_tool_result, ...), kept as sent."""

    type: str


ContentBlock = Annotated[
    Annotated[TextBlock, Tag("text")]
    | Annotated[ToolUseBlock, Tag("tool_use")]
    | Annotated[ThinkingBlock, Tag("thinking")]
    | Annotated[RedactedThinkingBlock, Tag("redacted_thinking")]
    | Annotated[ContentBlockOther, Tag("other")],
    Discriminator(_tagger(("text", "tool_use", "thinking", "redacted_thinking"))),
]


class MessageUsage(_Model):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


class MessageResponse(_Model):
    """A ``message`` object: what ``POST /v1/messages`` answers."""

    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    content: list[ContentBlock] = []
    model: str
    stop_reason: StopReason | None = None
    stop_sequence: str | None = None
    usage: MessageUsage = MessageUsage()

    @property
    def text(self) -> str:
        """The text of every text block, joined (a convenience; not a wire field)."""
        return "".join(b.text for b in self.content if isinstance(b, TextBlock))


_T = TypeVar("_T")


class ParsedMessage(MessageResponse, Generic[_T]):
    """A message whose JSON answer was validated into the requested ``output_format`` type."""

    parsed_output: _T | None = None


# -- streaming ------------------------------------------------------------------------------------


class TextDelta(_Model):
    type: Literal["text_delta"] = "text_delta"
    text: str


class InputJSONDelta(_Model):
    type: Literal["input_json_delta"] = "input_json_delta"
    partial_json: str


class ThinkingDelta(_Model):
    type: Literal["thinking_delta"] = "thinking_delta"
    thinking: str


class SignatureDelta(_Model):
    type: Literal["signature_delta"] = "signature_delta"
    signature: str


class DeltaOther(_Model):
    type: str


BlockDelta = Annotated[
    Annotated[TextDelta, Tag("text_delta")]
    | Annotated[InputJSONDelta, Tag("input_json_delta")]
    | Annotated[ThinkingDelta, Tag("thinking_delta")]
    | Annotated[SignatureDelta, Tag("signature_delta")]
    | Annotated[DeltaOther, Tag("other")],
    Discriminator(_tagger(("text_delta", "input_json_delta", "thinking_delta", "signature_delta"))),
]


class MessageStartEvent(_Model):
    type: Literal["message_start"] = "message_start"
    message: MessageResponse


class ContentBlockStartEvent(_Model):
    type: Literal["content_block_start"] = "content_block_start"
    index: int
    content_block: ContentBlock


class ContentBlockDeltaEvent(_Model):
    type: Literal["content_block_delta"] = "content_block_delta"
    index: int
    delta: BlockDelta


class ContentBlockStopEvent(_Model):
    type: Literal["content_block_stop"] = "content_block_stop"
    index: int


class MessageDelta(_Model):
    stop_reason: StopReason | None = None
    stop_sequence: str | None = None


class MessageDeltaUsage(_Model):
    output_tokens: int = 0
    input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


class MessageDeltaEvent(_Model):
    type: Literal["message_delta"] = "message_delta"
    delta: MessageDelta
    usage: MessageDeltaUsage


class MessageStopEvent(_Model):
    type: Literal["message_stop"] = "message_stop"


class PingEvent(_Model):
    type: Literal["ping"] = "ping"


class StreamErrorEvent(_Model):
    type: Literal["error"] = "error"
    error: dict[str, Any]


class MessageStreamEventOther(_Model):
    type: str


_EVENT_CLASSES: dict[str, type[_Model]] = {
    "message_start": MessageStartEvent,
    "content_block_start": ContentBlockStartEvent,
    "content_block_delta": ContentBlockDeltaEvent,
    "content_block_stop": ContentBlockStopEvent,
    "message_delta": MessageDeltaEvent,
    "message_stop": MessageStopEvent,
    "ping": PingEvent,
    "error": StreamErrorEvent,
}

MessageStreamEvent = (
    MessageStartEvent
    | ContentBlockStartEvent
    | ContentBlockDeltaEvent
    | ContentBlockStopEvent
    | MessageDeltaEvent
    | MessageStopEvent
    | PingEvent
    | StreamErrorEvent
    | MessageStreamEventOther
)


def parse_stream_event(data: dict[str, Any]) -> MessageStreamEvent:
    """The typed event for one decoded stream payload (chosen by its ``type``)."""
    cls = _EVENT_CLASSES.get(data.get("type", ""), MessageStreamEventOther)
    return cls.model_validate(data)  # type: ignore[return-value]
