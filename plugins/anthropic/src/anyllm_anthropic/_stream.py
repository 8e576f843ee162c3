"""Anthropic's SSE events → ChatCompletionChunk.

Anthropic streams typed events around indexed content blocks. Each block becomes OpenAI deltas:
text → ``content``, thinking → ``reasoning``, tool_use → ``tool_calls`` (id and name in the first
delta, then the JSON arguments piece by piece, one ``index`` per tool call). When a thinking block
ends, its complete signed form is emitted once as ``delta.thinking_blocks`` so a streamed turn can
be replayed like a non-streamed one. ``message_delta`` brings the stop reason and the final usage
(one last chunk carrying both); ``message_stop`` ends the stream.

Hot path (one event per token): the event is parsed with pydantic-core's JSON parser and a
text/thinking/arguments delta becomes a chunk through one validation of a plain dict: about twice as
fast as ``json.loads`` plus three nested model constructors, and the same chunk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from any_llm.provider import CompletionParams, StreamEvent, StreamParser
from any_llm.types.completion import (
    ChatCompletionChunk,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    ChunkChoice,
    Reasoning,
)
from any_llm.wire import loads_object
from anyllm_anthropic._response import convert_usage, error_for, finish_reason

__all__ = ["AnthropicStreamParser"]

_PROVIDER = "anthropic"


class AnthropicStreamParser(StreamParser):
    """Per-stream state: message id/model, open blocks, tool-call numbering, running usage."""

    def __init__(self, params: CompletionParams) -> None:
        self.done = False
        opts = params.stream_options or {}
        self._include_usage = opts.get("include_usage", True) is not False
        self._id = ""
        self._model = params.model
        self._created = int(time.time())
        self._usage: dict[str, Any] = {}
        self._blocks: dict[int, dict[str, Any]] = {}  # block index -> state of that block
        self._tool_count = 0

    # -- helpers --------------------------------------------------------------------------------

    def _chunk(self, delta: ChoiceDelta | None = None, finish: str | None = None) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self._id,
            created=self._created,
            model=self._model,
            choices=[ChunkChoice(index=0, delta=delta or ChoiceDelta(), finish_reason=finish)],
        )

    def _fast_chunk(self, delta: dict[str, Any]) -> list[ChatCompletionChunk]:
        """The chunk :meth:`_chunk` builds, from a delta of plain JSON values of the right types (no finish).
        It calls the validator ``model_validate`` uses, without that method's per-call overhead."""
        return [
            ChatCompletionChunk.__pydantic_validator__.validate_python(
                {
                    "id": self._id,
                    "created": self._created,
                    "model": self._model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                }
            )
        ]

    # -- events ---------------------------------------------------------------------------------

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        return self._dispatch(loads_object(event.data, _PROVIDER, "a stream event"), event)

    def _dispatch(self, data: dict[str, Any], event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        kind = data.get("type") or event.event
        if kind == "content_block_delta":
            return self._block_delta(data)
        if kind == "content_block_start":
            return self._block_start(data)
        if kind == "content_block_stop":
            return self._block_stop(data)
        if kind == "message_start":
            return self._message_start(data)
        if kind == "message_delta":
            return self._message_delta(data)
        if kind == "message_stop":
            self.done = True
            return ()
        if kind == "error":
            raise error_for(data)
        return ()  # ping, and event types added after this was written

    def _message_start(self, data: dict[str, Any]) -> list[ChatCompletionChunk]:
        message = data.get("message") or {}
        self._id = str(message.get("id") or self._id)
        self._model = str(message.get("model") or self._model)
        usage = message.get("usage")
        if isinstance(usage, dict):
            self._usage.update({k: v for k, v in usage.items() if v is not None})
        return [self._chunk(ChoiceDelta(role="assistant", content=""))]

    def _block_start(self, data: dict[str, Any]) -> list[ChatCompletionChunk]:
        index = data.get("index", 0)
        block = data.get("content_block") or {}
        kind = block.get("type")
        state: dict[str, Any] = {"type": kind}
        self._blocks[index] = state
        if kind == "text" and block.get("text"):
            return [self._chunk(ChoiceDelta(content=block["text"]))]
        if kind == "thinking":
            state["thinking"] = [block.get("thinking") or ""]
            state["signature"] = block.get("signature") or ""
            if block.get("thinking"):
                return [self._chunk(ChoiceDelta(reasoning=Reasoning(content=block["thinking"])))]
        elif kind == "redacted_thinking":
            state["data"] = block.get("data", "")
        elif kind == "tool_use":
            state["tool"] = self._tool_count
            self._tool_count += 1
            first = ChoiceDeltaToolCall(
                index=state["tool"],
                id=block.get("id"),
                type="function",
                function=ChoiceDeltaToolCallFunction(name=block.get("name"), arguments=""),
            )
            chunks = [self._chunk(ChoiceDelta(tool_calls=[first]))]
            if block.get("input"):  # input given whole at start (not the usual empty {})
                chunks.append(self._args(state["tool"], json.dumps(block["input"])))
            return chunks
        return []

    def _args(self, tool: int, text: str) -> ChatCompletionChunk:
        call = ChoiceDeltaToolCall(index=tool, function=ChoiceDeltaToolCallFunction(arguments=text))
        return self._chunk(ChoiceDelta(tool_calls=[call]))

    def _block_delta(self, data: dict[str, Any]) -> list[ChatCompletionChunk]:
        delta = data.get("delta") or {}
        kind = delta.get("type")
        state = self._blocks.get(data.get("index", 0), {})
        # str values take the dict fast path; anything else keeps the constructors (and their errors)
        if kind == "text_delta":
            text = delta.get("text") or ""
            if type(text) is str:
                return self._fast_chunk({"content": text}) if text else []
            return [self._chunk(ChoiceDelta(content=text))]
        if kind == "input_json_delta":
            piece = delta.get("partial_json") or ""
            if not piece or "tool" not in state:
                return []
            if type(piece) is str:
                return self._fast_chunk({"tool_calls": [{"index": state["tool"], "function": {"arguments": piece}}]})
            return [self._args(state["tool"], piece)]
        if kind == "thinking_delta":
            text = delta.get("thinking") or ""
            state.setdefault("thinking", []).append(text)
            if type(text) is str:
                return self._fast_chunk({"reasoning": {"content": text}}) if text else []
            return [self._chunk(ChoiceDelta(reasoning=Reasoning(content=text)))] if text else []
        if kind == "signature_delta":
            state["signature"] = state.get("signature", "") + (delta.get("signature") or "")
        return []  # citations_delta and newer delta types carry nothing we map

    def _block_stop(self, data: dict[str, Any]) -> list[ChatCompletionChunk]:
        state = self._blocks.pop(data.get("index", 0), {})
        if state.get("type") == "thinking":
            block = {
                "type": "thinking",
                "thinking": "".join(state.get("thinking", ())),
                "signature": state.get("signature", ""),
            }
        elif state.get("type") == "redacted_thinking":
            block = {"type": "redacted_thinking", "data": state.get("data", "")}
        else:
            return []
        return [self._chunk(ChoiceDelta(thinking_blocks=[block]))]

    def _message_delta(self, data: dict[str, Any]) -> list[ChatCompletionChunk]:
        """The last chunk: finish reason plus the usage. It keeps its one choice (with an empty
        delta), so ``chunk.choices[0]`` works on every chunk of an Anthropic stream."""
        usage = data.get("usage")
        if isinstance(usage, dict):  # cumulative counts: the latest value wins
            self._usage.update({k: v for k, v in usage.items() if v is not None})
        reason = finish_reason((data.get("delta") or {}).get("stop_reason"))
        if reason is None and not isinstance(usage, dict):
            return []
        chunk = self._chunk(finish=reason)
        if self._include_usage and self._usage:
            chunk.usage = convert_usage(self._usage, json.dumps(data))
        return [chunk]
