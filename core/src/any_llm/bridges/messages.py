"""``messages()`` on every provider: the Anthropic Messages wire body, sent natively or over chat completions.

:func:`build_body` turns the caller's arguments into the ``POST /v1/messages`` body. A provider that
declares ``supports_messages_native`` (anthropic) sends it as is; every other provider gets
:func:`body_to_params` (→ chat completions) and :func:`completion_to_message` /
:class:`MessagesTranslator` (→ a ``message`` and the ``message_start`` … ``message_stop`` events).

Refused on a translated provider, before sending: ``top_k`` (chat completions has no such knob),
server tools, prompt-caching and context-management settings, ``betas``. Thinking blocks replayed
in an assistant turn are not sent (chat completions takes no earlier thoughts back); system
blocks are sent as their joined text. ``cache_control`` markers inside blocks are caching hints that
do not change the answer: they are left out rather than refused, so clients that mark every block
(coding agents do) work on every provider; the top-level ``cache_control`` parameter is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.bridges import Plan, Translator
from any_llm.provider import StreamEvent, StreamParser
from any_llm.wire import SHAPE_ERRORS, loads_object, shape_error

if TYPE_CHECKING:
    from any_llm.provider import CompletionParams, Provider
    from any_llm.types.completion import ChatCompletion, ChatCompletionChunk
    from any_llm.types.messages import MessageResponse

__all__ = [
    "NATIVE_ONLY",
    "MessagesStreamParser",
    "MessagesTranslator",
    "body_to_params",
    "build_body",
    "completion_to_message",
    "parse_message_body",
    "plan",
]

NATIVE_ONLY = ("top_k", "cache_control", "context_management", "betas", "container", "mcp_servers")
"""Messages-API settings chat completions cannot carry: refused on a translated provider."""
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "content_filter": "refusal"}
"""Chat ``finish_reason`` → Messages ``stop_reason``."""
_EFFORTS = ((1024, "minimal"), (2048, "low"), (8192, "medium"), (16384, "high"))


# -- the request body -----------------------------------------------------------------------------


def build_body(model: str, messages: Any, max_tokens: Any, args: dict[str, Any]) -> tuple[dict[str, Any], type | None]:
    """(the ``/v1/messages`` body, the type to parse the answer into). ``args`` are the given (not None)
    parameters of ``messages()``, the caller's ``**kwargs`` included."""
    from any_llm.structured import normalize_response_format

    if not isinstance(model, str) or not model.strip():
        raise errors.ConfigurationError(f"model must be a non-empty string, got {model!r}")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise errors.ConfigurationError(f"max_tokens must be a positive integer, got {max_tokens!r}")
    if not isinstance(messages, (list, tuple)) or not messages or not all(isinstance(m, dict) for m in messages):
        raise errors.ConfigurationError(
            'messages must be a non-empty list of dicts like [{"role": "user", "content": "Hello"}]'
        )
    args = dict(args)
    body: dict[str, Any] = {"model": model, "max_tokens": max_tokens, "messages": list(messages)}
    tools = args.pop("tools", None)
    if tools is not None:
        body["tools"] = _tools(tools)
    output_type: type | None = None
    output_format = args.pop("output_format", None)
    if isinstance(output_format, type):
        wire, output_type = normalize_response_format(output_format)
        assert wire is not None
        schema = wire["json_schema"]["schema"]
        config = dict(args.pop("output_config", None) or {})
        config["format"] = {"type": "json_schema", "schema": schema}
        args["output_config"] = config
        if args.get("stream"):
            raise errors.ConfigurationError("output_format as a type cannot be combined with stream=True")
    elif isinstance(output_format, dict):
        args["output_config"] = {**(args.pop("output_config", None) or {}), **output_format}
    elif output_format is not None:
        raise errors.ConfigurationError("output_format must be a pydantic model, a dataclass or an output_config dict")
    body.update(args)
    return body, output_type


