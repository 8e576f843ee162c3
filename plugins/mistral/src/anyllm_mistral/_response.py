"""Mistral response bodies, stream chunks and error bodies → our OpenAI-shaped types (pure functions).

Where Mistral differs from OpenAI on the way back:
- ``content`` may be a list of chunks: ``{"type": "thinking", "thinking": [TextChunk...]}`` carries the
  reasoning, ``{"type": "text"}`` chunks the answer. We return the text as a plain string and the
  thinking in ``message.reasoning`` (``delta.reasoning`` when streamed, where a delta switches from a
  chunk list during thinking to plain strings for the answer);
- ``function.arguments`` may be a JSON object instead of a string;
- streamed tool-call pieces may repeat their ``index`` (parallel calls all at 0), carry the placeholder
  id ``"null"``, or repeat the id and name; we renumber them the way OpenAI clients accumulate them;
- ``finish_reason`` adds ``model_length`` (the context is full: our ``length``) and ``error``;
- usage reports cached prompt tokens as ``num_cached_tokens`` or ``prompt_token(s)_details``;
- error bodies come as ``{"object": "error", "message": ..., "type": ..., "code": ...}`` where ``message``
  may itself be a validation ``{"detail": [...]}`` (as an object, a list or a JSON string), or as a bare
  FastAPI ``{"detail": [...]}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.openai_compat import OpenAIStreamParser
from any_llm.provider import StreamEvent
from any_llm.types.completion import ChatCompletionChunk
from any_llm.wire import errors_from_status

if TYPE_CHECKING:
    from anyllm_mistral import MistralProvider

__all__ = [
    "MistralStreamParser",
    "ToolCallNumbering",
    "chunk_needs_normalize",
    "error_details",
    "map_error",
    "normalize_chunk",
    "normalize_response",
]

_FINISH = {"model_length": "length"}
_CONTEXT_MARKERS = ("too large for model", "maximum context length")


def _body_text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


def _split_chunks(chunks: list[Any]) -> tuple[str | None, str, str | None]:
    """(text, thinking, signature) of a content chunk list; other chunk types (references) carry no text."""
    text: list[str] = []
    thinking: list[str] = []
    signature = None
    for chunk in chunks:
        if not isinstance(chunk, Mapping):
            continue
        kind = chunk.get("type")
        if kind == "text" and isinstance(chunk.get("text"), str):
            text.append(chunk["text"])
        elif kind == "thinking":
            for inner in chunk.get("thinking") or ():
                if isinstance(inner, Mapping) and isinstance(inner.get("text"), str):
                    thinking.append(inner["text"])
            if isinstance(chunk.get("signature"), str):
                signature = chunk["signature"]
    return ("".join(text) if text else None), "".join(thinking), signature


def _reasoning(thinking: str, signature: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"content": thinking}
    if signature:
        out["signature"] = signature  # kept so the turn can be replayed as Mistral sent it
    return out


def _finish_reason(value: Any, provider: str, payload: Any) -> Any:
    if type(value) is not str:
        return value  # None, or a wrong shape that validation reports
    if value == "error":
        raise errors.ProviderError(
            "Mistral stopped the generation with finish_reason 'error'",
            provider=provider,
            status_code=None,
            body=json.dumps(payload)[:2000],
        )
    return _FINISH.get(value, value)


def _fix_tool_call(call: dict[str, Any]) -> None:
    fn = call.get("function")
    if isinstance(fn, dict) and isinstance(fn.get("arguments"), Mapping):
        fn["arguments"] = json.dumps(fn["arguments"])


def normalize_usage(usage: Any) -> None:
    """Cached prompt tokens into ``prompt_tokens_details.cached_tokens``, whichever field Mistral used."""
    if not isinstance(usage, dict):
        return
    details = usage.get("prompt_tokens_details") or usage.get("prompt_token_details")
    cached = details.get("cached_tokens") if isinstance(details, Mapping) else None
    if cached is None and isinstance(usage.get("num_cached_tokens"), int):
        cached = usage["num_cached_tokens"]
    if cached is not None:
        usage["prompt_tokens_details"] = {**(details or {}), "cached_tokens": cached}


def _normalize_choice(choice: dict[str, Any], key: str, provider: str, payload: dict[str, Any]) -> None:
    """Finish reason, chunk-list content and object arguments of one choice (``key``: message or delta)."""
    choice["finish_reason"] = _finish_reason(choice.get("finish_reason"), provider, payload)
    message = choice.get(key)
    if not isinstance(message, dict):
        return
    content = message.get("content")
    if isinstance(content, list):
        text, thinking, signature = _split_chunks(content)
        message["content"] = text
        if thinking:
            message["reasoning"] = _reasoning(thinking, signature)
    for call in message.get("tool_calls") or ():
        if isinstance(call, dict):
            _fix_tool_call(call)


def _normalize(data: dict[str, Any], key: str, provider: str) -> dict[str, Any]:
    if "choices" not in data and _looks_like_error(data):
        raise error_from_payload(provider, data)
    for choice in data.get("choices") or ():
        if isinstance(choice, dict):
            _normalize_choice(choice, key, provider, data)
    normalize_usage(data.get("usage"))
    data.setdefault("created", 0)  # documented examples sometimes omit it; our type needs an int
    return data


def normalize_response(data: dict[str, Any], provider: str) -> dict[str, Any]:
    """A decoded chat response in OpenAI's shape (the core then lifts legacy ``<think>`` tags and validates)."""
    return _normalize(data, "message", provider)


