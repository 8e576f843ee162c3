"""Gemini ``GenerateContentResponse`` (whole or streamed) and error bodies → our OpenAI-shaped types."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from any_llm import errors
from any_llm.provider import CompletionParams, StreamEvent, StreamParser
from any_llm.types.completion import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionTokenLogprob,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    ChoiceLogprobs,
    ChunkChoice,
    CompletionTokensDetails,
    CompletionUsage,
    Function,
    PromptTokensDetails,
    Reasoning,
    TopLogprob,
)
from any_llm.wire import errors_from_status, loads, parse_retry_after
from anyllm_gemini._request import SYNTH_ID_PREFIX

__all__ = ["GeminiStreamParser", "convert_usage", "gemini_error", "parse_completion"]

_FILTERED = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    }
)
_CONTEXT_MARKERS = (
    "input token count",
    "exceeds the maximum number of tokens",
    "context length",
    "too many tokens",
    "maximum context",
    "token limit",
)


FinishReason = Literal["stop", "length", "tool_calls", "content_filter"]


def map_finish_reason(reason: str | None, has_calls: bool) -> FinishReason | None:
    """STOP→stop, MAX_TOKENS→length, safety family→content_filter; function calls→tool_calls unless cut/filtered.
    A reason that is not a string raises TypeError (a wrong shape)."""
    if reason is None:
        return None
    if type(reason) is not str:
        raise TypeError(f"finishReason is not a string: {reason!r:.50}")
    if reason == "MAX_TOKENS":
        return "length"
    if reason in _FILTERED:
        return "content_filter"
    return "tool_calls" if has_calls else "stop"


def synth_call_id() -> str:
    return f"{SYNTH_ID_PREFIX}{uuid.uuid4().hex[:16]}"


def _signature_extra(sig: Any) -> dict[str, Any]:
    return {"google": {"thought_signature": sig}}


_USAGE_COUNTS = (
    "thoughtsTokenCount",
    "cachedContentTokenCount",
    "promptTokenCount",
    "toolUsePromptTokenCount",
    "candidatesTokenCount",
    "totalTokenCount",
)
"""The ``usageMetadata`` fields :func:`convert_usage` reads."""


def _plain_usage(meta: Any) -> bool:
    """True when :func:`convert_usage` cannot fail on ``meta`` (every count it reads is an int or absent),
    so converting it can wait until a chunk carries it."""
    return type(meta) is dict and all(value is None or type(value) is int for value in map(meta.get, _USAGE_COUNTS))


def _count(meta: dict[str, Any], key: str) -> int:
    """A token count of ``usageMetadata``: an int, 0 when absent. Anything else raises TypeError (a wrong shape)."""
    value = meta.get(key)
    if value is None:
        return 0
    if type(value) is not int:
        raise TypeError(f"usageMetadata.{key} is not an integer: {value!r:.50}")
    return value


def convert_usage(meta: Any) -> CompletionUsage | None:
    """``usageMetadata`` → usage; thoughts count as completion tokens and tool-use prompts as prompt tokens.
    A count that is not an integer raises TypeError (the callers report it as a wrong shape, with the body)."""
    if not isinstance(meta, dict):
        return None
    thoughts = _count(meta, "thoughtsTokenCount")
    cached = _count(meta, "cachedContentTokenCount")
    prompt = _count(meta, "promptTokenCount") + _count(meta, "toolUsePromptTokenCount")
    completion = _count(meta, "candidatesTokenCount") + thoughts
    return CompletionUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=_count(meta, "totalTokenCount") or prompt + completion,
        completion_tokens_details=CompletionTokensDetails(reasoning_tokens=thoughts) if thoughts else None,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=cached) if cached else None,
    )


def _logprobs(result: Any) -> ChoiceLogprobs | None:
    """``logprobsResult`` (chosen token per step, plus top candidates per step) → OpenAI's logprobs."""
    if not isinstance(result, dict) or not result.get("chosenCandidates"):
        return None
    tops = result.get("topCandidates") or []
    content = []
    for step, chosen in enumerate(result["chosenCandidates"]):
        alternatives = tops[step].get("candidates", []) if step < len(tops) else []
        content.append(
            ChatCompletionTokenLogprob(
                token=chosen.get("token", ""),
                logprob=chosen.get("logProbability", 0.0),
                top_logprobs=[
                    TopLogprob(token=c.get("token", ""), logprob=c.get("logProbability", 0.0)) for c in alternatives
                ],
            )
        )
    return ChoiceLogprobs(content=content)


