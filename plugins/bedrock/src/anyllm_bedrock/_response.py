"""Bedrock answers → our OpenAI-shaped types: Converse bodies, ConverseStream events, errors.

Usage: Converse's ``inputTokens`` leaves out cached tokens; ``prompt_tokens`` adds cache reads and
writes back (OpenAI counts cached tokens in the prompt) and ``prompt_tokens_details.cached_tokens``
is the cache reads. Reasoning shows as ``message.reasoning``; its signed form is kept in
``message.thinking_blocks`` (the anthropic plugin's field) so a replayed turn carries the signature.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from any_llm import errors
from any_llm.aws import aws_error
from any_llm.provider import CompletionParams, StreamEvent, StreamParser
from any_llm.types.completion import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionToolCall,
    Choice,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    ChunkChoice,
    CompletionUsage,
    Function,
    PromptTokensDetails,
    Reasoning,
)
from any_llm.wire import loads_object
from anyllm_bedrock._request import JSON_TOOL, PROVIDER

STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "malformed_model_output": "stop",
    "malformed_tool_use": "stop",
}

_STREAM_STATUS = {
    "throttlingException": 429,
    "validationException": 400,
    "internalServerException": 500,
    "serviceUnavailableException": 503,
    "modelStreamErrorException": 424,
    "modelTimeoutException": 408,
    "accessDeniedException": 403,
}


def error_for(status: int, headers: Mapping[str, str], body: bytes, kind: str | None = None) -> errors.AnyLLMError:
    return aws_error(PROVIDER, status, headers, body, kind)


# -- Converse -------------------------------------------------------------------------------------


def usage_of(raw: Any) -> CompletionUsage | None:
    if not isinstance(raw, dict):
        return None
    read = int(raw.get("cacheReadInputTokens") or 0)
    write = int(raw.get("cacheWriteInputTokens") or 0)
    prompt = int(raw.get("inputTokens") or 0) + read + write
    completion = int(raw.get("outputTokens") or 0)
    usage = CompletionUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=int(raw.get("totalTokens") or prompt + completion),
    )
    if read or write:
        usage.prompt_tokens_details = PromptTokensDetails(cached_tokens=read)
    return usage


def parse_converse(body: bytes, params: CompletionParams) -> ChatCompletion:
    """A Converse body; a wrong shape raises whatever it raises, and core reports it typed."""
    return _converse(loads_object(body, PROVIDER, "a Converse response"), params)


def _converse(data: dict[str, Any], params: CompletionParams) -> ChatCompletion:
    message = data["output"]["message"]
    texts: list[str] = []
    reasoning: list[str] = []
    thinking: list[dict[str, Any]] = []
    calls: list[ChatCompletionMessageFunctionToolCall] = []
    annotations: list[dict[str, Any]] = []
    for block in message.get("content") or ():
        if "text" in block:
            texts.append(str(block["text"]))
        elif "toolUse" in block:
            use = block["toolUse"]
            args = json.dumps(use.get("input", {}), ensure_ascii=False)
            if use.get("name") == JSON_TOOL and _json_mode(params):
                texts.append(args)
                continue
            calls.append(
                ChatCompletionMessageFunctionToolCall(
                    id=str(use["toolUseId"]), function=Function(name=str(use["name"]), arguments=args)
                )
            )
        elif "reasoningContent" in block:
            content = block["reasoningContent"]
            if "reasoningText" in content:
                rt = content["reasoningText"]
                reasoning.append(str(rt.get("text", "")))
                thinking.append(
                    {"type": "thinking", "thinking": rt.get("text", ""), "signature": rt.get("signature", "")}
                )
            elif "redactedContent" in content:
                thinking.append({"type": "redacted_thinking", "data": content["redactedContent"]})
        elif "citationsContent" in block:  # an answer grounded in documents: its text, and the sources
            cited = block["citationsContent"]
            texts.extend(str(part["text"]) for part in cited.get("content") or () if "text" in part)
            annotations.extend({"type": "citation", **c} for c in cited.get("citations") or ())
    finish = STOP_REASONS.get(str(data.get("stopReason")), "stop")
    if finish == "tool_calls" and not calls:
        finish = "stop"  # the forced JSON tool: an answer, not a call
    msg = ChatCompletionMessage(
        content="".join(texts) if texts or not calls else None,
        tool_calls=calls or None,
        reasoning=Reasoning(content="".join(reasoning)) if reasoning else None,
        annotations=annotations or None,
    )
    if thinking:
        msg.thinking_blocks = thinking  # type: ignore[attr-defined]
    return ChatCompletion(
        id=f"bedrock-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=params.model,
        choices=[Choice(index=0, message=msg, finish_reason=finish)],
        usage=usage_of(data.get("usage")),
    )


def _json_mode(params: CompletionParams) -> bool:
    return bool(params.response_format and params.response_format.get("type") == "json_object")


# -- ConverseStream -------------------------------------------------------------------------------


class ConverseStreamParser(StreamParser):
    """ConverseStream events (event-stream frames, JSON payloads) → chunks.

    The finish reason (``messageStop``) is held until the ``metadata`` event brings usage, so the
    last chunk carries both; a body ending before ``messageStop`` was cut (core raises). Exceptions
    inside the stream raise the same typed errors as HTTP ones.
    """

    def __init__(self, params: CompletionParams) -> None:
        self.params = params
        self.id = f"bedrock-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.tools: dict[int, int] = {}
        """contentBlockIndex → tool call index."""
        self.json_blocks: set[int] = set()
        self.signed: dict[int, dict[str, str]] = {}
        self.stop_reason: str | None = None
        self.saw_tool = False

    def _chunk(
        self, delta: ChoiceDelta, finish: str | None = None, usage: CompletionUsage | None = None
    ) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self.id,
            created=self.created,
            model=self.params.model,
            choices=[ChunkChoice(index=0, delta=delta, finish_reason=finish)],
            usage=usage,
        )

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        headers = event.headers or {}
        kind = headers.get(":message-type", "event")
        if kind != "event":
            status = _STREAM_STATUS.get(str(event.event), 500)
            raise error_for(status, {}, event.data, kind=_exception_name(event.event))
        data = loads_object(event.data, PROVIDER, "a stream event") if event.data else {}
        return self._event(str(event.event), data)

    def _event(self, name: str, data: dict[str, Any]) -> list[ChatCompletionChunk]:
        if name == "messageStart":
            return [self._chunk(ChoiceDelta(role="assistant", content=""))]
        if name == "contentBlockStart":
            start = data.get("start") or {}
            use = start.get("toolUse")
            if use is None:
                return []
            block = int(data["contentBlockIndex"])
            if use.get("name") == JSON_TOOL and _json_mode(self.params):
                self.json_blocks.add(block)
                return []
            index = self.tools[block] = len(self.tools)
            self.saw_tool = True
            call = ChoiceDeltaToolCall(
                index=index,
                id=str(use["toolUseId"]),
                type="function",
                function=ChoiceDeltaToolCallFunction(name=str(use["name"]), arguments=""),
            )
            return [self._chunk(ChoiceDelta(tool_calls=[call]))]
        if name == "contentBlockDelta":
            block = int(data.get("contentBlockIndex", 0))
            delta = data["delta"]
            if "text" in delta:
                return [self._chunk(ChoiceDelta(content=str(delta["text"])))]
            if "toolUse" in delta:
                piece = str(delta["toolUse"].get("input", ""))
                if block in self.json_blocks:
                    return [self._chunk(ChoiceDelta(content=piece))]
                if block not in self.tools:  # a delta without its start: give it the next slot
                    self.tools[block] = len(self.tools)
                    self.saw_tool = True
                fn = ChoiceDeltaToolCallFunction(arguments=piece)
                return [
                    self._chunk(ChoiceDelta(tool_calls=[ChoiceDeltaToolCall(index=self.tools[block], function=fn)]))
                ]
            if "reasoningContent" in delta:
                rc = delta["reasoningContent"]
                state = self.signed.setdefault(block, {"thinking": "", "signature": "", "redacted": ""})
                if "text" in rc:
                    state["thinking"] += str(rc["text"])
                    return [self._chunk(ChoiceDelta(reasoning=Reasoning(content=str(rc["text"]))))]
                if "signature" in rc:
                    state["signature"] += str(rc["signature"])
                if "redactedContent" in rc:
                    state["redacted"] += str(rc["redactedContent"])
            return []
        if name == "contentBlockStop":
            ended = self.signed.pop(int(data.get("contentBlockIndex", 0)), None)
            if ended is None:
                return []
            if ended["redacted"]:
                block_out = {"type": "redacted_thinking", "data": ended["redacted"]}
            else:
                block_out = {"type": "thinking", "thinking": ended["thinking"], "signature": ended["signature"]}
            return [self._chunk(ChoiceDelta(thinking_blocks=[block_out]))]
        if name == "messageStop":
            finish = STOP_REASONS.get(str(data.get("stopReason")), "stop")
            self.stop_reason = "stop" if finish == "tool_calls" and not self.saw_tool else finish
            return []
        if name == "metadata":
            self.done = True
            return [self._chunk(ChoiceDelta(), self.stop_reason or "stop", usage_of(data.get("usage")))]
        return []  # events added later (citations, guardrail traces) carry nothing we map yet

    def finish(self) -> Iterable[ChatCompletionChunk]:
        if self.done or self.stop_reason is None:
            return ()  # core raises APIConnectionError for a stream cut before messageStop (may_end)
        self.done = True  # messageStop came; only the usage metadata is missing
        return [self._chunk(ChoiceDelta(), self.stop_reason)]

    def may_end(self) -> bool:
        return self.done or self.stop_reason is not None


def _exception_name(event: str | None) -> str:
    """``throttlingException`` (the stream's member name) → ``ThrottlingException``."""
    name = event or "InternalServerException"
    return name[:1].upper() + name[1:]