# -- streaming --------------------------------------------------------------------------------------


@dataclass
class _Calls:
    """Tool-call bookkeeping for one choice of one stream."""

    by_id: dict[str, int] = field(default_factory=dict)
    by_wire: dict[int, int] = field(default_factory=dict)
    names: dict[int, str | None] = field(default_factory=dict)


@dataclass
class ToolCallNumbering:
    """One stream's tool-call numbering, per choice: Mistral's pieces → OpenAI's accumulation contract."""

    choices: dict[int, _Calls] = field(default_factory=dict)

    def renumber(self, choice: dict[str, Any]) -> None:
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            return
        calls = delta.get("tool_calls")
        if isinstance(calls, list) and calls:
            index = choice.get("index", 0)
            state = self.choices.setdefault(index if isinstance(index, int) else 0, _Calls())
            delta["tool_calls"] = [_renumber(state, call) for call in calls if isinstance(call, dict)]


_SPECIAL = re.compile(rb'"(?:error|tool_calls|usage|reasoning\w*|thinking)"')
"""Keys of a chunk that validates as is but that :func:`normalize_chunk` (or the core's slow path) would
still rewrite: an error, tool calls (renumbered), usage (cached tokens), reasoning fields. A chunk without
them changes under normalization only if it does not validate as is (content chunk lists, a missing
``created``, ``model_length``...), and the core normalizes every chunk that fails to validate."""


def chunk_needs_normalize(data: bytes) -> bool:
    """Whether a raw stream event must be normalized even if it validates as is (see :data:`_SPECIAL`)."""
    return _SPECIAL.search(data) is not None


class MistralStreamParser(OpenAIStreamParser):
    """The core's parser with this stream's tool-call numbering in its ``normalize_chunk``.

    Plain text chunks (nearly all of them) keep the core's fast path (the bytes validated straight into a
    chunk): :meth:`MistralProvider.chunk_needs_normalize` sends only the others through normalization.
    """

    __slots__ = ("_numbering",)

    def __init__(self, provider: MistralProvider, pad_usage: bool = False) -> None:
        super().__init__(provider, pad_usage)
        self._numbering = ToolCallNumbering()

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Mistral's normalization, then the provider's hook (a no-op unless a subclass adds one)."""
        return self.provider.normalize_chunk(normalize_chunk(payload, self.provider.name, self._numbering))

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        chunks = super().feed(event)
        for chunk in chunks:
            for choice in chunk.choices:
                if "finish_reason" not in choice.model_fields_set:
                    choice.finish_reason = None  # set, as normalization sets it (a chunk left on the fast path)
        return chunks


def normalize_chunk(payload: dict[str, Any], provider: str, numbering: ToolCallNumbering) -> dict[str, Any]:
    """A decoded stream chunk in OpenAI's shape (the core then splits ``<think>`` tags and validates)."""
    _normalize(payload, "delta", provider)
    for choice in payload.get("choices") or ():
        if isinstance(choice, dict):
            numbering.renumber(choice)
    return payload