class _Parts:
    """The parts of one candidate, sorted into text, thoughts, function calls and the last thought signature."""

    __slots__ = ("calls", "reasoning", "signature", "text")

    def __init__(self, candidate: dict[str, Any]) -> None:
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.calls: list[tuple[dict[str, Any], Any]] = []
        self.signature: Any = None
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        if parts is not None and type(parts) is not list:
            raise TypeError(f"content.parts is not a list: {parts!r:.50}")
        for part in parts or ():
            if not isinstance(part, dict):
                continue
            sig = part.get("thoughtSignature")
            if isinstance(part.get("functionCall"), dict):
                self.calls.append((part["functionCall"], sig))
                continue
            if part.get("thought"):
                self.reasoning.append(part.get("text") or "")
            elif isinstance(part.get("text"), str):
                self.text.append(part["text"])
            if sig:
                self.signature = sig  # Gemini signs the last part of a text answer (often an empty text part)


def _sort_parts(parts: Any) -> tuple[str, str | None, Any] | None:
    """(text, reasoning or None, last thought signature) of parts as :class:`_Parts` sorts them, or None
    when there is a function call or a value :class:`_Parts` would trip over (then the general path runs)."""
    if parts and type(parts) is not list:
        return None
    text: list[str] = []
    reasoning: list[str] = []
    signature: Any = None
    for part in parts or ():
        if type(part) is not dict:
            continue
        if type(part.get("functionCall")) is dict:
            return None
        value = part.get("text")
        if part.get("thought"):
            if value is not None and type(value) is not str:
                return None
            reasoning.append(value or "")
        elif type(value) is str:
            text.append(value)
        sig = part.get("thoughtSignature")
        if sig:
            signature = sig
    return "".join(text), ("".join(reasoning) if reasoning else None), signature


def _index(candidate: dict[str, Any], position: int) -> int:
    """The candidate's ``index`` (its position when absent); anything but an int raises TypeError."""
    index = candidate.get("index", position)
    if type(index) is not int:
        raise TypeError(f"candidate index is not an integer: {index!r:.50}")
    return index


def _arguments(call: dict[str, Any]) -> str:
    return json.dumps(call.get("args") or {}, ensure_ascii=False)


def _raise_if_error_or_blocked(data: Any, provider: str, body: bytes) -> None:
    if not isinstance(data, dict):
        raise errors.ResponseValidationError(
            f"{provider} answered with JSON that is not an object",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        )
    if isinstance(data.get("error"), dict):
        raise error_from_payload(provider, data, {})
    if not data.get("candidates"):
        feedback = data.get("promptFeedback")
        reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
        if reason:
            raise errors.ContentFilterError(
                f"Gemini blocked the prompt (blockReason {reason}); rephrase it or adjust safetySettings",
                provider=provider,
                body=body.decode("utf-8", "replace"),
            )


def _wrong_shape(provider: str, body: bytes, what: str) -> errors.ResponseValidationError:
    return errors.ResponseValidationError(
        f"{provider} answered with {what}", provider=provider, body=body.decode("utf-8", "replace")
    )


def parse_completion(body: bytes, params: CompletionParams, provider: str) -> ChatCompletion:
    data = loads(body, provider)
    _raise_if_error_or_blocked(data, provider, body)
    candidates = data.get("candidates")
    if not isinstance(candidates, list) or not candidates or not all(isinstance(c, dict) for c in candidates):
        raise _wrong_shape(provider, body, "no candidates")
    return _completion(data, candidates, params)


def _completion(data: dict[str, Any], candidates: list[dict[str, Any]], params: CompletionParams) -> ChatCompletion:
    choices = []
    for position, candidate in enumerate(candidates):
        parts = _Parts(candidate)
        calls = [
            ChatCompletionMessageFunctionToolCall(
                id=call.get("id") or synth_call_id(),
                function=Function(name=call.get("name", ""), arguments=_arguments(call)),
                **({"extra_content": _signature_extra(sig)} if sig else {}),
            )
            for call, sig in parts.calls
        ]
        finish = map_finish_reason(candidate.get("finishReason") or "STOP", bool(calls))
        text = "".join(parts.text) if parts.text else None
        extra: dict[str, Any] = {"extra_content": _signature_extra(parts.signature)} if parts.signature else {}
        message = ChatCompletionMessage(
            content=text,
            tool_calls=calls or None,
            reasoning=Reasoning(content="".join(parts.reasoning)) if parts.reasoning else None,
            refusal=(candidate.get("finishMessage") or f"blocked by Gemini ({candidate.get('finishReason')})")
            if finish == "content_filter" and not text
            else None,
            **extra,
        )
        choices.append(
            {
                "index": _index(candidate, position),
                "message": message,
                "finish_reason": finish,
                "logprobs": _logprobs(candidate.get("logprobsResult")),
            }
        )
    return ChatCompletion.model_validate(
        {
            "id": data.get("responseId") or f"gemini-{uuid.uuid4().hex}",
            "created": int(time.time()),
            "model": data.get("modelVersion") or params.model,
            "choices": choices,
            "usage": convert_usage(data.get("usageMetadata")),
        }
    )


