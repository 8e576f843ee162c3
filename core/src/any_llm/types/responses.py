"""OpenAI Responses API types, our own (no dependency on the openai package).

Imported only by ``responses()`` / ``aresponses()`` and the bridges: the chat hot path never
loads this module. Every model keeps unknown fields (``extra="allow"``) so a new item type or field
survives a round trip: ``model_dump(exclude_unset=True)`` of a parsed body gives the body back.
Output items and stream events are discriminated on ``type``; a ``type`` we have no class for
parses into the generic :class:`ResponseOutputItemOther` / :class:`ResponseStreamEventOther`.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Discriminator, Tag

__all__ = [
    "ParsedResponse",
    "Response",
    "ResponseCompletedEvent",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseError",
    "ResponseErrorEvent",
    "ResponseFailedEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseFunctionToolCall",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseInput",
    "ResponseInputParam",
    "ResponseOutputItem",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseOutputItemOther",
    "ResponseOutputMessage",
    "ResponseOutputRefusal",
    "ResponseOutputText",
    "ResponseReasoningItem",
    "ResponseReasoningTextDeltaEvent",
    "ResponseReasoningTextDoneEvent",
    "ResponseStreamEvent",
    "ResponseStreamEventOther",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
    "ResponseUsage",
    "parse_stream_event",
]

ResponseInput = str | list[dict[str, Any]]
"""``input_data``: a string (one user turn) or a list of input items (messages, function calls and
their outputs, reasoning items), in the wire form ``response.output`` items dump to."""
ResponseInputParam = list[dict[str, Any]]
"""any-llm's name for a list of input items."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


# -- content parts and output items ---------------------------------------------------------------


class ResponseOutputText(_Model):
    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[dict[str, Any]] = []
    logprobs: list[dict[str, Any]] | None = None


class ResponseOutputRefusal(_Model):
    type: Literal["refusal"] = "refusal"
    refusal: str


class ResponseContentOther(_Model):
    type: str


def _part_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in ("output_text", "refusal") else "other"


ResponseOutputContent = Annotated[
    Annotated[ResponseOutputText, Tag("output_text")]
    | Annotated[ResponseOutputRefusal, Tag("refusal")]
    | Annotated[ResponseContentOther, Tag("other")],
    Discriminator(_part_tag),
]


class ResponseOutputMessage(_Model):
    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    status: str | None = None
    content: list[ResponseOutputContent] = []


class ResponseFunctionToolCall(_Model):
    type: Literal["function_call"] = "function_call"
    id: str | None = None
    call_id: str
    name: str
    arguments: str
    status: str | None = None


class ResponseReasoningItem(_Model):
    """The model's reasoning: ``content`` holds its text (``reasoning_text`` parts), ``summary`` a summary."""

    type: Literal["reasoning"] = "reasoning"
    id: str
    summary: list[dict[str, Any]] = []
    content: list[dict[str, Any]] | None = None
    encrypted_content: str | None = None
    status: str | None = None


class ResponseOutputItemOther(_Model):
    """Any other output item (web_search_call, file_search_call, ...), kept as sent."""

    type: str


def _item_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in ("message", "function_call", "reasoning") else "other"


ResponseOutputItem = Annotated[
    Annotated[ResponseOutputMessage, Tag("message")]
    | Annotated[ResponseFunctionToolCall, Tag("function_call")]
    | Annotated[ResponseReasoningItem, Tag("reasoning")]
    | Annotated[ResponseOutputItemOther, Tag("other")],
    Discriminator(_item_tag),
]


# -- the response ---------------------------------------------------------------------------------


class InputTokensDetails(_Model):
    cached_tokens: int = 0


class OutputTokensDetails(_Model):
    reasoning_tokens: int = 0


class ResponseUsage(_Model):
    input_tokens: int = 0
    input_tokens_details: InputTokensDetails | None = None
    output_tokens: int = 0
    output_tokens_details: OutputTokensDetails | None = None
    total_tokens: int = 0


class ResponseError(_Model):
    code: str | None = None
    message: str


