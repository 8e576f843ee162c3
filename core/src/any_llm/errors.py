"""Every error anyllm raises, rooted at :class:`AnyLLMError`.

Errors are unified for every provider: code catches these classes, never a vendor's.
Names match any-llm's where it has one, so code written for it keeps working::

    AnyLLMError
    ├── ConfigurationError            bad arguments, caught before anything is sent (also a ValueError)
    │   ├── MissingApiKeyError        no api_key argument and no env var
    │   ├── UnsupportedProviderError  unknown provider name
    │   ├── UnsupportedParameterError the provider cannot honour a parameter
    │   └── UnsupportedCapabilityError the provider lacks a whole capability (embeddings, ...)
    ├── PluginLoadError               a plugin failed to import or registered badly
    ├── APIConnectionError            the request did not get a response
    │   └── APITimeoutError           connect/read/write/pool timeout
    ├── APIStatusError                the provider answered with an error
    │   ├── AuthenticationError       401 / 403
    │   ├── ModelNotFoundError        404
    │   ├── RateLimitError            429 (``retry_after`` in seconds)
    │   ├── InvalidRequestError       400 / 409 / 413 / 422
    │   │   ├── ContextLengthExceededError
    │   │   └── ContentFilterError
    │   └── ProviderError             5xx, 529 overloaded, unexpected statuses
    ├── ResponseValidationError       a body or stream event that does not parse
    ├── BatchNotCompleteError         batch results asked for before the batch finished (``status``)
    ├── FallbacksExhaustedError       a Router tried every deployment; ``attempts`` says why each failed
    └── OutputError                   a completion whose content cannot be used as asked
        ├── LengthFinishReasonError   structured output cut short by max tokens
        ├── ContentFilterFinishReasonError
        └── StructuredOutputError     the content is not valid JSON for the requested type

Every error carries ``provider``; those built from a response also carry ``status_code``,
``request_id`` and a truncated ``body``. No error ever holds an API key: messages and bodies
pass through :func:`redact` before they are stored.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from any_llm.types.completion import ChatCompletion

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AnyLLMError",
    "AuthenticationError",
    "BatchNotCompleteError",
    "ConfigurationError",
    "ContentFilterError",
    "ContentFilterFinishReasonError",
    "ContextLengthExceededError",
    "FallbacksExhaustedError",
    "InvalidRequestError",
    "LengthFinishReasonError",
    "MissingApiKeyError",
    "ModelNotFoundError",
    "OutputError",
    "PluginLoadError",
    "ProviderError",
    "RateLimitError",
    "ResponseValidationError",
    "StructuredOutputError",
    "UnsupportedCapabilityError",
    "UnsupportedParameterError",
    "UnsupportedProviderError",
    "redact",
]

BODY_LIMIT = 2000
"""Characters of a response body kept on an error (the rest is cut, with a marker)."""

_SECRETS: set[str] = set()
_KEYISH = re.compile(r"(?i)(bearer\s+|(?:x-goog-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?|[?&]key=)([A-Za-z0-9._\-~+/]{8,})")


def register_secret(secret: str) -> None:
    """Remember a key so that :func:`redact` blanks it wherever it shows up (keys of 8+ chars)."""
    if len(secret) >= 8:
        _SECRETS.add(secret)


def redact(text: str) -> str:
    """Blank every known API key, and anything shaped like ``Bearer <token>``, in ``text``."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return _KEYISH.sub(lambda m: m.group(1) + "***", text)


class AnyLLMError(Exception):
    """Root of every anyllm error."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status_code = status_code
        self.request_id = redact(request_id) if request_id else request_id
        if body is not None:
            body = redact(body)
            if len(body) > BODY_LIMIT:
                body = body[:BODY_LIMIT] + f"... [{len(body) - BODY_LIMIT} more characters]"
        self.body = body

    def __str__(self) -> str:
        parts = [self.message]
        extra = []
        if self.provider:
            extra.append(f"provider={self.provider}")
        if self.status_code is not None:
            extra.append(f"status={self.status_code}")
        if self.request_id:
            extra.append(f"request_id={self.request_id}")
        if extra:
            parts.append(f"({', '.join(extra)})")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, provider={self.provider!r}, status_code={self.status_code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle-safe (for multiprocessing) without re-running subclass __init__ signatures.
        return (_rebuild, (type(self), self.__dict__))


def _rebuild(cls: type[AnyLLMError], state: dict[str, Any]) -> AnyLLMError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class ConfigurationError(AnyLLMError, ValueError):
    """The call was wrong; nothing was sent. The message says what to change."""


class MissingApiKeyError(ConfigurationError):
    """No API key was given and none of the provider's env vars is set."""

    def __init__(self, provider_name: str, env_var_name: str) -> None:
        self.provider_name = provider_name
        self.env_var_name = env_var_name
        super().__init__(
            f"No {provider_name} API key provided. Pass api_key=... or set the {env_var_name} environment variable.",
            provider=provider_name,
        )


