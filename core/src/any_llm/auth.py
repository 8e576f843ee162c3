"""Token authentication: a provider declares how to get a token, core sends, caches and refreshes it.

Some providers cannot sign a request with a static key: they first exchange a credential for a
short-lived bearer token (IBM IAM's API-key exchange, a Google service-account JWT, an Azure Entra
ID token). This module models that the way httpx models ``Auth.auth_flow``: a provider returns a
:class:`TokenAuth` from :meth:`~any_llm.provider.Provider.token_auth`, whose :meth:`TokenAuth.token_flow`
is a generator that *yields* the token request (an :class:`~any_llm.provider.HTTPRequest`), *receives*
the answer (a :class:`TokenResponse`) and *returns* a :class:`Token`. The flow never does I/O itself,
so it is a pure function of the answers it is fed, testable without a server::

    class IAMAuth(TokenAuth):
        def token_flow(self):
            response = yield TokenRequest("POST", IAM_URL, form={"apikey": ...})
            data = response.json_object()
            return Token(data["access_token"], expires_in=data["expires_in"])

Core (:class:`TokenCache`, one per client) drives the flow through the client's own httpx pool
(same proxies, TLS settings, timeouts and retries of connection errors and 5xx), keeps the token
until shortly before it expires, lets one caller fetch while every other thread or asyncio task
waits for that one answer (single flight), and on a 401 drops the token, fetches once more and
resends once. A user's own token callable (Azure's ``azure_ad_token_provider``, sync or async) is
:class:`CallableTokenAuth`, which skips the request/response part.

Tokens, token requests and token responses never reach a log line, repr or error message: tokens
are :class:`~any_llm.provider.Secret` (registered for redaction), requests and responses hide
their bodies and headers, and nothing here logs more than a provider name and a lifetime.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.provider import HTTPRequest, Secret

if TYPE_CHECKING:
    import asyncio

    import httpx

    from any_llm.provider import Provider
    from any_llm.transport import Transport

__all__ = [
    "CallableTokenAuth",
    "Token",
    "TokenAuth",
    "TokenCache",
    "TokenFlow",
    "TokenRequest",
    "TokenResponse",
    "credential_token_auth",
    "token_endpoint_error",
]

logger = logging.getLogger("any_llm")

DEFAULT_REFRESH_MARGIN = 60.0
"""Seconds before expiry at which a token counts as stale (capped at half its lifetime)."""


class Token:
    """A bearer token and how long it lives (``expires_in`` seconds from when it was issued; None: unknown)."""

    __slots__ = ("_secret", "expires_in")

    def __init__(self, value: str, expires_in: float | None = None) -> None:
        if not isinstance(value, str) or not value:
            raise errors.AuthenticationError("the token endpoint answered without a token")
        self._secret = Secret(value)
        self.expires_in = float(expires_in) if expires_in is not None else None

    @classmethod
    def expiring_at(cls, value: str, expires_at: float | None) -> Token:
        """A token whose expiry is a Unix timestamp (Azure's ``AccessToken.expires_on``)."""
        return cls(value, None if expires_at is None else max(float(expires_at) - time.time(), 0.0))

    @property
    def value(self) -> str:
        return self._secret.get()

    def __repr__(self) -> str:
        return f"Token('***', expires_in={self.expires_in!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("tokens are not picklable")


@dataclass(slots=True, repr=False)
class TokenRequest(HTTPRequest):
    """A token request; ``form`` is sent as ``application/x-www-form-urlencoded`` (OAuth2's encoding).

    ``timeout`` and ``max_retries`` override the client's for this request only: a credential library
    whose requests core sends (azure-identity through an azure-core transport) keeps its own short
    probe timeouts and its own retry policy instead of stacking core's on top of it.
    """

    form: Mapping[str, str] | None = None
    timeout: float | httpx.Timeout | None = None
    max_retries: int | None = None

    def __repr__(self) -> str:
        return f"TokenRequest(method={self.method!r}, url={self.url!r})"


@dataclass(frozen=True, slots=True, repr=False)
class TokenResponse:
    """What the token endpoint answered, fed back into the flow."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes

    def json_object(self, provider: str | None = None) -> dict[str, Any]:
        """The body as a JSON object; a typed error (without the body: it may hold a token) otherwise."""
        import json

        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise errors.AuthenticationError(
                "the token endpoint answered with a body that is not a JSON object",
                provider=provider,
                status_code=self.status_code,
            )
        return data

    def oauth_token(self, provider: str | None, what: str) -> Token:
        """The token of a standard OAuth2 answer (``{"access_token", "expires_in"}``, RFC 6749 5.1), or
        :func:`token_endpoint_error` naming ``what`` to check when the endpoint refused."""
        if self.status_code != 200:
            raise token_endpoint_error(provider, self, what)
        data = self.json_object(provider)
        value = data.get("access_token")
        if not isinstance(value, str) or not value:
            raise errors.AuthenticationError("the token endpoint answered without an access_token", provider=provider)
        expires_in = data.get("expires_in")
        if isinstance(expires_in, str) and expires_in.isdigit():
            expires_in = int(expires_in)
        return Token(value, expires_in if isinstance(expires_in, (int, float)) else None)

    def __repr__(self) -> str:
        return f"TokenResponse(status_code={self.status_code!r})"


TokenFlow = Generator[HTTPRequest, TokenResponse, Token]


def token_endpoint_error(provider: str | None, response: TokenResponse, what: str) -> errors.AnyLLMError:
    """The error for a token endpoint's refusal: 4xx → AuthenticationError naming ``what`` to check.

    The body's OAuth2 ``error`` / ``error_description`` (or IBM's ``errorMessage``) is kept: those
    never hold a token; the rest of the body is not.
    """
    import json

    detail = ""
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        parts = [
            str(data[k])
            for k in ("error", "error_description", "errorCode", "errorMessage", "message")
            if isinstance(data.get(k), (str, int))
        ]
        detail = ": " + " ".join(parts) if parts else ""
    message = f"the token endpoint refused the credentials (HTTP {response.status_code}{detail}). Check {what}."
    cls: type[errors.APIStatusError]
    if response.status_code == 429:
        cls = errors.RateLimitError
    elif response.status_code >= 500:
        cls = errors.ProviderError
    else:
        cls = errors.AuthenticationError
    return cls(message, provider=provider, status_code=response.status_code)


class TokenAuth:
    """How a provider gets a token (:meth:`token_flow`) and puts it on a request (:meth:`apply`).

    Subclass and write :meth:`token_flow`; override :meth:`apply` for another header than
    ``Authorization: Bearer``. :meth:`sync_fetch` / :meth:`async_fetch` drive the flow and are the
    seam for sources that are not request/response (see :class:`CallableTokenAuth`).
    """

    refresh_margin: float = DEFAULT_REFRESH_MARGIN

    def token_flow(self) -> TokenFlow:
        """Yield token requests, receive their responses, return the :class:`Token`. A failed send is
        thrown into the generator (an :class:`~any_llm.errors.APIConnectionError`), so a flow may
        catch it and raise a clearer error (e.g. "no metadata server: set GOOGLE_APPLICATION_CREDENTIALS")."""
        raise NotImplementedError

    def apply(self, headers: MutableMapping[str, str], token: Token) -> None:
        """Authenticate a request with ``token``; the default is ``Authorization: Bearer <token>``."""
        headers["Authorization"] = f"Bearer {token.value}"

    def sync_fetch(self, send: Callable[[HTTPRequest], TokenResponse]) -> Token:
        flow = self.token_flow()
        request = next(flow)
        while True:
            try:
                try:
                    response = send(request)
                except errors.AnyLLMError as exc:
                    request = flow.throw(exc)
                    continue
                request = flow.send(response)
            except StopIteration as stop:
                return _checked(stop.value)

    async def async_fetch(self, send: Callable[[HTTPRequest], Awaitable[TokenResponse]]) -> Token:
        flow = self.token_flow()
        request = next(flow)
        while True:
            try:
                try:
                    response = await send(request)
                except errors.AnyLLMError as exc:
                    request = flow.throw(exc)
                    continue
                request = flow.send(response)
            except StopIteration as stop:
                return _checked(stop.value)


def _checked(token: Any) -> Token:
    if not isinstance(token, Token):
        raise TypeError(f"a token flow must return an any_llm.auth.Token, not {type(token).__name__}")
    return token


class CallableTokenAuth(TokenAuth):
    """A user's token callable as a flow: ``fn()`` returns a token string, or an object with ``.token``
    and ``.expires_on`` (azure-identity's ``AccessToken``), or an awaitable of either.

    A sync call cannot wait on a coroutine: an async callable works with ``acompletion`` only (as in
    openai-python, whose sync client takes only sync providers). Async calls run a sync callable in a
    worker thread, so a provider that does blocking I/O does not stall the event loop.
    """

    def __init__(self, fn: Callable[[], Any], *, what: str = "the token provider") -> None:
        if not callable(fn):
            raise errors.ConfigurationError(f"{what} must be callable, got {type(fn).__name__}")
        self.fn = fn
        self.what = what

    def __repr__(self) -> str:
        return f"CallableTokenAuth({self.what})"

    def sync_fetch(self, send: Callable[[HTTPRequest], TokenResponse]) -> Token:
        result = self.fn()
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise errors.ConfigurationError(
                f"{self.what} is async: use acompletion() (or the async client), or pass a sync callable"
            )
        return self._token(result)

    async def async_fetch(self, send: Callable[[HTTPRequest], Awaitable[TokenResponse]]) -> Token:
        import asyncio

        if inspect.iscoroutinefunction(self.fn):
            result = await self.fn()
        else:
            result = await asyncio.to_thread(self.fn)
            if inspect.isawaitable(result):
                result = await result
        return self._token(result)

    def _token(self, result: Any) -> Token:
        if isinstance(result, Token):
            return result
        if isinstance(result, str):
            return Token(result)
        value = getattr(result, "token", None)
        if isinstance(value, str):
            return Token.expiring_at(value, getattr(result, "expires_on", None))
        raise errors.ConfigurationError(
            f"{self.what} returned {type(result).__name__}; return a token string or an object with "
            ".token and .expires_on (azure.core.credentials.AccessToken)"
        )


def credential_token_auth(credential: Any, scope: str, *, what: str = "the credential") -> CallableTokenAuth:
    """A credential object with ``get_token(scope)`` (azure-core's ``TokenCredential``, sync or async, as
    azure-identity's ``DefaultAzureCredential``) as a flow: the object computes the token, core caches it
    until its ``expires_on``."""
    get_token = getattr(credential, "get_token", None)
    if not callable(get_token):
        raise errors.ConfigurationError(f"{what} must have a get_token(scope) method, got {type(credential).__name__}")
    if inspect.iscoroutinefunction(get_token):

        async def fetch_async() -> Any:
            return await get_token(scope)

        return CallableTokenAuth(fetch_async, what=what)
    return CallableTokenAuth(lambda: get_token(scope), what=what)


# -- core's side: sending, caching, single flight ---------------------------------------------------


class _Flight:
    """One token fetch under way; every other caller waits for its outcome."""

    __slots__ = ("done", "error", "token", "waiters")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.token: Token | None = None
        self.error: BaseException | None = None
        self.waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []


class _Unset:
    pass


_UNSET = _Unset()


class TokenCache:
    """One client's token: fetched on first use, kept until shortly before expiry, shared by threads
    and tasks. The transport calls :meth:`sync_authorize` / :meth:`async_authorize` before a send and
    passes ``stale=`` the token a 401 answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._auth: TokenAuth | _Unset | None = _UNSET
        self._token: Token | None = None
        self._refresh_at = 0.0
        self._flight: _Flight | None = None
        self.fetches = 0
        """Token fetches started (for tests and diagnostics)."""

    def __repr__(self) -> str:
        return f"TokenCache(fetches={self.fetches})"

    def auth(self, provider: Provider) -> TokenAuth | None:
        auth = self._auth
        if isinstance(auth, _Unset):
            declare = getattr(provider, "token_auth", None)
            auth = declare() if declare is not None else None
            self._auth = auth
        return auth

    # -- the shared state machine --------------------------------------------------------------

    def _begin(self, stale: Token | None) -> tuple[Token | None, _Flight | None, bool]:
        """(fresh token, or the flight to wait for / lead, and whether this caller leads it)."""
        with self._lock:
            if stale is not None and self._token is stale:
                self._token = None  # the server refused it: whoever comes first fetches a new one
            if self._token is not None and time.monotonic() < self._refresh_at:
                return self._token, None, False
            if self._flight is not None:
                return None, self._flight, False
            self._flight = _Flight()
            self.fetches += 1
            return None, self._flight, True

    def _end(self, flight: _Flight, token: Token | None, error: BaseException | None, margin: float) -> None:
        with self._lock:
            if token is not None:
                self._token = token
                now = time.monotonic()
                if token.expires_in is None:
                    self._refresh_at = float("inf")
                else:
                    self._refresh_at = now + token.expires_in - min(margin, token.expires_in / 2)
            flight.token, flight.error = token, error
            self._flight = None
            flight.done.set()
            waiters, flight.waiters = flight.waiters, []
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_settle, future)
            except RuntimeError:  # that loop is closed: nobody is waiting there any more
                pass

    @staticmethod
    def _outcome(flight: _Flight) -> Token | None:
        if flight.error is not None:
            import copy

            # each waiter raises its own copy: one exception object raised in many threads would share
            # (and garble) one traceback
            raise copy.copy(flight.error)
        return flight.token  # None: the leader was cancelled; try again

    @staticmethod
    def _log(provider: Provider, token: Token) -> None:
        life = "no stated expiry" if token.expires_in is None else f"expires in {token.expires_in:.0f} s"
        logger.debug("%s: fetched an access token (%s)", provider.name, life)

    # -- sync ----------------------------------------------------------------------------------

    def sync_token(self, transport: Transport, provider: Provider, stale: Token | None = None) -> Token:
        auth = self.auth(provider)
        assert auth is not None
        while True:
            token, flight, leader = self._begin(stale)
            stale = None
            if token is not None:
                return token
            assert flight is not None
            if leader:
                try:
                    token = auth.sync_fetch(lambda r: _send_sync(transport, provider, r))
                except BaseException as exc:
                    # interrupted (KeyboardInterrupt...): waiters get None and one of them leads a new fetch
                    error = _fetch_error(exc, provider) if isinstance(exc, Exception) else None
                    self._end(flight, None, error, auth.refresh_margin)
                    if error is None or error is exc:
                        raise
                    raise error from None
                self._end(flight, token, None, auth.refresh_margin)
                self._log(provider, token)
                return token
            flight.done.wait()
            token = self._outcome(flight)
            if token is not None:
                return token

    def sync_authorize(
        self, transport: Transport, provider: Provider, request: httpx.Request, stale: Token | None = None
    ) -> Token | None:
        """Put the current token on ``request``; None (nothing done) for a provider without token auth."""
        auth = self.auth(provider)
        if auth is None:
            return None
        token = self.sync_token(transport, provider, stale)
        auth.apply(request.headers, token)
        return token

    # -- async ---------------------------------------------------------------------------------

    async def async_token(self, transport: Transport, provider: Provider, stale: Token | None = None) -> Token:
        import asyncio

        auth = self.auth(provider)
        assert auth is not None
        while True:
            token, flight, leader = self._begin(stale)
            stale = None
            if token is not None:
                return token
            assert flight is not None
            if leader:
                try:
                    token = await auth.async_fetch(lambda r: _send_async(transport, provider, r))
                except BaseException as exc:
                    # cancelled: waiters get None and one of them leads a new fetch
                    error = _fetch_error(exc, provider) if isinstance(exc, Exception) else None
                    self._end(flight, None, error, auth.refresh_margin)
                    if error is None or error is exc:
                        raise
                    raise error from None
                self._end(flight, token, None, auth.refresh_margin)
                self._log(provider, token)
                return token
            loop = asyncio.get_running_loop()
            future: asyncio.Future[None] = loop.create_future()
            with self._lock:
                pending = not flight.done.is_set()
                if pending:
                    flight.waiters.append((loop, future))
            if pending:
                await future
            token = self._outcome(flight)
            if token is not None:
                return token

    async def async_authorize(
        self, transport: Transport, provider: Provider, request: httpx.Request, stale: Token | None = None
    ) -> Token | None:
        """Async twin of :meth:`sync_authorize`."""
        auth = self.auth(provider)
        if auth is None:
            return None
        token = await self.async_token(transport, provider, stale)
        auth.apply(request.headers, token)
        return token


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _fetch_error(exc: BaseException, provider: Provider) -> BaseException:
    """A flow's failure as a typed error; a bug in a flow (KeyError on an odd answer...) says so
    without quoting anything the token endpoint sent."""
    if isinstance(exc, errors.AnyLLMError):
        if exc.provider is None:
            exc.provider = provider.name  # flows shared by several providers need not know whose they are
        return exc
    if not isinstance(exc, Exception):
        return exc
    return errors.AuthenticationError(
        f"could not get an access token: the token endpoint's answer has an unexpected shape ({type(exc).__name__})",
        provider=provider.name,
    )


# -- sending a token request through the client's own pool ------------------------------------------


def _build(client: httpx.Client | httpx.AsyncClient, transport: Transport, request: HTTPRequest) -> httpx.Request:
    from urllib.parse import urlencode

    headers = dict(request.headers)
    content: bytes | None = None
    form = request.form if isinstance(request, TokenRequest) else None
    if form is not None:
        content = urlencode(dict(form)).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif request.json is not None:
        import json

        content = json.dumps(request.json, separators=(",", ":")).encode()
        headers.setdefault("Content-Type", "application/json")
    elif request.content is not None:
        content = request.content
    headers.setdefault("Accept", "application/json")
    if "://" not in request.url:
        raise errors.ConfigurationError(f"a token request needs an absolute URL, got {request.url!r}")
    timeout: Any = transport.timeout
    if isinstance(request, TokenRequest) and request.timeout is not None:
        timeout = request.timeout
    return client.build_request(
        request.method, request.url, content=content, params=request.params, headers=headers, timeout=timeout
    )


def _retry_delay(transport: Transport, attempt: int, status: int | None, request: HTTPRequest) -> float | None:
    """Seconds to wait before trying a token request again, or None to stop (connection errors,
    429 and 5xx are retried like any request, up to the client's ``max_retries`` or the request's)."""
    from any_llm.transport import backoff

    limit = transport.max_retries
    if isinstance(request, TokenRequest) and request.max_retries is not None:
        limit = request.max_retries
    if attempt >= limit:
        return None
    if status is not None and status != 429 and status < 500:
        return None
    return backoff(attempt)


def _send_sync(transport: Transport, provider: Provider, request: HTTPRequest) -> TokenResponse:
    import httpx

    from any_llm.transport import map_transport_error

    client = transport.sync_client
    built = _build(client, transport, request)
    attempt = 0
    while True:
        try:
            response = client.send(built)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            delay = _retry_delay(transport, attempt, None, request)
            if delay is None:
                raise map_transport_error(exc, provider.name, "while fetching an access token") from None
        else:
            delay = _retry_delay(transport, attempt, response.status_code, request)
            if delay is None:
                return TokenResponse(response.status_code, response.headers, response.content)
        attempt += 1
        time.sleep(delay)


async def _send_async(transport: Transport, provider: Provider, request: HTTPRequest) -> TokenResponse:
    import asyncio

    import httpx

    from any_llm.transport import map_transport_error

    client = await transport.async_client()
    built = _build(client, transport, request)
    attempt = 0
    while True:
        try:
            response = await client.send(built)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            delay = _retry_delay(transport, attempt, None, request)
            if delay is None:
                raise map_transport_error(exc, provider.name, "while fetching an access token") from None
        else:
            delay = _retry_delay(transport, attempt, response.status_code, request)
            if delay is None:
                return TokenResponse(response.status_code, response.headers, response.content)
        attempt += 1
        await asyncio.sleep(delay)
