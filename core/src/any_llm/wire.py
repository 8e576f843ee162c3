"""Wire helpers shared by core and providers: JSON loading, error bodies, status mapping, Retry-After.

These used to live in :mod:`any_llm.provider`, which now holds the contract only; the old import
path still works with a DeprecationWarning. Plugins import them from here::

    from any_llm.wire import errors_from_status, loads, loads_object

The retry rule lives here too, once: core retries an error when its *class* says so
(:data:`RETRYABLE_ERRORS`), whatever status it came with, so a provider that maps a 403 to
:class:`~any_llm.errors.RateLimitError` gets it retried (honouring ``Retry-After``) and one that maps
a 429 to :class:`~any_llm.errors.AuthenticationError` does not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic_core import from_json

from any_llm import errors

__all__ = [
    "CONTEXT_MARKERS",
    "FILTER_MARKERS",
    "RETRYABLE_ERRORS",
    "SHAPE_ERRORS",
    "call_plugin",
    "error_details_from_json",
    "errors_from_status",
    "invalid_body",
    "is_retryable",
    "loads",
    "loads_object",
    "parse_retry_after",
    "plugin_error",
    "shape_error",
]

_R = TypeVar("_R")

RETRYABLE_ERRORS: tuple[type[errors.AnyLLMError], ...] = (
    errors.RateLimitError,
    errors.ProviderError,
    errors.APIConnectionError,  # APITimeoutError included
)
"""The error classes core retries (up to ``max_retries``, honouring ``retry_after``). Everything else —
authentication, a missing model, a bad request, a context overflow, a content filter, a body that does
not parse — fails at once, because sending it again gives the same answer."""


def is_retryable(err: errors.AnyLLMError, headers: Mapping[str, str] | None = None) -> bool:
    """Whether core retries ``err``; an ``x-should-retry: true|false`` header from the server wins."""
    hint = headers.get("x-should-retry") if headers is not None else None
    if hint == "true":
        return True
    if hint == "false":
        return False
    return isinstance(err, RETRYABLE_ERRORS)


CONTEXT_MARKERS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "context limit",
    "maximum context",
    "too many tokens",
    "prompt is too long",
    "input is too long",
    "maximum number of tokens",
    "token limit",
    "context size",
    "exceed_context_size",
)
FILTER_MARKERS = (
    "content_filter",
    "content_policy",
    "content policy",
    "content management policy",
    "moderation",
    "safety system",
    "safety filter",
    "responsible ai",
)


def error_details_from_json(body: bytes) -> tuple[str | None, str | None]:
    """(message, code) from ``{"error": {...}}``, ``{"error": "..."}``, ``{"message": ...}`` or ``{"detail": ...}``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        text = body[:300].decode("utf-8", "replace").strip()
        return (text or None), None
    if not isinstance(data, dict):
        return None, None
    err = data.get("error", data)
    if isinstance(err, str):
        return err, None
    if not isinstance(err, dict):
        return None, None
    message = err.get("message") or err.get("detail") or err.get("msg")
    if isinstance(message, list):  # FastAPI/pydantic validation details
        message = "; ".join(str(m.get("msg", m)) if isinstance(m, dict) else str(m) for m in message)
    # every classifying field: a numeric "code" (400) must not hide a telling "type"
    kinds = [str(err[k]) for k in ("code", "type", "status") if err.get(k) is not None]
    return (str(message) if message is not None else None), (" ".join(kinds) or None)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``Retry-After`` in seconds or as an HTTP date."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def errors_from_status(
    provider: str,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    message: str,
    code: str | None = None,
    context_markers: tuple[str, ...] = (),
) -> errors.AnyLLMError:
    """The unified status → exception mapping every provider shares."""
    text = body.decode("utf-8", "replace")
    kwargs: dict[str, Any] = {
        "provider": provider,
        "status_code": status_code,
        "request_id": headers.get("x-request-id") or headers.get("request-id"),
        "body": text,
    }
    haystack = f"{code or ''} {message}".lower()
    cls: type[errors.APIStatusError]
    if status_code in (401, 403):
        cls = errors.AuthenticationError
    elif status_code == 404:
        cls = errors.ModelNotFoundError
    elif status_code == 429:
        return errors.RateLimitError(message, retry_after=parse_retry_after(headers), **kwargs)
    elif status_code == 408:
        return errors.APITimeoutError(message, **kwargs)
    elif status_code == 409:  # a conflict on the provider's side (a lock, a concurrent update): worth a retry
        cls = errors.ProviderError
    elif 400 <= status_code < 500:
        if status_code != 413 and any(m in haystack for m in (*CONTEXT_MARKERS, *context_markers)):
            cls = errors.ContextLengthExceededError
        elif any(m in haystack for m in FILTER_MARKERS):
            cls = errors.ContentFilterError
        else:
            cls = errors.InvalidRequestError
    else:
        cls = errors.ProviderError
    return cls(message, **kwargs)


