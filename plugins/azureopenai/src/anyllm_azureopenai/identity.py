"""azure-identity credentials whose HTTP requests core sends (the ``[identity]`` extra).

azure-identity computes Entra ID tokens (MSAL's client-credential grant, the managed-identity
endpoint, workload identity...) and sends its own requests through an azure-core *transport*. The
credentials made here get :class:`CoreTransport`, which hands every such request to the token send
of the client's fetch under way, so the token requests go through the client's httpx pool like any
other anyllm request: same proxies, TLS trust (``SSL_CERT_FILE``), connection limits. The credential
keeps its own logic, timeouts (the managed-identity probe's one second) and retry policy; core's
retries are switched off for these requests so the two do not stack.

A credential built elsewhere (``credential=DefaultAzureCredential()`` from azure-identity itself)
keeps its own transport: it is the user's chosen library computing a token, and core still caches
the token, refreshes it once per expiry and once on a 401.

azure-core is imported only when a credential is made: the module imports without the extra.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from typing import Any

from any_llm import errors
from any_llm.auth import Token, TokenAuth, TokenRequest, TokenResponse
from any_llm.provider import HTTPRequest

__all__ = ["CoreSentCredentialAuth", "DefaultAzureCredential", "core_sent", "is_core_sent"]

_Send = Callable[[HTTPRequest], TokenResponse]
_ASend = Callable[[HTTPRequest], Awaitable[TokenResponse]]

_CURRENT: contextvars.ContextVar[tuple[Any, asyncio.AbstractEventLoop | None] | None] = contextvars.ContextVar(
    "anyllm_azure_token_send", default=None
)
"""The token send of the fetch under way (and its event loop when the send is async)."""

_MARK = "_anyllm_core_sent"


def _identity() -> Any:
    try:
        import azure.identity  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise errors.ConfigurationError(
            "azure-identity is not installed: pip install anyllm-azureopenai[identity]"
        ) from None
    return azure.identity


def core_sent(credential_class: Any, /, **kwargs: Any) -> Any:
    """``credential_class(**kwargs)`` (an azure-identity credential class) with core sending its requests.

    Pass the result as ``credential=``: ``core_sent(ClientSecretCredential, tenant_id=..., ...)``.
    """
    if "transport" in kwargs:
        raise errors.ConfigurationError("core_sent() sets the credential's transport itself: do not pass transport=")
    import inspect

    if inspect.iscoroutinefunction(getattr(credential_class, "get_token", None)):
        raise errors.ConfigurationError(
            "core_sent() takes azure-identity's sync credential classes (async calls run them in a worker thread); "
            "an azure.identity.aio credential can be passed as credential= directly"
        )
    credential = credential_class(transport=CoreTransport(), **kwargs)
    setattr(credential, _MARK, True)
    return credential


def DefaultAzureCredential(**kwargs: Any) -> Any:
    """azure-identity's ``DefaultAzureCredential(**kwargs)`` whose HTTP requests core sends."""
    return core_sent(_identity().DefaultAzureCredential, **kwargs)


def is_core_sent(credential: Any) -> bool:
    return getattr(credential, _MARK, False) is True


class CoreSentCredentialAuth(TokenAuth):
    """A :func:`core_sent` credential as a token flow: ``get_token(scope)`` runs while the fetch's send is
    current, so :class:`CoreTransport` sends through core. Sync calls run it in place; async calls in a
    worker thread (azure-identity's sync credentials block), whose requests are sent on the caller's loop."""

    def __init__(self, credential: Any, scope: str, *, what: str) -> None:
        self.credential = credential
        self.scope = scope
        self.what = what

    def __repr__(self) -> str:
        return f"CoreSentCredentialAuth({self.what})"

    def sync_fetch(self, send: _Send) -> Token:
        mark = _CURRENT.set((send, None))
        try:
            return self._get()
        finally:
            _CURRENT.reset(mark)

    async def async_fetch(self, send: _ASend) -> Token:
        loop = asyncio.get_running_loop()

        def run() -> Token:
            _CURRENT.set((send, loop))  # this worker thread's copy of the context
            return self._get()

        return await asyncio.to_thread(run)

    def _get(self) -> Token:
        from azure.core.exceptions import ClientAuthenticationError  # type: ignore[import-not-found,unused-ignore]

        try:
            access = self.credential.get_token(self.scope)
        except ClientAuthenticationError as exc:
            # azure-identity's messages name the failing credential and Entra's error code, never a secret
            raise errors.AuthenticationError(
                f"{self.what} could not get a Microsoft Entra ID token: {exc.message}"
            ) from None
        return Token.expiring_at(access.token, getattr(access, "expires_on", None))


def _transport_base() -> Any:
    from azure.core.pipeline.transport import HttpTransport  # type: ignore[import-not-found,unused-ignore]

    return HttpTransport