class Response(_Model):
    """A model response: ``output`` items, ``usage``, and the request settings echoed back."""

    id: str
    object: Literal["response"] = "response"
    created_at: int | float
    status: str | None = None
    model: str
    output: list[ResponseOutputItem] = []
    error: ResponseError | None = None
    incomplete_details: dict[str, Any] | None = None
    instructions: Any = None
    max_output_tokens: int | None = None
    parallel_tool_calls: bool | None = None
    previous_response_id: str | None = None
    reasoning: dict[str, Any] | None = None
    temperature: int | float | None = None
    text: dict[str, Any] | None = None
    tool_choice: Any = None
    tools: list[dict[str, Any]] = []
    top_p: int | float | None = None
    usage: ResponseUsage | None = None
    user: str | None = None
    metadata: dict[str, Any] | None = None

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every message item, joined (``""`` if none)."""
        return "".join(
            part.text
            for item in self.output
            if isinstance(item, ResponseOutputMessage)
            for part in item.content
            if isinstance(part, ResponseOutputText)
        )


_T = TypeVar("_T")


class ParsedResponse(Response, Generic[_T]):
    """A response whose JSON answer was validated into the requested type: ``output_parsed``."""

    output_parsed: _T | None = None


# -- streaming events -----------------------------------------------------------------------------


class _Event(_Model):
    sequence_number: int | None = None


class ResponseCreatedEvent(_Event):
    type: Literal["response.created"] = "response.created"
    response: Response


class ResponseInProgressEvent(_Event):
    type: Literal["response.in_progress"] = "response.in_progress"
    response: Response


class ResponseCompletedEvent(_Event):
    type: Literal["response.completed"] = "response.completed"
    response: Response


class ResponseIncompleteEvent(_Event):
    type: Literal["response.incomplete"] = "response.incomplete"
    response: Response


class ResponseFailedEvent(_Event):
    type: Literal["response.failed"] = "response.failed"
    response: Response


class ResponseOutputItemAddedEvent(_Event):
    type: Literal["response.output_item.added"] = "response.output_item.added"
    output_index: int
    item: ResponseOutputItem


class ResponseOutputItemDoneEvent(_Event):
    type: Literal["response.output_item.done"] = "response.output_item.done"
    output_index: int
    item: ResponseOutputItem


class ResponseContentPartAddedEvent(_Event):
    type: Literal["response.content_part.added"] = "response.content_part.added"
    item_id: str
    output_index: int
    content_index: int
    part: ResponseOutputContent


class ResponseContentPartDoneEvent(_Event):
    type: Literal["response.content_part.done"] = "response.content_part.done"
    item_id: str
    output_index: int
    content_index: int
    part: ResponseOutputContent


class ResponseTextDeltaEvent(_Event):
    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    item_id: str
    output_index: int
    content_index: int
    delta: str
    logprobs: list[dict[str, Any]] | None = None


class ResponseTextDoneEvent(_Event):
    type: Literal["response.output_text.done"] = "response.output_text.done"
    item_id: str
    output_index: int
    content_index: int
    text: str
    logprobs: list[dict[str, Any]] | None = None


class ResponseFunctionCallArgumentsDeltaEvent(_Event):
    type: Literal["response.function_call_arguments.delta"] = "response.function_call_arguments.delta"
    item_id: str
    output_index: int
    delta: str


class ResponseFunctionCallArgumentsDoneEvent(_Event):
    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    item_id: str
    output_index: int
    arguments: str
    name: str | None = None


class ResponseReasoningTextDeltaEvent(_Event):
    type: Literal["response.reasoning_text.delta"] = "response.reasoning_text.delta"
    item_id: str
    output_index: int
    content_index: int
    delta: str


class ResponseReasoningTextDoneEvent(_Event):
    type: Literal["response.reasoning_text.done"] = "response.reasoning_text.done"
    item_id: str
    output_index: int
    content_index: int
    text: str


class ResponseErrorEvent(_Event):
    type: Literal["error"] = "error"
    code: str | None = None
    message: str
    param: str | None = None


class ResponseStreamEventOther(_Event):
    """An event type we have no class for (web search progress, audio...), kept as sent."""

    type: str


_EVENT_CLASSES: dict[str, type[_Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        ResponseCreatedEvent,
        ResponseInProgressEvent,
        ResponseCompletedEvent,
        ResponseIncompleteEvent,
        ResponseFailedEvent,
        ResponseOutputItemAddedEvent,
        ResponseOutputItemDoneEvent,
        ResponseContentPartAddedEvent,
        ResponseContentPartDoneEvent,
        ResponseTextDeltaEvent,
        ResponseTextDoneEvent,
        ResponseFunctionCallArgumentsDeltaEvent,
        ResponseFunctionCallArgumentsDoneEvent,
        ResponseReasoningTextDeltaEvent,
        ResponseReasoningTextDoneEvent,
        ResponseErrorEvent,
    )
}

ResponseStreamEvent = (
    ResponseCreatedEvent
    | ResponseInProgressEvent
    | ResponseCompletedEvent
    | ResponseIncompleteEvent
    | ResponseFailedEvent
    | ResponseOutputItemAddedEvent
    | ResponseOutputItemDoneEvent
    | ResponseContentPartAddedEvent
    | ResponseContentPartDoneEvent
    | ResponseTextDeltaEvent
    | ResponseTextDoneEvent
    | ResponseFunctionCallArgumentsDeltaEvent
    | ResponseFunctionCallArgumentsDoneEvent
    | ResponseReasoningTextDeltaEvent
    | ResponseReasoningTextDoneEvent
    | ResponseErrorEvent
    | ResponseStreamEventOther
)


def parse_stream_event(data: dict[str, Any]) -> ResponseStreamEvent:
    """The typed event for one decoded stream payload (chosen by its ``type``)."""
    cls = _EVENT_CLASSES.get(data.get("type", ""), ResponseStreamEventOther)
    return cls.model_validate(data)  # type: ignore[return-value]
