"""Cohere's Chat API v2 (``POST /v2/chat``), ``/v2/embed`` and ``/v1/models`` translated both ways, no I/O.

Wire format from Cohere's public v2 docs (https://docs.cohere.com/reference/chat,
https://docs.cohere.com/docs/streaming, https://docs.cohere.com/docs/tool-use-streaming) and the
types of cohere-ai/cohere-python (``src/cohere/types/``, ``src/cohere/v2/types/``). Messages and
tools are close to OpenAI's; the differences handled here: ``p`` for ``top_p``, ``stop_sequences``,
``tool_plan`` next to tool calls, ``REQUIRED``/``NONE`` tool choice, ``response_format`` carrying
``json_schema`` inside ``json_object``, ``thinking`` for reasoning, content as typed blocks, and
typed SSE events (``message-start`` … ``message-end``) for streams.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from pydantic import ValidationError

from any_llm import errors
from any_llm.families.openai_wire import parse_rerank_json
from any_llm.families.params import RerankParams
from any_llm.provider import CompletionParams, HTTPRequest, Provider, StreamEvent, StreamParser
from any_llm.types.completion import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionTokenLogprob,
    Choice,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    ChoiceLogprobs,
    ChunkChoice,
    CompletionUsage,
    FinishReason,
    Function,
    PromptTokensDetails,
    Reasoning,
)
from any_llm.types.embedding import CreateEmbeddingResponse, Embedding, Usage
from any_llm.types.model import Model
from any_llm.types.rerank import RerankResponse
from any_llm.wire import errors_from_status, invalid_body, loads_object

__all__ = ["THINKING_BUDGETS", "CohereProvider", "CohereStreamParser"]

THINKING_BUDGETS = {"minimal": 256, "low": 1024, "medium": 8192, "high": 24576, "xhigh": 32000}
"""reasoning_effort → ``thinking.token_budget`` (Command A Reasoning thinks up to 32K tokens)."""

_FINISH: dict[str, FinishReason] = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
}
_FAILED = ("ERROR", "TIMEOUT")


class CohereProvider(Provider):
    """api.cohere.com through the Chat API v2 (Bearer key)."""

    name = "cohere"
    max_choices = 1
    single_token_limit = True
    tool_choices = frozenset({"auto", "none", "required"})
    display_name = "Cohere"
    api_key_env = ("COHERE_API_KEY", "CO_API_KEY")
    api_base_env = ("COHERE_BASE_URL", "CO_API_URL")
    default_api_base = "https://api.cohere.com"
    docs_url = "https://docs.cohere.com/reference/chat"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True
    supports_rerank = True
    unsupported_params: ClassVar[frozenset[str]] = frozenset(
        {"logit_bias", "parallel_tool_calls", "user", "top_logprobs", "service_tier", "prompt_cache_key"}
    )

    def __init__(self, api_key: str | None = None, api_base: str | None = None) -> None:
        super().__init__(api_key, api_base)
        # Paths carry their version (v2/chat, v1/models): a base ending in /v1 or /v2 would double it.
        self.api_base = re.sub(r"/v[12]$", "", self.api_base)

    # -- requests -----------------------------------------------------------------------------

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        forced = forced_tool(params.tool_choice)  # core checked the value; the name must be one of the tools
        if forced is not None and forced not in (_tool_name(tool) for tool in params.tools or ()):
            raise errors.ConfigurationError(f"tool_choice names {forced!r}, which is not one of the tools")

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        return HTTPRequest("POST", "v2/chat", json=self.build_body(params), stream=bool(params.stream))

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        """The ``/v2/chat`` body; caller kwargs (``safety_mode``, ``documents``, ``k`` ...) are merged last."""
        body: dict[str, Any] = {
            "model": params.model,
            "messages": convert_messages(params.messages, self.name),
            "stream": bool(params.stream),
        }
        # Cohere has no named tool choice: forcing one tool is that tool alone with tool_choice REQUIRED.
        forced = forced_tool(params.tool_choice)
        tools = [t for t in params.tools or () if forced is None or _tool_name(t) == forced]
        if tools:
            body["tools"] = [convert_tool(tool, self.name) for tool in tools]
            if any((tool.get("function") or {}).get("strict") for tool in tools):
                body["strict_tools"] = True
        if forced is not None:
            body["tool_choice"] = "REQUIRED"
        elif params.tool_choice in ("none", "required"):
            body["tool_choice"] = params.tool_choice.upper()
        for ours, theirs in (
            ("temperature", "temperature"),
            ("top_p", "p"),
            ("seed", "seed"),
            ("frequency_penalty", "frequency_penalty"),
            ("presence_penalty", "presence_penalty"),
            ("logprobs", "logprobs"),
        ):
            value = getattr(params, ours)
            if value is not None:
                body[theirs] = value
        limit = params.output_limit
        if limit is not None:
            body["max_tokens"] = limit
        if params.stop is not None:
            body["stop_sequences"] = params.stop_sequences
        fmt = convert_response_format(params.response_format)
        if fmt is not None:
            body["response_format"] = fmt
        effort = params.reasoning_effort
        if effort == "none":
            body["thinking"] = {"type": "disabled"}
        elif effort is not None and effort != "auto":
            body["thinking"] = {"type": "enabled", "token_budget": THINKING_BUDGETS[effort]}
        body.update(params.extra)
        return body

    # -- responses ----------------------------------------------------------------------------

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        data = loads_object(body, self.name)
        message = data.get("message")
        if not isinstance(message, dict):
            raise invalid_body(self.name, "no 'message' object in the chat response", body)
        finish = data.get("finish_reason")
        if finish in _FAILED:
            raise _failed(self.name, finish, data.get("error"), body)
        try:
            text, thinking = _content_text(message.get("content"))
            calls = [
                ChatCompletionMessageFunctionToolCall(id=call_id, function=Function(name=name, arguments=args))
                for call_id, name, args in _tool_calls(message.get("tool_calls"))
            ]
        except (TypeError, ValueError) as exc:
            raise invalid_body(self.name, str(exc), body) from None
        plan = message.get("tool_plan")
        content: str | None = text
        if calls and not text:
            content = plan or None
        extra = {"citations": message["citations"]} if message.get("citations") else {}
        return ChatCompletion(
            id=str(data.get("id") or _completion_id()),
            created=int(time.time()),
            model=params.model,
            choices=[
                Choice(
                    index=0,
                    message=ChatCompletionMessage(
                        content=content,
                        tool_calls=calls or None,
                        reasoning=Reasoning(content=thinking) if thinking else None,
                        **extra,
                    ),
                    finish_reason=finish_reason(finish, bool(calls)),
                    logprobs=_logprobs(data.get("logprobs"), self.name),
                )
            ],
            usage=usage_from(data.get("usage")),
        )

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return CohereStreamParser(self.name, params.model)

    # -- errors -------------------------------------------------------------------------------

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        message, code = self.error_details(body)
        # 498 is Cohere's "invalid token": an authentication failure.
        status = 401 if status_code == 498 else status_code
        err = errors_from_status(self.name, status, headers, body, message or f"HTTP {status_code}", code)
        err.status_code = status_code
        return err

    # -- rerank -------------------------------------------------------------------------------

    def build_rerank_request(self, params: RerankParams) -> HTTPRequest:
        """``POST /v2/rerank`` (https://docs.cohere.com/reference/rerank): documents as strings;
        ``top_n`` and ``max_tokens_per_doc`` are Cohere's own field names."""
        body: dict[str, Any] = {"model": params.model, "query": params.query, "documents": params.documents}
        if params.top_n is not None:
            body["top_n"] = params.top_n
        if params.max_tokens_per_doc is not None:
            body["max_tokens_per_doc"] = params.max_tokens_per_doc
        body.update(params.extra)
        return HTTPRequest("POST", "v2/rerank", json=body)

    def parse_rerank(self, body: bytes, params: RerankParams) -> RerankResponse:
        return parse_rerank_json(body, self.name, params.documents)

    # -- embeddings and models ----------------------------------------------------------------

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        """``input_type`` defaults to ``search_document`` and ``embedding_types`` to float; kwargs override."""
        body: dict[str, Any] = {
            "model": model,
            "texts": inputs,
            "input_type": "search_document",
            "embedding_types": ["float"],
        }
        body.update(extra)
        return HTTPRequest("POST", "v2/embed", json=body)

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        data = loads_object(body, self.name)
        by_type = data.get("embeddings")
        if not isinstance(by_type, dict):
            raise invalid_body(self.name, "no 'embeddings' object in the embed response", body)
        vectors = next(
            (by_type[k] for k in ("float", "int8", "uint8", "binary", "ubinary") if isinstance(by_type.get(k), list)),
            None,
        )
        if vectors is None:
            raise invalid_body(self.name, "no numeric embeddings; ask for embedding_types including 'float'", body)
        meta = _dict(data.get("meta"))
        tokens = _count(_dict(meta.get("tokens")).get("input_tokens"))
        if not tokens:
            tokens = _count(_dict(meta.get("billed_units")).get("input_tokens"))
        try:
            return CreateEmbeddingResponse(
                data=[Embedding(embedding=vector, index=i) for i, vector in enumerate(vectors)],
                model=model,
                usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
            )
        except ValidationError as exc:
            raise invalid_body(self.name, f"bad embedding vector ({exc.errors()[0]['msg']})", body) from None

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        """Pages of 1000 models (Cohere's default page is 20), followed to the end; kwargs become query parameters."""
        query = {"page_size": "1000", **{k: _query_value(v) for k, v in extra.items()}}
        return HTTPRequest("GET", "v1/models", params=query)

    def next_list_models_request(self, previous: HTTPRequest, body: bytes) -> HTTPRequest | None:
        """Pages chain by ``next_page_token`` → ``page_token``."""
        from any_llm.families.pages import next_page

        token = loads_object(body, self.name).get("next_page_token")
        return next_page(previous, page_token=token) if isinstance(token, str) and token else None

    def parse_list_models(self, body: bytes) -> list[Model]:
        data = loads_object(body, self.name)
        items = data.get("models")
        if not isinstance(items, list):
            raise invalid_body(self.name, "no 'models' array in the model list", body)
        out = []
        for item in items:
            if not isinstance(item, dict) or not item.get("name"):
                raise invalid_body(self.name, "a model entry has no name", body)
            extra = {k: v for k, v in item.items() if k != "name"}
            out.append(Model(id=str(item["name"]), owned_by="cohere", **extra))
        return out


# -- requests: pure helpers ---------------------------------------------------------------------


def forced_tool(tool_choice: Any) -> str | None:
    """The tool name an OpenAI ``{"type": "function", "function": {"name": ...}}`` choice forces, else None."""
    if not isinstance(tool_choice, dict) or tool_choice.get("type") != "function":
        return None
    name = (tool_choice.get("function") or {}).get("name")
    return name if isinstance(name, str) and name else None


def _tool_name(tool: dict[str, Any]) -> Any:
    return (tool.get("function") or {}).get("name")


def convert_tool(tool: dict[str, Any], provider: str) -> dict[str, Any]:
    """OpenAI function tool → Cohere v2 tool (same shape, without OpenAI's per-tool ``strict``)."""
    from any_llm.tools import function_of

    return {"type": "function", "function": function_of(tool, provider)}


def convert_response_format(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """OpenAI ``response_format`` → v2's ``{"type": "json_object", "json_schema": {...}}`` (or text)."""
    if not response_format:
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        return {"type": "json_object", "json_schema": response_format["json_schema"]["schema"]}
    if kind == "json_object":
        return {"type": "json_object"}
    return {"type": "text"}


def convert_messages(messages: list[dict[str, Any]], provider: str) -> list[dict[str, Any]]:
    """OpenAI messages → v2 messages. Assistant text next to tool calls travels as ``tool_plan``."""
    out: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        role = message["role"]
        content = message.get("content")
        if role in ("system", "developer"):
            out.append({"role": "system", "content": _text_content(content, provider, i)})
        elif role == "user":
            out.append({"role": "user", "content": _user_content(content, provider, i)})
        elif role == "assistant":
            text = _joined_text(content, provider, i)
            item: dict[str, Any] = {"role": "assistant"}
            calls = [_tool_call(call, i) for call in message.get("tool_calls") or ()]
            if calls:
                if text:
                    item["tool_plan"] = text
                item["tool_calls"] = calls
            else:
                item["content"] = text
            out.append(item)
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if not call_id:
                raise errors.ConfigurationError(f"messages[{i}]: a tool message needs the tool_call_id it answers")
            out.append({"role": "tool", "tool_call_id": call_id, "content": _text_content(content, provider, i)})
        else:
            raise errors.UnsupportedParameterError(
                "messages", provider, f"messages[{i}]: the legacy 'function' role is not supported; use 'tool'"
            )
    return out


def _tool_call(call: dict[str, Any], index: int) -> dict[str, Any]:
    fn = call.get("function") or {}
    arguments = fn.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments if arguments is not None else {})
    if not call.get("id"):
        raise errors.ConfigurationError(f"messages[{index}]: every tool call needs its id")
    return {"id": call["id"], "type": "function", "function": {"name": fn.get("name", ""), "arguments": arguments}}


def _parts(content: Any, index: int) -> list[dict[str, Any]]:
    if not isinstance(content, list) or not all(isinstance(p, dict) for p in content):
        raise errors.ConfigurationError(f"messages[{index}].content must be a string or a list of parts")
    return content


def _text_content(content: Any, provider: str, index: int) -> str | list[dict[str, Any]]:
    """A string as is; a list of text parts as Cohere text blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    out = []
    for part in _parts(content, index):
        if part.get("type") != "text":
            raise errors.UnsupportedParameterError(
                "messages", provider, f"messages[{index}]: only text parts are allowed here, got {part.get('type')!r}"
            )
        out.append({"type": "text", "text": str(part.get("text", ""))})
    return out


def _joined_text(content: Any, provider: str, index: int) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    return "".join(
        str(part.get("text") or part.get("refusal") or "")
        for part in _parts(content, index)
        if part.get("type") in ("text", "refusal")
    )


def _user_content(content: Any, provider: str, index: int) -> str | list[dict[str, Any]]:
    """Text and ``image_url`` parts map one to one (Cohere takes data URIs and web URLs)."""
    if content is None or isinstance(content, str):
        return content or ""
    out: list[dict[str, Any]] = []
    for part in _parts(content, index):
        kind = part.get("type")
        if kind == "text":
            out.append({"type": "text", "text": str(part.get("text", ""))})
        elif kind == "image_url":
            ref = part.get("image_url")
            image = (
                {"url": ref}
                if isinstance(ref, str)
                else {k: v for k, v in (ref or {}).items() if k in ("url", "detail")}
            )
            if not image.get("url"):
                raise errors.ConfigurationError(f"messages[{index}]: image_url part without a url")
            out.append({"type": "image_url", "image_url": image})
        else:
            raise errors.UnsupportedParameterError(
                "messages", provider, f"messages[{index}]: content part type {kind!r} is not supported by Cohere"
            )
    return out


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- responses: pure helpers --------------------------------------------------------------------


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def _failed(provider: str, finish: Any, detail: Any, body: bytes) -> errors.AnyLLMError:
    """A 200 whose generation failed (finish_reason ERROR or TIMEOUT) is a provider error."""
    what = "timed out" if finish == "TIMEOUT" else "failed"
    message = f"the generation {what} on Cohere's side" + (f": {detail}" if detail else "")
    return errors.ProviderError(message, provider=provider, body=body.decode("utf-8", "replace"))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int:
    """Cohere reports token counts as numbers that may be floats (e.g. 5.0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value)


def _content_text(content: Any) -> tuple[str, str]:
    """(text, thinking) joined from v2 content blocks (or a plain string)."""
    if content is None:
        return "", ""
    if isinstance(content, str):
        return content, ""
    if not isinstance(content, list):
        raise TypeError("message.content is neither a list nor a string")
    text, thinking = [], []
    for block in content:
        if not isinstance(block, dict):
            raise TypeError("a content block is not an object")
        if block.get("type") == "text":
            text.append(str(block.get("text", "")))
        elif block.get("type") == "thinking":
            thinking.append(str(block.get("thinking", "")))
    return "".join(text), "".join(thinking)


def _tool_calls(raw: Any) -> list[tuple[str, str, str]]:
    if not raw:
        return []
    if not isinstance(raw, list):
        raise TypeError("tool_calls is not a list")
    out = []
    for call in raw:
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise TypeError("a tool call has no function name")
        args = fn.get("arguments")
        out.append(
            (
                str(call.get("id") or f"call_{uuid.uuid4().hex[:24]}"),
                fn["name"],
                args if isinstance(args, str) else json.dumps(args if args is not None else {}),
            )
        )
    return out


def finish_reason(value: Any, has_tool_calls: bool) -> FinishReason:
    """COMPLETE/STOP_SEQUENCE → stop, MAX_TOKENS → length, TOOL_CALL → tool_calls (only with calls)."""
    mapped = _FINISH.get(value, "stop") if isinstance(value, str) else "stop"
    if mapped == "tool_calls" and not has_tool_calls:
        return "stop"
    if has_tool_calls and mapped == "stop":
        return "tool_calls"
    return mapped


def usage_from(raw: Any) -> CompletionUsage | None:
    """``usage.tokens`` are the counts; ``billed_units`` rides along as an extra field on usage."""
    if not isinstance(raw, dict):
        return None
    tokens = _dict(raw.get("tokens"))
    billed = _dict(raw.get("billed_units"))
    prompt = _count(tokens.get("input_tokens")) or _count(billed.get("input_tokens"))
    completion = _count(tokens.get("output_tokens")) or _count(billed.get("output_tokens"))
    extra: dict[str, Any] = {"billed_units": billed} if billed else {}
    cached = raw.get("cached_tokens")
    return CompletionUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=_count(cached)) if cached is not None else None,
        **extra,
    )