def _tools(tools: Any) -> list[dict[str, Any]]:
    """Callables and OpenAI function tools → Anthropic tools; Anthropic tool dicts pass as they are."""
    from any_llm.tools import callable_to_tool

    if not isinstance(tools, (list, tuple)):
        raise errors.ConfigurationError(f"tools must be a list, got {type(tools).__name__}")
    out: list[dict[str, Any]] = []
    for i, tool in enumerate(tools):
        if callable(tool) and not isinstance(tool, dict):
            tool = callable_to_tool(tool)
        if not isinstance(tool, dict):
            raise errors.ConfigurationError(f"tools[{i}] must be a callable or a tool dict")
        fn = tool.get("function")
        if tool.get("type") == "function" and isinstance(fn, dict):
            converted = {"name": fn["name"], "input_schema": fn.get("parameters") or {"type": "object"}}
            if fn.get("description"):
                converted["description"] = fn["description"]
            tool = converted
        out.append(tool)
    return out


# -- the plan -------------------------------------------------------------------------------------


def plan(provider: Provider, model: str, messages: Any, max_tokens: Any, kwargs: dict[str, Any]) -> Plan:
    """The plan for ``messages()`` on ``provider`` (``kwargs`` without the per-call options, which core
    applies to the request). Pure: refusals raise here."""
    from any_llm.params import check_request

    args = {k: v for k, v in kwargs.items() if v is not None}
    body, output_type = build_body(model, messages, max_tokens, args)
    name = provider.name
    if provider.supports_messages_native:
        request = provider.build_messages_request(body)
        return Plan(
            request,
            lambda raw: _parsed(provider.parse_messages(raw), output_type, name),
            parser=provider.messages_stream_parser,
        )
    params = body_to_params(body, name)
    check_request(provider, params)
    request = provider.build_completion_request(params)

    def finish(raw: bytes) -> Any:
        return completion_to_message(provider.parse_completion(raw, params), output_type, name)

    return Plan(
        request,
        finish,
        parser=lambda: provider.stream_parser(params),
        translator=lambda: MessagesTranslator(str(body["model"])),
    )


# -- translation: body → chat completions -------------------------------------------------------------


def body_to_params(body: dict[str, Any], provider: str) -> CompletionParams:
    """The chat-completions request equivalent to a ``/v1/messages`` body; refuses what it cannot carry."""
    from any_llm.params import build_params

    refuse = errors.UnsupportedParameterError
    rest = dict(body)
    for name in NATIVE_ONLY:
        if rest.pop(name, None) is not None:
            raise refuse(name, provider, f"it is a Messages-API setting and {provider} has no native Messages API")
    model = rest.pop("model")
    out: list[dict[str, Any]] = []
    system = rest.pop("system", None)
    if system is not None:
        out.append({"role": "system", "content": system if isinstance(system, str) else _joined_text(system)})
    for i, msg in enumerate(rest.pop("messages")):
        out.extend(_message(msg, i, provider))
    args: dict[str, Any] = {"max_tokens": rest.pop("max_tokens")}
    for name in ("temperature", "top_p", "stream", "service_tier", "prompt_cache_key"):
        if name in rest:
            args[name] = rest.pop(name)
    if "stop_sequences" in rest:
        args["stop"] = rest.pop("stop_sequences")
    tools = rest.pop("tools", None)
    if tools is not None:
        args["tools"] = [_chat_tool(t, provider) for t in tools]
    choice = rest.pop("tool_choice", None)
    if choice is not None:
        args.update(_chat_tool_choice(choice, provider))
    metadata = rest.pop("metadata", None)
    if metadata:
        if set(metadata) - {"user_id"}:
            raise refuse("metadata", provider, "only metadata.user_id translates (to user)")
        args["user"] = metadata["user_id"]
    thinking = rest.pop("thinking", None)
    if thinking is not None:
        args["reasoning_effort"] = _effort(thinking)
    config = rest.pop("output_config", None)
    if config is not None:
        fmt = config.get("format") if isinstance(config, dict) else None
        if not isinstance(fmt, dict) or set(config) != {"format"} or fmt.get("type") != "json_schema":
            raise refuse("output_config", provider, 'only {"format": {"type": "json_schema", ...}} translates')
        args["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": fmt["schema"]}}
    return build_params(model, out, args, rest)


def _joined_text(blocks: Any) -> str:
    return "\n\n".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")