def _renumber(state: _Calls, call: dict[str, Any]) -> dict[str, Any]:
    """Give each call its own index, its id and name on its first piece only (OpenAI's accumulation contract)."""
    raw_index = call.get("index")
    wire = raw_index if isinstance(raw_index, int) else 0
    call_id = call.get("id")
    if call_id in (None, "", "null"):
        call_id = None
    fn = call.get("function") if isinstance(call.get("function"), dict) else None
    if call_id is not None and call_id in state.by_id:
        ours, first = state.by_id[call_id], False
    elif call_id is not None:
        ours = len(state.names)
        state.by_id[call_id] = ours
        first = True
    elif wire in state.by_wire:
        ours, first = state.by_wire[wire], False
    else:
        ours, first = len(state.names), True
    state.by_wire[wire] = ours
    out: dict[str, Any] = {"index": ours}
    if first:
        state.names[ours] = fn.get("name") if fn else None
        if call_id is not None:
            out["id"] = call_id
        out["type"] = "function"
    if fn is not None:
        piece = {k: fn[k] for k in ("name", "arguments") if fn.get(k) is not None}
        # continuation pieces repeat the name or send "": OpenAI-style accumulation concatenates names
        if not first and "name" in piece and piece["name"] in ("", state.names.get(ours)):
            del piece["name"]
        out["function"] = piece
    return out


# -- errors -----------------------------------------------------------------------------------------


def _looks_like_error(payload: Mapping[str, Any]) -> bool:
    return (
        str(payload.get("object", "")).lower() == "error"
        or "error" in payload
        or ("detail" in payload and "id" not in payload)
    )


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _detail_text(detail: Any) -> tuple[str | None, str | None]:
    """FastAPI validation details → ('messages.0.user.name: Extra inputs are not permitted; ...', first type)."""
    if isinstance(detail, str):
        return detail, None
    if not isinstance(detail, list):
        return None, None
    parts, kind = [], None
    for item in detail:
        if not isinstance(item, Mapping):
            parts.append(str(item))
            continue
        loc = ".".join(str(p) for p in item.get("loc") or () if p != "body")
        msg = str(item.get("msg", ""))
        parts.append(f"{loc}: {msg}" if loc else msg)
        kind = kind or (str(item["type"]) if item.get("type") is not None else None)
    return "; ".join(parts) or None, kind


def error_details(body: bytes) -> tuple[str | None, str | None]:
    """(message, code) of every error body shape Mistral is known to send."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raw = body[:300].decode("utf-8", "replace").strip()
        return (raw or None), None
    if not isinstance(data, dict):
        return None, None
    if isinstance(data.get("error"), str):
        return data["error"], None
    if isinstance(data.get("error"), Mapping):
        data = dict(data["error"])
    message = _maybe_json(data.get("message"))
    detail = data.get("detail")
    if isinstance(message, Mapping):
        detail = message.get("detail", detail)
        message = message.get("message")
    elif isinstance(message, list):
        detail, message = message, None
    text: str | None = message if isinstance(message, str) and message else None
    detail_text, detail_kind = _detail_text(detail)
    if text is None:
        text = detail_text
    kinds = [str(v) for v in (data.get("type"), data.get("code"), detail_kind) if v not in (None, "")]
    return text, (" ".join(kinds) or None)


def error_from_payload(provider: str, payload: Mapping[str, Any]) -> errors.AnyLLMError:
    """An error object in a 200 body or in the middle of a stream, mapped as if it came with its status."""
    raw = json.dumps(payload).encode()
    message, code = error_details(raw)
    nested = payload.get("error")
    inner: Mapping[str, Any] = nested if isinstance(nested, Mapping) else payload
    status = 500
    for candidate in (inner.get("status"), inner.get("code")):
        if isinstance(candidate, int) and 400 <= candidate < 600:
            status = candidate
            break
    else:
        low = (code or "").lower()
        if "rate" in low or "capacity" in low:
            status = 429
        elif "auth" in low:
            status = 401
        elif "invalid" in low or "context" in low:
            status = 400
    return map_error(provider, status, {}, raw, message, code)


def map_error(
    provider: str, status: int, headers: Mapping[str, str], body: bytes, message: str | None, code: str | None
) -> errors.AnyLLMError:
    """The core's status mapping, plus Mistral's own context-length wording and body ``request_id``."""
    text = message or f"HTTP {status}"
    err = errors_from_status(provider, status, headers, body, text, code)
    if type(err) is errors.InvalidRequestError and any(m in text.lower() for m in _CONTEXT_MARKERS):
        err = errors.ContextLengthExceededError(
            text, provider=provider, status_code=status, request_id=err.request_id, body=_body_text(body)
        )
    if err.request_id is None:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("request_id"), str):
            err.request_id = data["request_id"]
    return err
