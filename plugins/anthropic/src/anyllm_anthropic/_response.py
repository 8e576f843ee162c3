"""Anthropic responses (messages, usage, errors, model lists) → our OpenAI-shaped types."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from any_llm import errors
from any_llm.types.completion import (
    ChatCompletion,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionToolCall,
    Choice,
    CompletionTokensDetails,
    CompletionUsage,
    Function,
    PromptTokensDetails,
    Reasoning,
)
from any_llm.types.model import Model
from any_llm.wire import errors_from_status

__all__ = [
    "FINISH_REASONS",
    "convert_message",
    "convert_models",
    "convert_usage",
    "error_for",
    "finish_reason",
]

_PROVIDER = "anthropic"

FINISH_REASONS: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

# Anthropic's documented error types → the HTTP status they come with (used for errors that
# arrive inside a 200 body or an SSE ``error`` event, where there is no status of their own).
ERROR_STATUS: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

# Phrases Anthropic uses for an over-long request that the core's generic markers miss.
_CONTEXT_PHRASES = ("exceed context limit", "context limit", "prompt is too long")


def finish_reason(stop_reason: Any) -> str | None:
    if stop_reason is None:
        return None
    return FINISH_REASONS.get(str(stop_reason), "stop")


def _invalid(message: str, body: bytes | str | None = None) -> errors.ResponseValidationError:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return errors.ResponseValidationError(message, provider=_PROVIDER, body=text)


def _count(usage: dict[str, Any], key: str, body: bytes | str | None) -> int:
    """A token count: an integer (a whole float is taken), 0 when absent; anything else is a wrong shape."""
    value = usage.get(key)
    if value is None:
        return 0
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise _invalid(f"anthropic sent a usage {key} that is not a whole number: {value!r:.50}", body)


def convert_usage(usage: Any, body: bytes | str | None = None) -> CompletionUsage | None:
    """Anthropic usage → CompletionUsage (``body``: the response or event it came in, for the error).

    ``prompt_tokens`` counts every input token: ``input_tokens`` (uncached) plus cache reads plus
    cache writes, as Anthropic's docs define the total input; ``cached_tokens`` is the cache-read
    part, and the cache-write part is kept as ``prompt_tokens_details.cache_creation_tokens``.
    """
    if not isinstance(usage, dict):
        return None
    read = _count(usage, "cache_read_input_tokens", body)
    created = _count(usage, "cache_creation_input_tokens", body)
    prompt = _count(usage, "input_tokens", body) + read + created
    completion = _count(usage, "output_tokens", body)
    result = CompletionUsage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)
    if usage.get("cache_read_input_tokens") is not None or usage.get("cache_creation_input_tokens") is not None:
        result.prompt_tokens_details = PromptTokensDetails(cached_tokens=read, cache_creation_tokens=created)
    details = usage.get("output_tokens_details")
    if isinstance(details, dict) and details.get("thinking_tokens") is not None:
        result.completion_tokens_details = CompletionTokensDetails(
            reasoning_tokens=_count(details, "thinking_tokens", body)
        )
    return result


def convert_message(data: Any, body: bytes) -> ChatCompletion:
    """A ``Message`` object → ChatCompletion with one choice."""
    if not isinstance(data, dict):
        raise _invalid("anthropic answered with JSON that is not an object", body)
    if data.get("type") == "error" or ("error" in data and "content" not in data):
        raise error_for(data)
    content = data.get("content")
    if not isinstance(content, list) or not isinstance(data.get("id"), str):
        raise _invalid("anthropic answered with a message without id or content list", body)
    texts: list[str] = []
    thoughts: list[str] = []
    thinking_blocks: list[dict[str, Any]] = []
    tool_calls: list[ChatCompletionMessageFunctionToolCall] = []
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "thinking":
            thoughts.append(str(block.get("thinking", "")))
            thinking_blocks.append(
                {"type": "thinking", "thinking": block.get("thinking", ""), "signature": block.get("signature", "")}
            )
        elif kind == "redacted_thinking":
            thinking_blocks.append({"type": "redacted_thinking", "data": block.get("data", "")})
        elif kind == "tool_use":
            if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
                raise _invalid("anthropic sent a tool_use block without id or name", body)
            tool_calls.append(
                ChatCompletionMessageFunctionToolCall(
                    id=block["id"], function=Function(name=block["name"], arguments=json.dumps(block.get("input", {})))
                )
            )
        # server tool blocks (web search results ...) have no chat-completions equivalent
    message = ChatCompletionMessage(
        content="".join(texts) if texts or not tool_calls else None,
        tool_calls=tool_calls or None,
        reasoning=Reasoning(content="".join(thoughts)) if any(thoughts) else None,
    )
    if thinking_blocks:
        # Extra field: sent back as-is when the caller replays this message (signatures intact).
        message.thinking_blocks = thinking_blocks  # type: ignore[attr-defined]
    choice = Choice(index=0, message=message, finish_reason=finish_reason(data.get("stop_reason")))
    if data.get("stop_sequence"):
        choice.stop_sequence = data["stop_sequence"]  # type: ignore[attr-defined]
    return ChatCompletion(
        id=data["id"],
        created=int(time.time()),
        model=str(data.get("model", "")),
        choices=[choice],
        usage=convert_usage(data.get("usage"), body),
    )


def error_for(
    payload: dict[str, Any], status: int | None = None, headers: Mapping[str, str] | None = None
) -> errors.AnyLLMError:
    """``{"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}`` → our typed error.

    Without a status (an SSE ``error`` event or an error in a 200 body) the error type gives it.
    """
    err = payload.get("error")
    kind = str(err["type"]) if isinstance(err, dict) and err.get("type") is not None else None
    message = err.get("message") if isinstance(err, dict) else err
    if status is None:
        status = ERROR_STATUS.get(kind or "", 500)
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if "request-id" not in headers and "x-request-id" not in headers and payload.get("request_id"):
        headers["request-id"] = str(payload["request_id"])
    text = str(message or f"HTTP {status}")
    body = json.dumps(payload).encode()
    cls: type[errors.APIStatusError] | None = None
    if kind == "request_too_large":  # a byte limit, not the context window (the core would guess otherwise)
        cls = errors.InvalidRequestError
    elif status == 400 and any(p in text.lower() for p in _CONTEXT_PHRASES):
        cls = errors.ContextLengthExceededError
    if cls is None:
        return errors_from_status(_PROVIDER, status, headers, body, text, kind)
    return cls(
        text,
        provider=_PROVIDER,
        status_code=status,
        body=body.decode(),
        request_id=headers.get("request-id") or headers.get("x-request-id"),
    )


def _timestamp(value: Any) -> int:
    """RFC 3339 → epoch seconds (naive values taken as UTC); 0 when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return 0
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    main, dot, rest = text.partition(".")
    if dot:  # Python 3.10's fromisoformat wants exactly 3 or 6 fractional digits
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{main}.{(rest[:digits] + '000000')[:6]}{rest[digits:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


def convert_models(data: Any, body: bytes) -> list[Model]:
    """``{"data": [{"id", "display_name", "created_at", ...}]}`` → Model list (``created`` in epoch seconds)."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise _invalid("anthropic model list has no 'data' array", body)
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _invalid("anthropic model list entry without an id", body)
        extra = {k: v for k, v in item.items() if k not in ("id", "type", "created_at")}
        out.append(Model(id=item["id"], created=_timestamp(item.get("created_at")), owned_by="anthropic", **extra))
    return out