def _effort(thinking: Any) -> str:
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if kind == "disabled":
        return "none"
    if kind == "adaptive":
        return "auto"
    if kind == "enabled":
        budget = thinking.get("budget_tokens") or 0
        return next((name for limit, name in _EFFORTS if budget <= limit), "xhigh")
    raise errors.ConfigurationError(
        f'thinking must be {{"type": "enabled", "budget_tokens": N}} or disabled, got {thinking!r}'
    )


def _message(msg: dict[str, Any], i: int, provider: str) -> list[dict[str, Any]]:
    role = msg.get("role")
    content = msg.get("content")
    if role not in ("user", "assistant"):
        raise errors.ConfigurationError(f"messages[{i}] has role {role!r}; the Messages API takes user and assistant")
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    if not isinstance(content, list):
        raise errors.ConfigurationError(f"messages[{i}].content must be a string or a list of content blocks")
    if role == "assistant":
        text = "".join(b.get("text", "") for b in content if b.get("type") == "text")
        calls = [
            {
                "id": b["id"],
                "type": "function",
                "function": {"name": b["name"], "arguments": json.dumps(b.get("input") or {})},
            }
            for b in content
            if b.get("type") == "tool_use"
        ]
        for b in content:
            if b.get("type") not in ("text", "tool_use", "thinking", "redacted_thinking"):
                raise errors.UnsupportedParameterError(f"messages[{i}] block {b.get('type')!r}", provider)
        assistant: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            assistant["tool_calls"] = calls
        return [assistant]
    tools: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for block in content:
        kind = block.get("type")
        if kind == "tool_result":
            result = block.get("content")
            answer = result if isinstance(result, str) or result is None else _joined_text(result)
            tool: dict[str, Any] = {"role": "tool", "tool_call_id": block.get("tool_use_id"), "content": answer or ""}
            if block.get("is_error"):
                tool["content"] = f"Error: {tool['content']}"
            tools.append(tool)
        elif kind == "text":
            parts.append({"type": "text", "text": block.get("text", "")})
        elif kind in ("image", "document"):
            parts.append(_media(block, i, provider))
        else:
            raise errors.UnsupportedParameterError(f"messages[{i}] block {kind!r}", provider)
    return tools + ([{"role": "user", "content": parts}] if parts else [])


def _media(block: dict[str, Any], i: int, provider: str) -> dict[str, Any]:
    source = block.get("source") or {}
    if source.get("type") == "base64":
        url = f"data:{source.get('media_type')};base64,{source.get('data')}"
    elif source.get("type") == "url":
        url = source.get("url", "")
    else:
        raise errors.UnsupportedParameterError(f"messages[{i}] {block['type']} source {source.get('type')!r}", provider)
    if block["type"] == "image":
        return {"type": "image_url", "image_url": {"url": url}}
    return {"type": "file", "file": {"file_data": url}}


def _chat_tool(tool: dict[str, Any], provider: str) -> dict[str, Any]:
    if tool.get("type") not in (None, "custom") or "name" not in tool:
        raise errors.UnsupportedParameterError(
            f"tools ({tool.get('type')!r})",
            provider,
            "server tools run on Anthropic's side; only custom tools translate",
        )
    fn: dict[str, Any] = {"name": tool["name"], "parameters": tool.get("input_schema") or {"type": "object"}}
    if tool.get("description"):
        fn["description"] = tool["description"]
    return {"type": "function", "function": fn}