def _response_base() -> Any:
    from azure.core.rest import HttpResponse  # type: ignore[import-not-found,unused-ignore]

    return HttpResponse


def _make_classes() -> tuple[type, type]:
    HttpTransport = _transport_base()
    RestResponse = _response_base()

    class _Response(RestResponse):  # type: ignore[misc,valid-type]
        """An answer core received, as ``azure.core.rest.HttpResponse`` (fully read)."""

        def __init__(self, request: Any, answer: TokenResponse) -> None:
            from azure.core.utils import case_insensitive_dict  # type: ignore[import-not-found,unused-ignore]

            self._request = request
            self._status = answer.status_code
            self._headers: MutableMapping[str, str] = case_insensitive_dict(dict(answer.headers))
            self._content = answer.body
            self._json: Any = None  # azure-core's ContentDecodePolicy caches the decoded body here

        request = property(lambda self: self._request)
        status_code = property(lambda self: self._status)
        headers = property(lambda self: self._headers)
        reason = property(lambda self: "")
        content_type = property(lambda self: self._headers.get("content-type"))
        is_closed = property(lambda self: True)
        is_stream_consumed = property(lambda self: True)
        encoding = property(lambda self: "utf-8")
        url = property(lambda self: self._request.url)
        content = property(lambda self: self._content)

        def text(self, encoding: str | None = None) -> str:
            return self._content.decode(encoding or "utf-8-sig")

        def json(self) -> Any:
            import json

            return json.loads(self._content)

        def raise_for_status(self) -> None:
            from azure.core.exceptions import HttpResponseError  # type: ignore[import-not-found,unused-ignore]

            if self._status >= 400:
                raise HttpResponseError(response=self)

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *args: Any) -> None:
            return None

        def close(self) -> None:
            return None

        def read(self) -> bytes:
            return self._content

        def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
            yield self._content

        def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
            yield self._content

        def body(self) -> bytes:  # the legacy pipeline's accessor
            return self._content

    class _CoreTransport(HttpTransport):  # type: ignore[misc,valid-type]
        """An azure-core transport that sends through core's token send of the fetch under way."""

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *args: Any) -> None:
            return None

        def open(self) -> None:
            return None

        def close(self) -> None:
            return None

        def send(self, request: Any, **kwargs: Any) -> Any:
            from azure.core.exceptions import (  # type: ignore[import-not-found,unused-ignore]
                ServiceRequestError,
                ServiceRequestTimeoutError,
            )

            current = _CURRENT.get()
            if current is None:
                raise ServiceRequestError(
                    "this credential's requests are sent by anyllm: use it as credential= of an Azure provider"
                )
            send, loop = current
            token_request = _token_request(request, _timeout(kwargs))
            try:
                if loop is None:
                    answer = send(token_request)
                else:
                    answer = asyncio.run_coroutine_threadsafe(send(token_request), loop).result()
            except errors.APITimeoutError as exc:
                raise ServiceRequestTimeoutError(exc.message) from None
            except errors.APIConnectionError as exc:
                raise ServiceRequestError(exc.message) from None
            return _Response(request, answer)

    return _CoreTransport, _Response


_CLASSES: tuple[type, type] | None = None


def CoreTransport() -> Any:
    """An azure-core ``HttpTransport`` whose sends go through core (azure-core needed)."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _make_classes()
    return _CLASSES[0]()


def _timeout(kwargs: Mapping[str, Any]) -> Any:
    """azure-core's per-request ``connection_timeout`` / ``read_timeout`` (the managed-identity probe's
    one second) as an httpx timeout; azure-core's defaults (300 s) for the one not given; None when the
    credential set neither (core's own timeout applies)."""
    import httpx

    connect, read = kwargs.get("connection_timeout"), kwargs.get("read_timeout")
    if not isinstance(connect, (int, float)) and not isinstance(read, (int, float)):
        return None
    connect = float(connect) if isinstance(connect, (int, float)) else 300.0
    read = float(read) if isinstance(read, (int, float)) else 300.0
    return httpx.Timeout(read, connect=connect)


def _token_request(request: Any, timeout: Any) -> TokenRequest:
    """An azure-core request as core's :class:`TokenRequest`: a form body stays a form, bytes stay bytes."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    body = request.content
    form: dict[str, str] | None = None
    content: bytes | None = None
    if isinstance(body, dict):
        form = {str(k): str(v) for k, v in body.items()}
    elif isinstance(body, str):
        content = body.encode()
    elif isinstance(body, (bytes, bytearray)):
        content = bytes(body)
    elif body is not None:
        raise errors.ConfigurationError(f"cannot send a {type(body).__name__} body for the credential")
    return TokenRequest(
        request.method, request.url, headers=headers, content=content, form=form, timeout=timeout, max_retries=0
    )