def loads_object(body: bytes, provider: str, what: str = "a body") -> dict[str, Any]:
    """:func:`loads` for a body or stream event that must be a JSON object (the usual case)."""
    data = loads(body, provider)
    if not isinstance(data, dict):
        raise errors.ResponseValidationError(
            f"{provider} sent {what} that is not a JSON object",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        )
    return data


SHAPE_ERRORS = (TypeError, KeyError, AttributeError, IndexError, ValueError, OverflowError)
"""What a value of an unexpected type raises inside a translation (pydantic's ValidationError is a
ValueError): a list used as a dict key, ``.get`` on a string, a count that is not a number. Catch these
around a translation and re-raise :func:`shape_error`, so any bytes in give a typed error out."""


def invalid_body(provider: str, what: str, body: bytes | str | None) -> errors.ResponseValidationError:
    """A body that parsed but lacks what the protocol promises (``what`` says which part)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return errors.ResponseValidationError(
        f"{provider} answered with an unexpected shape: {what}", provider=provider, body=text
    )


def call_plugin(
    provider: str, what: str, body: bytes | str | None, status_code: int | None, fn: Callable[..., _R], *args: Any
) -> _R:
    """``fn(*args)``, a plugin's translation of ``body``: what it raises reaches the caller typed
    (an :class:`~any_llm.errors.AnyLLMError` as is, anything else through :func:`plugin_error`)."""
    try:
        return fn(*args)
    except errors.AnyLLMError:
        raise
    except Exception as exc:
        raise plugin_error(provider, exc, what, body, status_code) from exc


def plugin_error(
    provider: str, exc: BaseException, what: str, body: bytes | str | None, status_code: int | None = None
) -> errors.ResponseValidationError:
    """Any exception a plugin's parse or stream code raised, as the typed error callers catch.

    Core wraps every call into a plugin's translation with this, so a ``KeyError`` on a body of an
    unexpected shape reaches the caller as :class:`~any_llm.errors.ResponseValidationError` carrying
    the provider, the status and the (truncated, redacted) body; plugins need no error helpers of
    their own.
    """
    err = shape_error(provider, exc, what, body)
    err.status_code = status_code
    err.__cause__ = exc
    return err


def shape_error(
    provider: str, exc: BaseException, what: str, body: bytes | str | None
) -> errors.ResponseValidationError:
    """``exc`` (one of :data:`SHAPE_ERRORS`) as the typed error for ``what`` ("a response", "a stream event")."""
    from pydantic import ValidationError

    detail = exc.errors()[0].get("msg") if isinstance(exc, ValidationError) else str(exc)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return errors.ResponseValidationError(
        f"{provider} sent {what} of the wrong shape ({type(exc).__name__}: {detail})", provider=provider, body=text
    )


def loads(body: bytes, provider: str) -> Any:
    """Decode JSON, raising ResponseValidationError (with the raw body) instead of ValueError.

    pydantic-core's parser first (3-5x faster on small bodies); what it refuses (a byte-order mark,
    lone surrogates) goes through ``json.loads``, which decides.
    """
    try:
        return from_json(body)
    except ValueError:
        pass
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.ResponseValidationError(
            f"{provider} answered with a body that is not JSON: {exc}",
            provider=provider,
            body=body.decode("utf-8", "replace"),
        ) from None