def _chat_tool_choice(choice: Any, provider: str) -> dict[str, Any]:
    if not isinstance(choice, dict):
        raise errors.ConfigurationError(f'tool_choice must be a dict like {{"type": "auto"}}, got {choice!r}')
    kind = choice.get("type")
    out: dict[str, Any] = {}
    if kind in ("auto", "none"):
        out["tool_choice"] = kind
    elif kind == "any":
        out["tool_choice"] = "required"
    elif kind == "tool" and choice.get("name"):
        out["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
    else:
        raise errors.UnsupportedParameterError(f"tool_choice {choice!r}", provider)
    if choice.get("disable_parallel_tool_use"):
        out["parallel_tool_calls"] = False
    return out


# -- translation: chat completion → message -------------------------------------------------------


def _arguments(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        raise errors.ResponseValidationError(f"a tool call's arguments are not JSON: {text!r:.200}") from None
    if not isinstance(value, dict):
        raise errors.ResponseValidationError(f"a tool call's arguments are not a JSON object: {text!r:.200}")
    return value


def _usage(usage: Any) -> dict[str, Any]:
    if usage is None:
        return {"input_tokens": 0, "output_tokens": 0}
    out = {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens}
    cached = getattr(usage.prompt_tokens_details, "cached_tokens", None)
    if cached:
        out["cache_read_input_tokens"] = cached
    return out


def completion_to_message(completion: ChatCompletion, output_type: type | None, provider: str) -> MessageResponse:
    """A chat completion as the ``message`` the Messages API would have given (parsed when asked)."""
    from any_llm.types.messages import MessageResponse, ParsedMessage

    if output_type is not None:
        from any_llm.structured import parse_structured

        completion = parse_structured(completion, output_type, provider)
    choice = completion.choices[0] if completion.choices else None
    content: list[dict[str, Any]] = []
    stop = None
    if choice is not None:
        msg = choice.message
        if msg.reasoning is not None and msg.reasoning.content:
            content.append({"type": "thinking", "thinking": msg.reasoning.content, "signature": ""})
        if msg.content:
            content.append({"type": "text", "text": msg.content})
        elif msg.refusal:
            content.append({"type": "text", "text": msg.refusal})
        for call in msg.tool_calls or ():
            content.append(
                {
                    "type": "tool_use",
                    "id": call.id,
                    "name": call.function.name,
                    "input": _arguments(call.function.arguments),
                }
            )
        stop = STOP_REASONS.get(choice.finish_reason or "", "end_turn")
    data = {
        "id": f"msg_{completion.id}",
        "type": "message",
        "role": "assistant",
        "content": content,
        "model": completion.model,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": _usage(completion.usage),
    }
    if output_type is None:
        return MessageResponse.model_validate(data)
    parsed: ParsedMessage[Any] = ParsedMessage.model_validate(data)
    if choice is not None:
        parsed.parsed_output = getattr(choice.message, "parsed", None)
    return parsed


def _parsed(message: MessageResponse, output_type: type | None, provider: str) -> MessageResponse:
    """A native message, with ``parsed_output`` filled when a type was asked for."""
    if output_type is None:
        return message
    from pydantic import TypeAdapter, ValidationError

    from any_llm.types.messages import ParsedMessage

    if message.stop_reason == "max_tokens":
        raise errors.LengthFinishReasonError(
            "the answer was cut at max_tokens, so its JSON is incomplete; raise max_tokens", provider=provider
        )
    parsed: ParsedMessage[Any] = ParsedMessage.model_validate(message.model_dump(exclude_unset=True))
    if message.text:
        try:
            parsed.parsed_output = TypeAdapter(output_type).validate_json(message.text)
        except ValidationError as exc:
            raise errors.StructuredOutputError(
                f"the answer is not valid {output_type.__name__} JSON ({exc.error_count()} errors); "
                f"raw content: {message.text[:500]!r}",
                raw=message.text,
                provider=provider,
            ) from None
    return parsed


# -- native: parse what a /v1/messages endpoint sends -----------------------------------------------


def parse_message_body(body: bytes, provider: str) -> MessageResponse:
    """A ``/v1/messages`` body as a :class:`MessageResponse` (typed error for a wrong shape)."""
    from any_llm.types.messages import MessageResponse

    data = loads_object(body, provider, "a message")
    try:
        return MessageResponse.model_validate(data)
    except SHAPE_ERRORS as exc:
        raise shape_error(provider, exc, "a message", body) from None


class MessagesStreamParser(StreamParser):
    """A native Messages SSE stream → typed events; an ``error`` event raises ``on_error(payload)``."""

    def __init__(self, provider: str, on_error: Callable[[dict[str, Any]], errors.AnyLLMError] | None = None) -> None:
        self.done = False
        self.provider = provider
        self.on_error = on_error

    def feed(self, event: StreamEvent) -> Iterable[Any]:
        from any_llm.types.messages import parse_stream_event

        data = loads_object(event.data, self.provider, "a stream event")
        if data.get("type") == "error":
            self.done = True
            if self.on_error is not None:
                raise self.on_error(data)
            err = data.get("error") or {}
            raise errors.ProviderError(str(err.get("message") or "stream error"), provider=self.provider)
        try:
            parsed = parse_stream_event(data)
        except SHAPE_ERRORS as exc:
            raise shape_error(self.provider, exc, "a stream event", event.data) from None
        if parsed.type == "message_stop":
            self.done = True
        return (parsed,)

    def finish(self) -> Iterable[Any]:
        return ()  # a stream cut before message_stop: core raises APIConnectionError (may_end)


# -- translation: completion stream → message events ----------------------------------------------------


class MessagesTranslator(Translator):
    """Chat-completion chunks → ``message_start``, content blocks (thinking, text, tool_use) each opened,
    filled and stopped, then ``message_delta`` (stop reason, usage) and ``message_stop``."""

    def __init__(self, model: str) -> None:
        self._model = model
        self._started = False
        self._id = ""
        self._block: tuple[str, int] | None = None  # (kind, index) of the open block
        self._count = 0
        self._calls: dict[int, int] = {}  # chunk tool-call index -> block index
        self._finish: str | None = None
        self._usage: Any = None

    def feed(self, chunk: ChatCompletionChunk) -> list[Any]:
        from any_llm.types import messages as t

        out: list[Any] = []
        if not self._started:
            self._started = True
            self._id = f"msg_{chunk.id}"
            self._model = chunk.model or self._model
            message = t.MessageResponse(
                id=self._id, content=[], model=self._model, stop_reason=None, stop_sequence=None, usage=t.MessageUsage()
            )
            out.append(t.MessageStartEvent(message=message))
        if chunk.usage is not None:
            self._usage = chunk.usage
        for choice in chunk.choices[:1]:
            delta = choice.delta
            if delta.reasoning is not None and delta.reasoning.content:
                out += self._open("thinking", t.ThinkingBlock(thinking="", signature=""))
                out.append(self._delta(t.ThinkingDelta(thinking=delta.reasoning.content)))
            text = delta.content or delta.refusal
            if text:
                out += self._open("text", t.TextBlock(text=""))
                out.append(self._delta(t.TextDelta(text=text)))
            for call in delta.tool_calls or ():
                index = self._calls.get(call.index)
                if index is None:
                    name = (call.function.name if call.function else None) or ""
                    out += self._open("tool", t.ToolUseBlock(id=call.id or f"toolu_{self._count}", name=name, input={}))
                    assert self._block is not None
                    self._calls[call.index] = self._block[1]
                elif self._block is None or self._block[1] != index:
                    continue  # a late piece of an earlier call: blocks do not interleave here
                if call.function is not None and call.function.arguments:
                    out.append(self._delta(t.InputJSONDelta(partial_json=call.function.arguments)))
            if choice.finish_reason:
                self._finish = choice.finish_reason
        return out

    def _open(self, kind: str, block: Any) -> list[Any]:
        from any_llm.types import messages as t

        if self._block is not None and self._block[0] == kind and kind != "tool":
            return []
        out = self._stop()
        index = self._count
        self._count += 1
        self._block = (kind, index)
        out.append(t.ContentBlockStartEvent(index=index, content_block=block))
        return out

    def _delta(self, delta: Any) -> Any:
        from any_llm.types import messages as t

        assert self._block is not None
        return t.ContentBlockDeltaEvent(index=self._block[1], delta=delta)

    def _stop(self) -> list[Any]:
        from any_llm.types import messages as t

        if self._block is None:
            return []
        index = self._block[1]
        self._block = None
        return [t.ContentBlockStopEvent(index=index)]

    def finish(self) -> list[Any]:
        from any_llm.types import messages as t

        if not self._started:
            raise errors.ResponseValidationError("the stream ended without any chunk")
        out = self._stop()
        usage = _usage(self._usage)
        out.append(
            t.MessageDeltaEvent(
                delta=t.MessageDelta(stop_reason=STOP_REASONS.get(self._finish or "", "end_turn"), stop_sequence=None),
                usage=t.MessageDeltaUsage(**usage),
            )
        )
        out.append(t.MessageStopEvent())
        return out