class UnsupportedProviderError(ConfigurationError):
    """The provider name is not installed (and, for a first-party name, says what to pip install)."""

    def __init__(self, provider_key: str, supported_providers: list[str], hint: str | None = None) -> None:
        self.provider_key = provider_key
        self.supported_providers = supported_providers
        installed = ", ".join(supported_providers) if supported_providers else "none"
        message = f"'{provider_key}' is not an installed provider. Installed providers: {installed}."
        if hint:
            message = f"{message} {hint}"
        super().__init__(message, provider=provider_key)


class UnsupportedParameterError(ConfigurationError):
    """A parameter the provider cannot honour; refused before sending instead of silently dropped."""

    def __init__(self, parameter_name: str, provider_name: str, additional_message: str | None = None) -> None:
        self.parameter_name = parameter_name
        self.provider_name = provider_name
        message = f"'{parameter_name}' is not supported for {provider_name}"
        message = f"{message}: {additional_message}" if additional_message else f"{message}; remove it from the call"
        super().__init__(message, provider=provider_name)


class UnsupportedCapabilityError(ConfigurationError):
    """The provider lacks a whole capability (streaming, tools, embeddings, list_models, ...)."""

    def __init__(self, capability: str, provider_name: str, reason: str | None = None) -> None:
        self.capability = capability
        self.provider_name = provider_name
        message = f"{provider_name} does not support {capability}"
        super().__init__(f"{message}: {reason}" if reason else message, provider=provider_name)

    @classmethod
    def declared(cls, provider: Any, capability: str) -> UnsupportedCapabilityError:
        """The error for a capability ``provider`` declares off, with its ``capability_notes`` reason if any."""
        notes = getattr(provider, "capability_notes", None) or {}
        return cls(capability, provider.name, notes.get(capability))


class PluginLoadError(AnyLLMError):
    """A plugin distribution failed to import or to register its providers."""

    def __init__(self, message: str, *, distribution: str | None = None, provider: str | None = None) -> None:
        self.distribution = distribution
        super().__init__(message, provider=provider)


class APIConnectionError(AnyLLMError):
    """No usable response: connection refused or reset, DNS failure, a broken stream."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or waiting for a pooled connection)."""


class APIStatusError(AnyLLMError):
    """The provider answered with an error status."""


class AuthenticationError(APIStatusError):
    """401 or 403: the key is wrong, expired or lacks permission."""


class ModelNotFoundError(APIStatusError):
    """404: the model (or endpoint) does not exist for this provider."""


class RateLimitError(APIStatusError):
    """429: slow down; ``retry_after`` holds the server's hint in seconds, if it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InvalidRequestError(APIStatusError):
    """400/409/413/422: the provider rejected the request as malformed."""


class ContextLengthExceededError(InvalidRequestError):
    """The prompt plus the requested output do not fit the model's context window."""


class ContentFilterError(InvalidRequestError):
    """The provider's safety system blocked the prompt or the answer."""


class ProviderError(APIStatusError):
    """5xx, overloaded (529), or any status we cannot classify further."""


class ResponseValidationError(AnyLLMError):
    """The provider's answer does not have the documented shape (bad JSON, missing fields)."""


class OutputError(AnyLLMError):
    """The completion arrived but cannot be used as asked; ``completion`` holds it."""

    def __init__(self, message: str, *, completion: ChatCompletion | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.completion = completion


class LengthFinishReasonError(OutputError):
    """Structured output stopped at the token limit, so its JSON is incomplete."""


class ContentFilterFinishReasonError(OutputError):
    """Structured output was stopped by the provider's content filter."""


class StructuredOutputError(OutputError):
    """The content is not valid JSON for the requested type; ``raw`` holds the content."""

    def __init__(self, message: str, *, raw: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.raw = raw


class BatchNotCompleteError(AnyLLMError):
    """The batch has no results yet (or never will): ``status`` says where it is, ``batch_id`` which one."""

    def __init__(self, batch_id: str, status: str, *, provider: str | None = None) -> None:
        self.batch_id = batch_id
        self.status = status
        hint = (
            "poll retrieve_batch() until its status is 'completed'"
            if status in ("validating", "in_progress", "finalizing", "cancelling")
            else "it ended without results; create a new batch"
        )
        super().__init__(f"batch {batch_id} is {status}, not completed: {hint}", provider=provider)


class FallbacksExhaustedError(AnyLLMError):
    """A :class:`~any_llm.router.Router` tried every deployment it could and each one failed.

    ``attempts`` holds ``(deployment name, error)`` pairs in the order they were tried; the
    message lists them, so the log line alone says what to fix.
    """

    def __init__(self, message: str, *, attempts: list[tuple[str, AnyLLMError]], **kwargs: Any) -> None:
        tried = "; ".join(f"{name}: {type(err).__name__}: {err.message}" for name, err in attempts)
        super().__init__(f"{message} Tried {len(attempts)}: {tried}" if attempts else message, **kwargs)
        self.attempts = list(attempts)
