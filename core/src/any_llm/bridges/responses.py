"""``responses()`` on every provider: the OpenAI Responses wire body, sent natively or over chat completions.

One body for both paths: :func:`build_body` turns the caller's arguments into the ``POST /responses``
body (callables become function tools, a pydantic model or dataclass becomes ``text.format``). A
provider that declares ``supports_responses_native`` gets that body as is; for every other provider
:func:`body_to_params` maps it to :class:`~any_llm.provider.CompletionParams`, and
:func:`completion_to_response` / :class:`ResponsesTranslator` map the answer and its stream back.

What the translation cannot honour is refused before sending, never dropped: the state kept on the
provider's servers (``previous_response_id``, ``conversation``, ``store=True``, ``background=True``),
built-in tools, and the other Responses-only settings listed in :data:`NATIVE_ONLY`. Reasoning items
replayed in ``input`` are the one thing not sent: chat completions has no slot for a model's earlier
thoughts, and the answer does not depend on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.bridges import Plan, Translator
from any_llm.provider import StreamEvent, StreamParser
from any_llm.wire import SHAPE_ERRORS, loads_object, shape_error

if TYPE_CHECKING:
    from collections.abc import Iterable

    from any_llm.provider import CompletionParams, Provider
    from any_llm.types.completion import ChatCompletion, ChatCompletionChunk
    from any_llm.types.responses import Response

__all__ = [
    "NATIVE_ONLY",
    "STATEFUL",
    "ResponsesStreamParser",
    "ResponsesTranslator",
    "body_to_params",
    "build_body",
    "completion_to_response",
    "parse_response",
    "plan",
    "refuse_state",
]

STATEFUL = ("previous_response_id", "conversation", "store", "background")
"""Parameters that need the provider to keep state: refused on a translated provider (``store`` and
``background`` only when true)."""
NATIVE_ONLY = (
    "include",
    "max_tool_calls",
    "truncation",
    "context_management",
    "prompt_cache_retention",
    "safety_identifier",
)
"""Responses-only settings that chat completions cannot carry: refused on a translated provider."""
_ECHOED = ("metadata",)
"""Kept on the returned Response (the caller's own tags), not sent to a translated provider."""
_SAME_NAME = (
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "parallel_tool_calls",
    "user",
    "service_tier",
    "prompt_cache_key",
    "stream",
)


# -- the request body -----------------------------------------------------------------------------


def build_body(model: str, input_data: Any, args: dict[str, Any]) -> tuple[dict[str, Any], type | None]:
    """(the ``/responses`` body, the type to parse the answer into). ``args`` are the given (not None)
    parameters of ``responses()``, the caller's ``**kwargs`` included."""
    from any_llm.structured import normalize_response_format

    if not isinstance(model, str) or not model.strip():
        raise errors.ConfigurationError(f"model must be a non-empty string, got {model!r}")
    args = dict(args)
    body: dict[str, Any] = {"model": model, "input": _input(input_data)}
    tools = args.pop("tools", None)
    if tools is not None:
        body["tools"] = _tools(tools)
    choice = args.pop("tool_choice", None)
    if choice is not None:
        body["tool_choice"] = _tool_choice(choice)
    output_type: type | None = None
    response_format = args.pop("response_format", None)
    if response_format is not None:
        wire, output_type = normalize_response_format(response_format)
        text = dict(args.pop("text", None) or {})
        if "format" in text:
            raise errors.ConfigurationError("pass response_format or text={'format': ...}, not both")
        text["format"] = _text_format(wire)
        args["text"] = text
        if output_type is not None and args.get("stream"):
            raise errors.ConfigurationError(
                "response_format as a pydantic model or dataclass cannot be combined with stream=True; "
                "stream with a json_schema dict and parse the text yourself, or drop stream"
            )
    body.update(args)
    return body, output_type


def _input(input_data: Any) -> str | list[dict[str, Any]]:
    if isinstance(input_data, str):
        return input_data
    if not isinstance(input_data, (list, tuple)) or not input_data:
        raise errors.ConfigurationError(
            "input_data must be a string or a non-empty list of input items "
            '(e.g. [{"role": "user", "content": "Hello"}])'
        )
    items: list[dict[str, Any]] = []
    for i, item in enumerate(input_data):
        if hasattr(item, "model_dump"):  # an output item of an earlier response, replayed
            item = item.model_dump(exclude_none=True)
        if not isinstance(item, dict):
            raise errors.ConfigurationError(f"input_data[{i}] is a {type(item).__name__}; input items are dicts")
        items.append(item)
    return items


def _tools(tools: Any) -> list[dict[str, Any]]:
    """Callables and chat-completions tool dicts → Responses function tools; Responses tools pass."""
    from any_llm.tools import callable_to_tool

    if not isinstance(tools, (list, tuple)):
        raise errors.ConfigurationError(f"tools must be a list, got {type(tools).__name__}")
    out: list[dict[str, Any]] = []
    for i, tool in enumerate(tools):
        if callable(tool) and not isinstance(tool, dict):
            tool = callable_to_tool(tool)
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            raise errors.ConfigurationError(f"tools[{i}] must be a callable or a tool dict with a 'type'")
        fn = tool.get("function")
        if tool["type"] == "function" and isinstance(fn, dict):
            # chat-completions shape (callables come as that too): flatten. The Responses API defaults
            # to strict schemas, which optional parameters break: not strict unless the tool says so.
            tool = {"type": "function", "strict": False, **fn}
        if tool["type"] == "function" and not tool.get("name"):
            raise errors.ConfigurationError(f"tools[{i}] is a function tool without a name")
        out.append(tool)
    return out


def _tool_choice(choice: Any) -> Any:
    if isinstance(choice, dict) and choice.get("type") == "function" and isinstance(choice.get("function"), dict):
        return {"type": "function", "name": choice["function"].get("name")}
    if not isinstance(choice, (str, dict)):
        raise errors.ConfigurationError(f'tool_choice must be "auto", "none", "required" or a dict, got {choice!r}')
    return choice


def _text_format(wire: dict[str, Any] | None) -> dict[str, Any]:
    """A chat ``response_format`` → the Responses ``text.format`` (flat json_schema)."""
    if wire is None or wire.get("type") != "json_schema":
        return dict(wire or {"type": "text"})
    spec = wire["json_schema"]
    return {"type": "json_schema", **spec}


# -- the plan -------------------------------------------------------------------------------------


def plan(provider: Provider, model: str, input_data: Any, kwargs: dict[str, Any]) -> Plan:
    """The plan for ``responses()`` on ``provider`` (``kwargs`` without the per-call options, which core
    applies to the request: ``extra_body`` is merged into whichever body is sent). Pure: refusals raise here."""
    from any_llm.params import check_request

    args = {k: v for k, v in kwargs.items() if v is not None}
    body, output_type = build_body(model, input_data, args)
    if provider.supports_responses_native:
        if not provider.responses_keeps_state:
            refuse_state(body, provider.name, "keeps no state (its Responses API is stateless)")
        request = provider.build_responses_request(body)
        name = provider.name
        return Plan(
            request,
            lambda raw: parse_response(provider.parse_responses(raw), output_type, name),
            parser=provider.responses_stream_parser,
        )
    params = body_to_params(body, provider.name)
    check_request(provider, params)
    request = provider.build_completion_request(params)

    def finish(raw: bytes) -> Any:
        completion = provider.parse_completion(raw, params)
        return completion_to_response(completion, body, output_type, provider.name)

    return Plan(
        request,
        finish,
        parser=lambda: provider.stream_parser(params),
        translator=lambda: ResponsesTranslator(body),
    )


def refuse_state(body: dict[str, Any], provider: str, why: str) -> None:
    """Raise UnsupportedParameterError for the first parameter of ``body`` that needs server-side state."""
    for name in STATEFUL:
        value = body.get(name)
        if value is None or (name in ("store", "background") and value is False):
            continue
        raise errors.UnsupportedParameterError(
            name,
            provider,
            f"it needs state kept on the provider's servers, and {provider} {why}: "
            "send the whole conversation in input_data instead",
        )


# -- translation: body → chat completions -------------------------------------------------------------


def body_to_params(body: dict[str, Any], provider: str) -> CompletionParams:
    """The chat-completions request equivalent to a ``/responses`` body; refuses what it cannot carry."""
    from any_llm.params import build_params

    refuse = errors.UnsupportedParameterError
    rest = dict(body)
    model = rest.pop("model")
    refuse_state(rest, provider, "has no native Responses API (anyllm translates over chat completions)")
    for name in STATEFUL:
        rest.pop(name, None)
    for name in NATIVE_ONLY:
        value = rest.pop(name, None)
        if value is None or value == [] or (name == "truncation" and value == "disabled"):
            continue
        raise refuse(name, provider, f"it is a Responses-only setting and {provider} has no native Responses API")
    for name in _ECHOED:
        rest.pop(name, None)
    messages: list[dict[str, Any]] = []
    instructions = rest.pop("instructions", None)
    if instructions is not None:
        if not isinstance(instructions, str):
            raise errors.ConfigurationError("instructions must be a string")
        messages.append({"role": "system", "content": instructions})
    messages.extend(_input_to_messages(rest.pop("input"), provider))
    args: dict[str, Any] = {}
    for name in _SAME_NAME:
        if name in rest:
            args[name] = rest.pop(name)
    if "max_output_tokens" in rest:
        args["max_tokens"] = rest.pop("max_output_tokens")
    tools = rest.pop("tools", None)
    if tools is not None:
        args["tools"] = [_chat_tool(t, provider) for t in tools]
    choice = rest.pop("tool_choice", None)
    if choice is not None:
        args["tool_choice"] = _chat_tool_choice(choice, provider)
    reasoning = rest.pop("reasoning", None)
    if reasoning is not None:
        if not isinstance(reasoning, dict):
            raise errors.ConfigurationError('reasoning must be a dict like {"effort": "low"}')
        if reasoning.get("effort") is not None:
            args["reasoning_effort"] = reasoning["effort"]
    text = rest.pop("text", None)
    if text is not None:
        if not isinstance(text, dict):
            raise errors.ConfigurationError('text must be a dict like {"format": {"type": "json_schema", ...}}')
        if text.get("verbosity") is not None:
            raise refuse("text.verbosity", provider, "chat completions on this provider has no verbosity setting")
        fmt = text.get("format")
        if fmt is not None and fmt.get("type") != "text":
            args["response_format"] = _chat_response_format(fmt)
    return build_params(model, messages, args, rest)


def _input_to_messages(items: Any, provider: str) -> list[dict[str, Any]]:
    if isinstance(items, str):
        return [{"role": "user", "content": items}]
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        kind = item.get("type", "message" if "role" in item else None)
        if kind == "message":
            role = item.get("role")
            if role not in ("user", "system", "developer", "assistant"):
                raise errors.ConfigurationError(f"input_data[{i}] has role {role!r}; use user, system or assistant")
            out.append(_message(item, role, i, provider))
        elif kind == "function_call":
            call = {
                "id": item.get("call_id") or item.get("id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"},
            }
            last = out[-1] if out else None
            if last is not None and last["role"] == "assistant":
                last.setdefault("tool_calls", []).append(call)
            else:
                out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            if isinstance(output, list):  # input_text parts
                output = "".join(p.get("text", "") for p in output if isinstance(p, dict))
            out.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": output})
        elif kind == "reasoning":
            continue  # chat completions takes no earlier thoughts back (see the module docstring)
        else:
            raise errors.UnsupportedParameterError(
                f"input_data[{i}] of type {kind!r}",
                provider,
                "only messages, function_call and function_call_output items translate to chat completions",
            )
    return out


def _message(item: dict[str, Any], role: str, i: int, provider: str) -> dict[str, Any]:
    content = item.get("content")
    if isinstance(content, str) or content is None:
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise errors.ConfigurationError(f"input_data[{i}].content must be a string or a list of parts")
    if role == "assistant":
        text = "".join(p.get("text", "") for p in content if p.get("type") in ("output_text", "input_text"))
        msg: dict[str, Any] = {"role": "assistant", "content": text}
        refusal = "".join(p.get("refusal", "") for p in content if p.get("type") == "refusal")
        if refusal:
            msg["refusal"] = refusal
        return msg
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        elif kind == "input_image" and part.get("image_url"):
            image: dict[str, Any] = {"url": part["image_url"]}
            if part.get("detail"):
                image["detail"] = part["detail"]
            parts.append({"type": "image_url", "image_url": image})
        elif kind == "input_file" and part.get("file_data"):
            file = {"file_data": part["file_data"], **({"filename": part["filename"]} if "filename" in part else {})}
            parts.append({"type": "file", "file": file})
        else:
            raise errors.UnsupportedParameterError(
                f"input_data[{i}] content part {kind!r}",
                provider,
                "translated providers take input_text, input_image with image_url, and input_file with file_data",
            )
    return {"role": role, "content": parts}


def _chat_tool(tool: dict[str, Any], provider: str) -> dict[str, Any]:
    if tool.get("type") != "function":
        raise errors.UnsupportedParameterError(
            f"tools ({tool.get('type')!r})",
            provider,
            "built-in tools run on OpenAI's servers; only function tools translate to chat completions",
        )
    fn = {k: v for k, v in tool.items() if k != "type" and not (k == "strict" and v is False)}
    return {"type": "function", "function": fn}


def _chat_tool_choice(choice: Any, provider: str) -> Any:
    if isinstance(choice, str):
        return choice
    if choice.get("type") == "function" and choice.get("name"):
        return {"type": "function", "function": {"name": choice["name"]}}
    raise errors.UnsupportedParameterError(
        f"tool_choice {choice!r}", provider, "use auto, none, required or a function"
    )


def _chat_response_format(fmt: dict[str, Any]) -> dict[str, Any]:
    if fmt.get("type") == "json_schema":
        spec = {k: v for k, v in fmt.items() if k != "type"}
        return {"type": "json_schema", "json_schema": spec}
    return dict(fmt)


# -- translation: chat completion → Response --------------------------------------------------------


def _echo(body: dict[str, Any]) -> dict[str, Any]:
    """The request settings a Response repeats back (those given, and the defaults the API reports)."""
    text = body.get("text") or {}
    out: dict[str, Any] = {
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "text": {**text, "format": text.get("format") or {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "metadata": body.get("metadata") or {},
        "store": False,
        "instructions": body.get("instructions"),
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
    }
    for name in ("max_output_tokens", "reasoning", "user"):
        if body.get(name) is not None:
            out[name] = body[name]
    return out


_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def _usage(usage: Any) -> dict[str, Any] | None:
    if usage is None:
        return None
    cached = getattr(usage.prompt_tokens_details, "cached_tokens", None) or 0
    reasoning = getattr(usage.completion_tokens_details, "reasoning_tokens", None) or 0
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": usage.total_tokens or usage.prompt_tokens + usage.completion_tokens,
    }


def _status(finish: str | None) -> tuple[str, dict[str, Any] | None]:
    reason = _INCOMPLETE.get(finish or "")
    return ("incomplete", {"reason": reason}) if reason else ("completed", None)


def completion_to_response(
    completion: ChatCompletion, body: dict[str, Any], output_type: type | None, provider: str
) -> Response:
    """A chat completion as the Response the Responses API would have given (parsed when asked)."""
    from any_llm.types.responses import Response

    if output_type is not None:
        from any_llm.structured import parse_structured

        completion = parse_structured(completion, output_type, provider)
    choice = completion.choices[0] if completion.choices else None
    output: list[dict[str, Any]] = []
    base = completion.id
    status, incomplete = _status(choice.finish_reason if choice else None)
    if choice is not None:
        message = choice.message
        if message.reasoning is not None and message.reasoning.content:
            output.append(
                {
                    "type": "reasoning",
                    "id": f"rs_{base}",
                    "summary": [],
                    "content": [{"type": "reasoning_text", "text": message.reasoning.content}],
                }
            )
        parts: list[dict[str, Any]] = []
        if message.content:
            parts.append({"type": "output_text", "text": message.content, "annotations": [], "logprobs": []})
        if message.refusal:
            parts.append({"type": "refusal", "refusal": message.refusal})
        if parts:
            output.append(
                {"type": "message", "id": f"msg_{base}", "role": "assistant", "status": status, "content": parts}
            )
        for call in message.tool_calls or ():
            output.append(
                {
                    "type": "function_call",
                    "id": f"fc_{call.id}",
                    "call_id": call.id,
                    "name": call.function.name,
                    "arguments": call.function.arguments,
                    "status": "completed",
                }
            )
    data: dict[str, Any] = {
        "id": f"resp_{base}",
        "object": "response",
        "created_at": completion.created,
        "status": status,
        "error": None,
        "incomplete_details": incomplete,
        "model": completion.model,
        "output": output,
        **_echo(body),
    }
    if completion.usage is not None:
        data["usage"] = _usage(completion.usage)
    if output_type is None:
        return Response.model_validate(data)
    from any_llm.types.responses import ParsedResponse

    parsed: ParsedResponse[Any] = ParsedResponse.model_validate(data)
    if choice is not None:
        parsed.output_parsed = getattr(choice.message, "parsed", None)
    return parsed


# -- native: parse what a /responses endpoint sends -------------------------------------------------


def parse_response(response: Response, output_type: type | None, provider: str) -> Response:
    """A native Response, with ``output_parsed`` filled when a type was asked for."""
    if output_type is None:
        return response
    from pydantic import TypeAdapter, ValidationError

    from any_llm.types.responses import ParsedResponse

    details = response.incomplete_details or {}
    if response.status == "incomplete" and details.get("reason") == "max_output_tokens":
        raise errors.LengthFinishReasonError(
            "the answer was cut at the token limit, so its JSON is incomplete; raise max_output_tokens",
            provider=provider,
        )
    parsed: ParsedResponse[Any] = ParsedResponse.model_validate(response.model_dump(exclude_unset=True))
    text = response.output_text
    if text:
        try:
            parsed.output_parsed = TypeAdapter(output_type).validate_json(text)
        except ValidationError as exc:
            raise errors.StructuredOutputError(
                f"the answer is not valid {output_type.__name__} JSON ({exc.error_count()} errors); "
                f"raw content: {text[:500]!r}",
                raw=text,
                provider=provider,
            ) from None
    return parsed


def parse_responses_body(body: bytes, provider: str) -> Response:
    """A ``/responses`` body as a :class:`Response` (typed error for a wrong shape)."""
    from any_llm.types.responses import Response

    data = loads_object(body, provider, "a response")
    try:
        return Response.model_validate(data)
    except SHAPE_ERRORS as exc:
        raise shape_error(provider, exc, "a response", body) from None


_TERMINAL = frozenset({"response.completed", "response.failed", "response.incomplete", "error"})


class ResponsesStreamParser(StreamParser):
    """A native ``/responses`` SSE stream → typed events; done at the terminal event."""

    def __init__(self, provider: str) -> None:
        self.done = False
        self.provider = provider

    def feed(self, event: StreamEvent) -> Iterable[Any]:
        from any_llm.types.responses import parse_stream_event

        data = loads_object(event.data, self.provider, "a stream event")
        try:
            parsed = parse_stream_event(data)
        except SHAPE_ERRORS as exc:
            raise shape_error(self.provider, exc, "a stream event", event.data) from None
        if parsed.type in _TERMINAL:
            self.done = True
        return (parsed,)

    def finish(self) -> Iterable[Any]:
        return ()  # a stream cut before its terminal event: core raises APIConnectionError (may_end)


# -- translation: completion stream → Response events ---------------------------------------------------


class ResponsesTranslator(Translator):
    """Chat-completion chunks → the Responses event sequence.

    ``response.created`` and ``response.in_progress`` open the stream; each output item (reasoning,
    message, function call) is announced with ``output_item.added``, filled by deltas and closed with
    its ``*.done`` events and ``output_item.done``; ``response.completed`` (or ``response.incomplete``
    when the answer was cut) carries the whole Response with usage.
    """

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body
        self._seq = 0
        self._id = ""
        self._created = 0
        self._model = str(body.get("model", ""))
        self._started = False
        self._items: list[dict[str, Any]] = []  # output items in order, as dicts being built
        self._open: dict[int, dict[str, Any]] = {}  # output_index -> item still open
        self._text_item: int | None = None
        self._reasoning_item: int | None = None
        self._calls: dict[int, int] = {}  # chunk tool-call index -> output_index
        self._finish: str | None = None
        self._usage: Any = None

    def _event(self, cls: Any, **fields: Any) -> Any:
        fields.setdefault("type", cls.model_fields["type"].default)  # set, so exclude_unset dumps keep it
        event = cls(sequence_number=self._seq, **fields)
        self._seq += 1
        return event

    def _response(self, status: str, incomplete: dict[str, Any] | None = None) -> Response:
        from any_llm.types.responses import Response

        data: dict[str, Any] = {
            "id": self._id,
            "object": "response",
            "created_at": self._created,
            "status": status,
            "error": None,
            "incomplete_details": incomplete,
            "model": self._model,
            "output": [dict(i) for i in self._items] if status != "in_progress" else [],
            **_echo(self._body),
        }
        if status != "in_progress" and self._usage is not None:  # unknown usage: the key is left out, not null
            data["usage"] = _usage(self._usage)
        return Response.model_validate(data)

    def feed(self, chunk: ChatCompletionChunk) -> list[Any]:
        from any_llm.types import responses as t

        out: list[Any] = []
        if not self._started:
            self._started = True
            self._id = f"resp_{chunk.id}"
            self._created = chunk.created
            self._model = chunk.model or self._model
            out.append(self._event(t.ResponseCreatedEvent, response=self._response("in_progress")))
            out.append(self._event(t.ResponseInProgressEvent, response=self._response("in_progress")))
        if chunk.usage is not None:
            self._usage = chunk.usage
        for choice in chunk.choices[:1]:
            delta = choice.delta
            if delta.reasoning is not None and delta.reasoning.content:
                out += self._reasoning_delta(delta.reasoning.content)
            if delta.content:
                out += self._text_delta(delta.content)
            if delta.refusal:
                out += self._text_delta(delta.refusal, refusal=True)
            for call in delta.tool_calls or ():
                out += self._call_delta(call)
            if choice.finish_reason:
                self._finish = choice.finish_reason
        return out

    def _add(self, item: dict[str, Any]) -> tuple[int, Any]:
        from any_llm.types import responses as t

        index = len(self._items)
        self._items.append(item)
        self._open[index] = item
        return index, self._event(t.ResponseOutputItemAddedEvent, output_index=index, item=dict(item))

    def _reasoning_delta(self, text: str) -> list[Any]:
        from any_llm.types import responses as t

        out: list[Any] = []
        if self._reasoning_item is None or self._reasoning_item not in self._open:
            out += self._close_text()
            item: dict[str, Any] = {"type": "reasoning", "id": f"rs_{self._id}_{len(self._items)}", "summary": []}
            self._reasoning_item, added = self._add(item)
            item["content"] = [{"type": "reasoning_text", "text": ""}]
            out.append(added)
        index = self._reasoning_item
        item = self._items[index]
        item["content"][0]["text"] += text
        out.append(
            self._event(
                t.ResponseReasoningTextDeltaEvent, item_id=item["id"], output_index=index, content_index=0, delta=text
            )
        )
        return out

    def _text_delta(self, text: str, refusal: bool = False) -> list[Any]:
        from any_llm.types import responses as t

        out: list[Any] = []
        if self._text_item is None or self._text_item not in self._open:
            out += self._close_reasoning()
            item: dict[str, Any] = {
                "type": "message",
                "id": f"msg_{self._id}_{len(self._items)}",
                "role": "assistant",
                "status": "in_progress",
                "content": [],
            }
            self._text_item, added = self._add(item)
            out.append(added)
        index = self._text_item
        item = self._items[index]
        kind = "refusal" if refusal else "output_text"
        parts: list[dict[str, Any]] = item["content"]
        if not parts or parts[-1]["type"] != kind:
            part: dict[str, Any] = (
                {"type": "refusal", "refusal": ""}
                if refusal
                else {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            )
            parts.append(part)
            out.append(
                self._event(
                    t.ResponseContentPartAddedEvent,
                    item_id=item["id"],
                    output_index=index,
                    content_index=len(parts) - 1,
                    part=dict(part),
                )
            )
        part = parts[-1]
        if refusal:
            part["refusal"] += text
            out.append(
                self._event(
                    t.ResponseStreamEventOther,
                    type="response.refusal.delta",
                    item_id=item["id"],
                    output_index=index,
                    content_index=len(parts) - 1,
                    delta=text,
                )
            )
        else:
            part["text"] += text
            out.append(
                self._event(
                    t.ResponseTextDeltaEvent,
                    item_id=item["id"],
                    output_index=index,
                    content_index=len(parts) - 1,
                    delta=text,
                    logprobs=[],
                )
            )
        return out

    def _call_delta(self, call: Any) -> list[Any]:
        from any_llm.types import responses as t

        out: list[Any] = []
        index = self._calls.get(call.index)
        fn = call.function
        if index is None:
            out += self._close_text() + self._close_reasoning()
            call_id = call.id or f"call_{len(self._items)}"
            item: dict[str, Any] = {
                "type": "function_call",
                "id": f"fc_{call_id}",
                "call_id": call_id,
                "name": (fn.name if fn else None) or "",
                "arguments": "",
                "status": "in_progress",
            }
            index, added = self._add(item)
            self._calls[call.index] = index
            out.append(added)
        item = self._items[index]
        if fn is not None and fn.arguments:
            item["arguments"] += fn.arguments
            out.append(
                self._event(
                    t.ResponseFunctionCallArgumentsDeltaEvent,
                    item_id=item["id"],
                    output_index=index,
                    delta=fn.arguments,
                )
            )
        return out

    def _close(self, index: int | None) -> list[Any]:
        from any_llm.types import responses as t

        if index is None or index not in self._open:
            return []
        item = self._open.pop(index)
        out: list[Any] = []
        if item["type"] == "message":
            for n, part in enumerate(item["content"]):
                if part["type"] == "output_text":
                    out.append(
                        self._event(
                            t.ResponseTextDoneEvent,
                            item_id=item["id"],
                            output_index=index,
                            content_index=n,
                            text=part["text"],
                            logprobs=[],
                        )
                    )
                out.append(
                    self._event(
                        t.ResponseContentPartDoneEvent,
                        item_id=item["id"],
                        output_index=index,
                        content_index=n,
                        part=dict(part),
                    )
                )
            item["status"] = "incomplete" if self._finish in _INCOMPLETE else "completed"
        elif item["type"] == "reasoning":
            out.append(
                self._event(
                    t.ResponseReasoningTextDoneEvent,
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    text=item["content"][0]["text"],
                )
            )
        elif item["type"] == "function_call":
            out.append(
                self._event(
                    t.ResponseFunctionCallArgumentsDoneEvent,
                    item_id=item["id"],
                    output_index=index,
                    name=item["name"],
                    arguments=item["arguments"],
                )
            )
            item["status"] = "completed"
        out.append(self._event(t.ResponseOutputItemDoneEvent, output_index=index, item=dict(item)))
        return out

    def _close_text(self) -> list[Any]:
        return self._close(self._text_item)

    def _close_reasoning(self) -> list[Any]:
        return self._close(self._reasoning_item)

    def finish(self) -> list[Any]:
        from any_llm.types import responses as t

        if not self._started:
            raise errors.ResponseValidationError("the stream ended without any chunk")
        out: list[Any] = []
        for index in sorted(self._open):
            out += self._close(index)
        status, incomplete = _status(self._finish)
        response = self._response(status, incomplete)
        cls = t.ResponseIncompleteEvent if status == "incomplete" else t.ResponseCompletedEvent
        out.append(self._event(cls, response=response))
        return out