def _logprob(item: Any) -> ChatCompletionTokenLogprob:
    """One Cohere logprob item (a text piece and its tokens) as one OpenAI entry: the sum is the piece's."""
    if not isinstance(item, dict):
        raise TypeError("a logprob item is not an object")
    values = item.get("logprobs") or []
    return ChatCompletionTokenLogprob(
        token=str(item.get("text") or ""), logprob=float(sum(values)), token_ids=item.get("token_ids")
    )


def _logprobs(raw: Any, provider: str) -> ChoiceLogprobs | None:
    if not raw:
        return None
    try:
        return ChoiceLogprobs(content=[_logprob(item) for item in raw])
    except (TypeError, ValueError) as exc:
        raise errors.ResponseValidationError(
            f"{provider} sent logprobs of an unexpected shape: {exc}", provider=provider
        ) from None


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class CohereStreamParser(StreamParser):
    """v2 SSE events → chunks. Tool-call arguments arrive in pieces (``tool-call-delta``);
    ``message-end`` carries the finish reason and usage and ends the stream."""

    __slots__ = ("_created", "_id", "_model", "_role_sent", "_tool_index", "_tools", "done", "provider")

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.done = False
        self._id = _completion_id()
        self._created = int(time.time())
        self._model = model
        self._role_sent = False
        self._tools: dict[int, int] = {}
        """Cohere's tool-call event index → our tool-call index."""
        self._tool_index = 0

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        data = loads_object(event.data, self.provider, "a stream event")
        if "type" not in data and ("message" in data or "error" in data):
            # not a chat event: an error object sent on the stream
            message = data.get("message") or data.get("error")
            raise errors_from_status(self.provider, 500, {}, event.data, str(message))
        kind = data.get("type") or event.event
        delta = ChoiceDelta()
        finish: FinishReason | None = None
        usage = None
        logprobs = None
        if kind == "message-start":
            if data.get("id"):
                self._id = str(data["id"])
        elif kind in ("content-start", "content-delta"):
            block = _dig(data, "delta", "message", "content")
            if isinstance(block, dict):
                if isinstance(block.get("text"), str) and block["text"]:
                    delta.content = block["text"]
                if isinstance(block.get("thinking"), str) and block["thinking"]:
                    delta.reasoning = Reasoning(content=block["thinking"])
            if data.get("logprobs"):
                logprobs = _logprobs([data["logprobs"]], self.provider)
        elif kind == "tool-plan-delta":
            plan = _dig(data, "delta", "message", "tool_plan")
            if isinstance(plan, str) and plan:
                delta.content = plan
        elif kind == "tool-call-start":
            call = _dig(data, "delta", "message", "tool_calls")
            if isinstance(call, list):  # one call per event, but tolerate a one-element list
                call = call[0] if call else None
            if not isinstance(call, dict):
                raise invalid_body(self.provider, "tool-call-start without a tool call", event.data)
            index = self._tools[_event_index(data)] = self._tool_index
            self._tool_index += 1
            fn = call.get("function") or {}
            delta.tool_calls = [
                ChoiceDeltaToolCall(
                    index=index,
                    id=str(call.get("id") or f"call_{uuid.uuid4().hex[:24]}"),
                    type="function",
                    function=ChoiceDeltaToolCallFunction(
                        name=fn.get("name") or "", arguments=fn.get("arguments") or ""
                    ),
                )
            ]
        elif kind == "tool-call-delta":
            piece = _dig(data, "delta", "message", "tool_calls", "function", "arguments")
            if isinstance(piece, str) and piece:
                index = self._tools.get(_event_index(data), max(self._tool_index - 1, 0))
                delta.tool_calls = [
                    ChoiceDeltaToolCall(index=index, function=ChoiceDeltaToolCallFunction(arguments=piece))
                ]
        elif kind == "message-end":
            end = _dict(data.get("delta"))
            reason = end.get("finish_reason")
            if end.get("error") or reason in _FAILED:
                raise _failed(self.provider, reason, end.get("error"), event.data)
            finish = finish_reason(reason, self._tool_index > 0)
            usage = usage_from(end.get("usage"))
            self.done = True
        if not self._role_sent and (
            kind == "message-start" or delta.content or delta.reasoning or delta.tool_calls or finish
        ):
            delta.role = "assistant"
            self._role_sent = True
        if delta.role is None and not (delta.content or delta.reasoning or delta.tool_calls or finish or logprobs):
            return ()  # content-end, tool-call-end, citations, debug: nothing for the caller
        return (
            ChatCompletionChunk(
                id=self._id,
                created=self._created,
                model=self._model,
                choices=[ChunkChoice(index=0, delta=delta, finish_reason=finish, logprobs=logprobs)],
                usage=usage,
            ),
        )


def _event_index(data: Mapping[str, Any]) -> int:
    index = data.get("index")
    return index if isinstance(index, int) else 0
