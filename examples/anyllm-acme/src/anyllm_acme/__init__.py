"""Acme Chat for anyllm: a native-protocol plugin written the way a third party would write one.

Wire format (made up for this example):
    POST {base}/v2/generate   header X-Acme-Key
    request  {"model", "turns": [{"speaker", "text", "calls", "call_id"}], "tools", "sampling", "stream",
              "json_schema"}
    response {"trace", "reply": {"text", "calls": [{"call_id", "tool", "input"}]}, "stop", "meter": {"in", "out"}}
    stream   NDJSON: {"type": "text"|"call"|"end", ...}
    errors   {"fault": {"kind": "auth"|"quota"|"too_long"|"internal", "detail": ...}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from any_llm import hookimpl
from any_llm.errors import AnyLLMError, ResponseValidationError
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, Provider, StreamEvent, StreamParser
from any_llm.types import ChatCompletion, ChatCompletionChunk
from any_llm.wire import errors_from_status, loads

__all__ = ["AcmeProvider"]

_SPEAKERS = {"system": "system", "developer": "system", "user": "human", "assistant": "bot", "tool": "tool"}
_STOPS = {"done": "stop", "limit": "length", "call": "tool_calls"}


class AcmeProvider(Provider):
    name = "acme"
    display_name = "Acme Chat"
    api_key_env = ("ACME_API_KEY",)
    api_base_env = ("ACME_API_BASE",)
    default_api_base = "https://api.acme.invalid"
    stream_format = "ndjson"
    unsupported_params: ClassVar[frozenset[str]] = frozenset(
        {
            "n",
            "logprobs",
            "top_logprobs",
            "logit_bias",
            "presence_penalty",
            "frequency_penalty",
            "seed",
            "user",
            "parallel_tool_calls",
            "service_tier",
            "prompt_cache_key",
            "reasoning_effort",
            "stream_options",
        }
    )

    def auth_headers(self) -> dict[str, str]:
        return {"X-Acme-Key": self.api_key.get()} if self.api_key else {}

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        sampling = {
            k: v
            for k, v in {
                "temperature": params.temperature,
                "top_p": params.top_p,
                "max_new_tokens": params.max_completion_tokens or params.max_tokens,
                "stop": [params.stop] if isinstance(params.stop, str) else params.stop,
            }.items()
            if v is not None
        }
        body: dict[str, Any] = {"model": params.model, "turns": [_turn(m) for m in params.messages]}
        if sampling:
            body["sampling"] = sampling
        if params.tools:
            body["tools"] = [
                {
                    "name": t["function"]["name"],
                    "description": t["function"].get("description", ""),
                    "schema": t["function"].get("parameters", {}),
                }
                for t in params.tools
            ]
        if params.tool_choice is not None:
            choice = params.tool_choice
            body["tool_mode"] = choice["function"]["name"] if isinstance(choice, dict) else choice
        if params.response_format and params.response_format.get("type") == "json_schema":
            body["json_schema"] = params.response_format["json_schema"]["schema"]
        if params.stream:
            body["stream"] = True
        body.update(params.extra)
        return HTTPRequest("POST", "v2/generate", json=body, stream=bool(params.stream))

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        data = loads(body, self.name)
        try:
            reply, meter = data["reply"], data["meter"]
            message: dict[str, Any] = {"role": "assistant", "content": reply.get("text")}
            if reply.get("calls"):
                message["tool_calls"] = [
                    {
                        "id": c["call_id"],
                        "type": "function",
                        "function": {"name": c["tool"], "arguments": json.dumps(c["input"])},
                    }
                    for c in reply["calls"]
                ]
            return ChatCompletion.model_validate(
                {
                    "id": data["trace"],
                    "created": 0,
                    "model": params.model,
                    "choices": [{"index": 0, "message": message, "finish_reason": _STOPS.get(data["stop"], "stop")}],
                    "usage": _usage(meter),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ResponseValidationError(
                f"acme answered with an unexpected shape: {exc!r}",
                provider=self.name,
                body=body.decode("utf-8", "replace"),
            ) from None

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return _AcmeStream(params.model)

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> AnyLLMError:
        try:
            fault = json.loads(body)["fault"]
            kind, detail = fault["kind"], fault["detail"]
        except (ValueError, KeyError, TypeError):
            return super().parse_error(status_code, headers, body)
        code = {"too_long": "context_length_exceeded"}.get(kind, kind)
        return errors_from_status(self.name, status_code, headers, body, detail, code)


def _turn(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    turn: dict[str, Any] = {"speaker": _SPEAKERS[message["role"]], "text": content or ""}
    if message.get("tool_calls"):
        turn["calls"] = [
            {"call_id": c["id"], "tool": c["function"]["name"], "input": json.loads(c["function"]["arguments"] or "{}")}
            for c in message["tool_calls"]
        ]
    if message["role"] == "tool":
        turn["call_id"] = message.get("tool_call_id")
    return turn


def _usage(meter: dict[str, int]) -> dict[str, int]:
    return {"prompt_tokens": meter["in"], "completion_tokens": meter["out"], "total_tokens": meter["in"] + meter["out"]}


class _AcmeStream(StreamParser):
    """NDJSON lines → chunks; one tool call per ``call_id``, its input arriving in fragments."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.done = False
        self.calls: dict[str, int] = {}

    def _chunk(self, delta: dict[str, Any] | None, finish: str | None = None, usage: Any = None) -> ChatCompletionChunk:
        data: dict[str, Any] = {
            "id": "acme",
            "created": 0,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if delta is not None else [],
        }
        if usage is not None:
            data["usage"] = usage
        return ChatCompletionChunk.model_validate(data)

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        line = loads(event.data, "acme")
        kind = line.get("type")
        if kind == "text":
            return [self._chunk({"content": line["text"]})]
        if kind == "call":
            first = line["call_id"] not in self.calls
            index = self.calls.setdefault(line["call_id"], len(self.calls))
            call: dict[str, Any] = {"index": index, "function": {"arguments": line.get("input_fragment", "")}}
            if first:
                call.update(id=line["call_id"], type="function")
                call["function"]["name"] = line["tool"]
            return [self._chunk({"tool_calls": [call]})]
        if kind == "end":
            self.done = True
            return [
                self._chunk({}, _STOPS.get(line.get("stop"), "stop")),
                self._chunk(None, usage=_usage(line["meter"])),
            ]
        if kind == "fault":
            raise errors_from_status("acme", 500, {}, event.data, line.get("detail", "stream fault"), line.get("kind"))
        return []


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(AcmeProvider)