class GeminiStreamParser(StreamParser):
    """SSE events, each a whole GenerateContentResponse, → chunks. Gemini sends function calls whole, so
    each becomes one tool-call delta carrying index, id, name and the full arguments."""

    def __init__(self, provider: str, params: CompletionParams) -> None:
        self.provider = provider
        self.done = False
        self._model = params.model
        self._id = f"gemini-{uuid.uuid4().hex}"
        self._created = int(time.time())
        self._started: set[int] = set()
        self._calls: dict[int, int] = {}  # candidate index -> tool calls emitted so far
        self._finished = False
        self._usage: CompletionUsage | None = None
        self._usage_meta: dict[str, Any] | None = None
        """Latest ``usageMetadata`` not converted yet (see :func:`_plain_usage`); it replaces ``_usage``."""

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        data = loads(event.data, self.provider)
        if type(data) is dict and "error" not in data:
            chunk = self._fast_chunk(data)  # no error and some candidates: nothing to raise for
            if chunk is not None:
                return (chunk,)
        _raise_if_error_or_blocked(data, self.provider, event.data)
        return self._chunks(data)

    def _note_usage(self, meta: Any) -> None:
        """Remember the latest (cumulative) ``usageMetadata``; convert it now only if that could fail."""
        if meta == self._usage_meta:  # the same counts again (usually): nothing new
            return
        if _plain_usage(meta):
            self._usage_meta = meta
        else:
            self._usage_meta = None
            self._usage = convert_usage(meta)

    def _current_usage(self) -> CompletionUsage | None:
        if self._usage_meta is not None:
            self._usage = convert_usage(self._usage_meta)
            self._usage_meta = None
        return self._usage

    def _fast_chunk(self, data: dict[str, Any]) -> ChatCompletionChunk | None:
        """The hot path: the chunk :meth:`_chunks` would build for an event with one candidate carrying
        only text or thought parts, no finish reason and no logprobs, made by one validation of plain values
        (which cannot fail on them). Anything else, or a value of an unexpected type, returns None."""
        candidates = data.get("candidates")
        if type(candidates) is not list or len(candidates) != 1:
            return None
        candidate = candidates[0]
        if type(candidate) is not dict or candidate.get("finishReason") is not None or candidate.get("logprobsResult"):
            return None
        index = candidate.get("index", 0)
        response_id = data.get("responseId")
        model = data.get("modelVersion")
        if (
            type(index) is not int
            or (response_id and type(response_id) is not str)
            or (model and type(model) is not str)
        ):
            return None
        content = candidate.get("content")
        parts = content.get("parts") if type(content) is dict else None
        if (
            type(parts) is list
            and len(parts) == 1
            and type(part := parts[0]) is dict
            and len(part) == 1
            and type(text := part.get("text")) is str
        ):
            reasoning = signature = None  # one plain text part: the usual event
        else:
            sorted_parts = _sort_parts(parts)
            if sorted_parts is None:
                return None
            text, reasoning, signature = sorted_parts
        if response_id:
            self._id = response_id
        if model:
            self._model = model
        delta: dict[str, Any] = {
            "role": None if index in self._started else "assistant",
            "content": text or None,
            "reasoning": None if reasoning is None else {"content": reasoning},
            "tool_calls": None,
        }
        if signature:
            delta["extra_content"] = _signature_extra(signature)
        self._started.add(index)
        meta = data.get("usageMetadata")
        if meta and meta != self._usage_meta:
            self._note_usage(meta)
        # the validator that model_validate calls, without its per-call overhead (same result)
        return ChatCompletionChunk.__pydantic_validator__.validate_python(  # type: ignore[no-any-return]
            {
                "id": self._id,
                "created": self._created,
                "model": self._model,
                "choices": [{"index": index, "delta": delta, "finish_reason": None, "logprobs": None}],
                "usage": None,
            }
        )

    def _chunks(self, data: dict[str, Any]) -> tuple[ChatCompletionChunk, ...]:
        if data.get("responseId"):
            self._id = data["responseId"]
        if data.get("modelVersion"):
            self._model = data["modelVersion"]
        choices = []
        candidates = data.get("candidates")
        if candidates is not None and type(candidates) is not list:
            raise TypeError(f"candidates is not a list: {candidates!r:.50}")
        for position, candidate in enumerate(candidates or ()):
            if isinstance(candidate, dict):
                choices.append(self._choice(candidate, _index(candidate, position)))
        if data.get("usageMetadata"):
            self._note_usage(data["usageMetadata"])
        # usage (cumulative in every event) rides on the finishing chunk; a usage-only event after the
        # finish becomes a chunk without choices, one before it is only remembered
        usage = None
        trailing = not choices and self._finished and "usageMetadata" in data
        if trailing or any(c.finish_reason is not None for c in choices):
            usage = self._current_usage()
        if not choices and usage is None:
            return ()
        return (
            ChatCompletionChunk(id=self._id, created=self._created, model=self._model, choices=choices, usage=usage),
        )

    def _choice(self, candidate: dict[str, Any], index: int) -> ChunkChoice:
        parts = _Parts(candidate)
        first = index not in self._started
        self._started.add(index)
        tool_calls = []
        for call, sig in parts.calls:
            n = self._calls.get(index, 0)
            self._calls[index] = n + 1
            tool_calls.append(
                ChoiceDeltaToolCall(
                    index=n,
                    id=call.get("id") or synth_call_id(),
                    type="function",
                    function=ChoiceDeltaToolCallFunction(name=call.get("name", ""), arguments=_arguments(call)),
                    **({"extra_content": _signature_extra(sig)} if sig else {}),
                )
            )
        extra: dict[str, Any] = {"extra_content": _signature_extra(parts.signature)} if parts.signature else {}
        delta = ChoiceDelta(
            role="assistant" if first else None,
            content="".join(parts.text) or None,
            reasoning=Reasoning(content="".join(parts.reasoning)) if parts.reasoning else None,
            tool_calls=tool_calls or None,
            **extra,
        )
        finish = map_finish_reason(candidate.get("finishReason"), self._calls.get(index, 0) > 0)
        if finish is not None:
            self._finished = True
        return ChunkChoice(
            index=index, delta=delta, finish_reason=finish, logprobs=_logprobs(candidate.get("logprobsResult"))
        )

    def may_end(self) -> bool:
        """Gemini's stream has no end marker: it is whole once a candidate carried a finishReason."""
        return self._finished


# -- errors ---------------------------------------------------------------------------------------


def _retry_delay(details: Any) -> float | None:
    """Seconds from a ``google.rpc.RetryInfo`` detail (``"retryDelay": "31s"`` or ``"0.5s"``)."""
    for detail in details if isinstance(details, list) else ():
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = detail.get("retryDelay")
            if isinstance(delay, str) and delay.endswith("s"):
                try:
                    return max(float(delay[:-1]), 0.0)
                except ValueError:
                    return None
    return None


def gemini_error(provider: str, status: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
    """Google's ``{"error": {"code", "message", "status", "details"}}`` → our typed error."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, list) and len(data) == 1:  # streamed (JSON array) error bodies
        data = data[0]
    err = data.get("error") if isinstance(data, dict) else None
    if not isinstance(err, dict):
        text = body[:300].decode("utf-8", "replace").strip()
        return errors_from_status(provider, status, headers, body, text or f"HTTP {status}")
    return _typed(provider, status, headers, body, err)


def error_from_payload(provider: str, payload: dict[str, Any], headers: Mapping[str, str]) -> errors.AnyLLMError:
    """An ``{"error": ...}`` object inside a 200 body or a stream event."""
    err = payload["error"]
    code = err.get("code")
    status = code if isinstance(code, int) and 400 <= code < 600 else 500
    return _typed(provider, status, headers, json.dumps(payload).encode(), err)


def _typed(
    provider: str, status: int, headers: Mapping[str, str], body: bytes, err: dict[str, Any]
) -> errors.AnyLLMError:
    message = str(err.get("message") or f"HTTP {status}")
    gstatus = str(err.get("status") or "")
    details = err.get("details")
    reasons = {d.get("reason") for d in details if isinstance(d, dict)} if isinstance(details, list) else set()
    kwargs: dict[str, Any] = {
        "provider": provider,
        "status_code": status,
        "body": body.decode("utf-8", "replace"),
        "request_id": headers.get("x-request-id") or headers.get("x-goog-request-id"),
    }
    if status == 429 or gstatus == "RESOURCE_EXHAUSTED":
        retry = _retry_delay(details)
        return errors.RateLimitError(
            message, retry_after=retry if retry is not None else parse_retry_after(headers), **kwargs
        )
    # an invalid key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID
    if status in (401, 403) or gstatus in ("UNAUTHENTICATED", "PERMISSION_DENIED") or "API_KEY_INVALID" in reasons:
        return errors.AuthenticationError(message, **kwargs)
    if 400 <= status < 500 and status != 404:
        # Gemini reports blocked content in 200 bodies, so a 400 that mentions "safety" (safetySettings
        # typos) is a bad request, not a content filter
        low = message.lower()
        if any(m in low for m in _CONTEXT_MARKERS):
            return errors.ContextLengthExceededError(message, **kwargs)
        return errors.InvalidRequestError(message, **kwargs)
    return errors_from_status(provider, status, headers, body, message, gstatus or None)
