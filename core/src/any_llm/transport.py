"""The only network code in anyllm: pooled httpx clients, retries, timeouts, redirects.

The retry/redirect logic is one generator (:meth:`Transport._flow`) that yields what to do next
(send this request, sleep this long) and is told what happened; :meth:`Transport.send` and
:meth:`Transport.asend` only perform those steps, so sync and async cannot drift apart.

Async clients are kept per event loop (an httpx.AsyncClient cannot outlive its loop) and are
closed from inside that loop when ``asyncio.run()`` shuts it down, through an async generator that
the loop finalizes; so ``asyncio.run()`` may be called any number of times, without
"Event loop is closed" noise.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from any_llm import errors
from any_llm.auth import TokenCache
from any_llm.deadline import cap_timeouts, guard_body
from any_llm.provider import Provider as _Provider
from any_llm.retry import RetryPolicy, limits
from any_llm.wire import is_retryable, parse_retry_after, plugin_error

if TYPE_CHECKING:
    import asyncio

    from any_llm.callhooks import CallInfo
    from any_llm.provider import HTTPRequest, Provider

__all__ = ["DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "Transport", "map_transport_error", "mount"]

logger = logging.getLogger("any_llm")

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
"""A server asking us to wait longer than this gets a RateLimitError (with ``retry_after``) at once."""
MAX_REDIRECTS = 5

_NO_SIGNING = _Provider.sign_request
_MOUNTS: dict[str, Any] = {}
"""httpx transports by mount pattern, added to every client core makes while :func:`mount` is active."""
_Step = tuple[str, httpx.Request] | tuple[str, float]
_Outcome = httpx.Response | Exception | None


@contextmanager
def mount(pattern: str, transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> Iterator[None]:
    """Route what core sends to URLs matching ``pattern`` through ``transport`` while the block runs.

    This is httpx's own seam (``httpx.Client(mounts={pattern: transport})``) applied to the clients
    core pools for the module-level functions, which a test cannot reach to pass a transport:
    ``with mount("all://api.example.test", httpx.MockTransport(handler)): completion(...)``.
    ``pattern`` uses httpx's mount syntax (``"http://host"``, ``"all://host:port"``, ``"all://"``);
    ``transport`` should serve both sync and async clients, as ``httpx.MockTransport`` does. Entering
    and leaving the block closes the module-level functions' pooled clients, so that none keeps a route
    it should not; an ``AnyLLM`` made before the block keeps its own (give it ``transport=...`` instead,
    exactly as with httpx).
    """
    from any_llm.api import close_clients

    if pattern in _MOUNTS:
        raise errors.ConfigurationError(f"{pattern!r} is already mounted: leave the other mount() block first")
    close_clients()
    _MOUNTS[pattern] = transport
    try:
        yield
    finally:
        del _MOUNTS[pattern]
        close_clients()


def map_transport_error(exc: Exception, provider: str | None, during: str = "") -> errors.AnyLLMError:
    """httpx's exception → ours, most specific first; the message says what to check."""
    where = f" {during}" if during else ""
    if isinstance(exc, errors.AnyLLMError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        kind = type(exc).__name__
        return errors.APITimeoutError(f"request to {provider} timed out{where} ({kind})", provider=provider)
    if isinstance(exc, httpx.ConnectError):
        return errors.APIConnectionError(
            f"could not connect to {provider}{where}: {exc}. Check api_base and the network.",
            provider=provider,
        )
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.NetworkError)):
        return errors.APIConnectionError(
            f"connection to {provider} broke{where}: {str(exc) or type(exc).__name__}", provider=provider
        )
    if isinstance(exc, httpx.DecodingError):
        return errors.ResponseValidationError(
            f"{provider} sent a body that cannot be decoded: {exc}", provider=provider
        )
    return errors.APIConnectionError(f"request to {provider} failed{where}: {exc!r}", provider=provider)


def translate_error(provider: Provider, response: httpx.Response) -> errors.AnyLLMError:
    """The provider's typed error for an error response; a bug in its error parsing is still a typed error."""
    status, body = response.status_code, response.content
    try:
        return provider.parse_error(status, response.headers, body)
    except errors.AnyLLMError as exc:
        return exc
    except Exception as exc:
        return plugin_error(provider.name, exc, "an error body", body, status)


def _stale_connection(exc: Exception) -> bool:
    """The server closed a reused connection before answering: nothing was received."""
    return isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc)


def backoff(attempt: int) -> float:
    """Capped exponential backoff with jitter: 0.5 s, 1 s, 2 s ... up to 8 s, minus up to 25%."""
    return min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY) * (1 - 0.25 * random.random())


class Transport:
    """Pooled httpx clients for one provider configuration; sync and async share :meth:`_flow`."""

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if retry is not None:  # the policy's numbers win over max_retries
            if not isinstance(retry, RetryPolicy):
                raise errors.ConfigurationError(f"retry must be an any_llm.RetryPolicy, got {type(retry).__name__}")
            max_retries = retry.max_retries
        self.retry = retry
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise errors.ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        self.timeout = _as_timeout(timeout) if timeout is not None else DEFAULT_TIMEOUT
        self.max_retries = max_retries
        self.headers = dict(headers or {})
        self._httpx_args = dict(httpx_args or {})
        self._sync = http_client
        self._owns_sync = http_client is None
        self._user_async = async_http_client
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClient] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None
        self._ssl_lock = threading.Lock()  # separate: _client_kwargs runs under self._lock
        self.tokens = TokenCache()
        """The provider's access token when it declares ``token_auth()`` (see :mod:`any_llm.auth`)."""

    def _client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "timeout": self.timeout,
            "limits": DEFAULT_LIMITS,
            "follow_redirects": False,
        }
        kwargs.update(self._httpx_args)
        if _MOUNTS:
            kwargs["mounts"] = {**_MOUNTS, **kwargs.get("mounts", {})}
        if not {"verify", "cert", "http2"} & kwargs.keys():
            # Loading the CA bundle takes ~40 ms per httpx client; a client is made per event loop,
            # so share one context instead of paying that on every asyncio.run().
            with self._ssl_lock:
                if self._ssl is None:
                    self._ssl = _verifying_context(trust_env=kwargs.get("trust_env", True))
            kwargs["verify"] = self._ssl
        return kwargs

    # -- clients ------------------------------------------------------------------------------

    @property
    def sync_client(self) -> httpx.Client:
        client = self._sync
        if client is None:
            with self._lock:
                client = self._sync
                if client is None:
                    client = self._sync = httpx.Client(**self._client_kwargs())
        return client

    async def async_client(self) -> httpx.AsyncClient:
        import asyncio  # not at module level: sync-only programs never pay for importing it

        from any_llm.asyncenv import cache_missing_sniffio

        cache_missing_sniffio()  # httpcore looks for sniffio ~10 times a request (any_llm.asyncenv)
        if self._user_async is not None:
            return self._user_async
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is None:
            client = httpx.AsyncClient(**self._client_kwargs())
            entry = _LoopClient(client)
            self._async[loop] = entry
            await entry.arm(lambda: self._forget(loop, entry))
        return entry.client

    def _forget(self, loop: asyncio.AbstractEventLoop, entry: _LoopClient) -> None:
        """Drop a loop's client once the loop shut it down. The entry's async generator refers to its
        loop (its finalizer), so a kept entry would keep every finished loop alive forever."""
        if self._async.get(loop) is entry:
            del self._async[loop]

    def close(self) -> None:
        """Close the sync client and forget async ones (each is closed when its loop shuts down)."""
        if self._sync is not None and self._owns_sync:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close the async client of the running loop (and the sync client)."""
        import asyncio

        with_loop = self._async.pop(asyncio.get_running_loop(), None)
        if with_loop is not None:
            await with_loop.client.aclose()
        self.close()

    # -- the shared logic -----------------------------------------------------------------------

    def build(
        self,
        provider: Provider,
        request: HTTPRequest,
        client: httpx.Client | httpx.AsyncClient,
        timeout: float | httpx.Timeout | None,
    ) -> httpx.Request:
        url = request.url
        if "://" not in url:
            url = f"{provider.api_base}/{url.lstrip('/')}"
        # the provider's fixed headers, then the caller's default_headers (which may override them)
        headers = {**provider.auth_headers(), **request.headers, **self.headers}
        if request.call_headers:
            headers.update(request.call_headers)
        content: bytes | None
        if request.json is not None:
            if request.content is not None:
                raise errors.ConfigurationError(
                    f"{provider.name} built a request with both a JSON body and raw content; give one"
                )
            content = _dumps(request.json)
            headers.setdefault("Content-Type", "application/json")
        else:
            content = request.content
        if request.stream:
            headers.setdefault("Accept", _STREAM_ACCEPT.get(provider.stream_format, "text/event-stream"))
        upload = _upload_stream(request, headers)
        built = client.build_request(
            request.method,
            url,
            content=content,
            params=request.params,
            headers=headers,
            timeout=_as_timeout(timeout) if timeout is not None else self.timeout,
        )
        if upload is not None:
            built.stream = upload
        return built

    def _flow(
        self,
        provider: Provider,
        first: httpx.Request,
        policy: RetryPolicy | None = None,
        deadline: float | None = None,
    ) -> Generator[_Step, _Outcome, httpx.Response]:
        """Retry and redirect policy as a generator: yields ("send", req) or ("sleep", s).

        ``policy`` (else this transport's max_retries and :func:`backoff`) sets the retries; no sleep
        is started that would end past ``deadline``: the last error is raised instead."""
        max_retries = self.max_retries if policy is None else policy.max_retries
        pause = backoff if policy is None else policy.backoff
        request = first
        attempt = 0
        redirects = 0
        stale_retried = False
        while True:
            _sign(provider, request)
            outcome = yield ("send", request)
            if isinstance(outcome, Exception):
                err = map_transport_error(outcome, provider.name)
                if not stale_retried and _stale_connection(outcome) and _replayable(request):
                    # a pooled keep-alive connection the server had closed: resend once, free
                    stale_retried = True
                    continue
                logger.debug(
                    "%s %s failed: %s (attempt %d)", request.method, request.url, type(outcome).__name__, attempt + 1
                )
                if (
                    attempt >= max_retries
                    or (deadline is not None and time.monotonic() >= deadline)
                    or not _replayable(request)  # an upload that cannot be rewound is never resent
                ):
                    raise err from outcome
                delay = pause(attempt)
            else:
                assert outcome is not None
                response = outcome
                status = response.status_code
                logger.debug("%s %s -> %d (attempt %d)", request.method, request.url, status, attempt + 1)
                if status < 300:
                    return response
                if status < 400 and "location" in response.headers and status not in (304,):
                    redirects += 1
                    request = self._redirect(provider, request, response, redirects)
                    continue
                err = translate_error(provider, response)
                if (
                    attempt >= max_retries
                    or not is_retryable(err, response.headers)
                    or not _replayable(request)  # an upload that cannot be rewound is never resent
                ):
                    raise err
                hinted = getattr(err, "retry_after", None)  # the provider may have read it from the body
                if hinted is None:
                    hinted = parse_retry_after(response.headers)
                if hinted is not None and hinted > MAX_RETRY_AFTER:
                    raise err
                delay = hinted if hinted is not None else pause(attempt)
            if deadline is not None and time.monotonic() + delay >= deadline:
                raise err
            attempt += 1
            yield ("sleep", delay)

    def _redirect(
        self,
        provider: Provider,
        request: httpx.Request,
        response: httpx.Response,
        count: int,
    ) -> httpx.Request:
        location = request.url.join(response.headers["location"])
        if count > MAX_REDIRECTS:
            raise errors.APIConnectionError(
                f"{provider.name}: more than {MAX_REDIRECTS} redirects", provider=provider.name
            )
        if (location.scheme, location.host, location.port) != (request.url.scheme, request.url.host, request.url.port):
            # Never carry credentials to another origin: refuse instead.
            raise errors.APIConnectionError(
                f"{provider.name} redirected to another host ({location.scheme}://{location.host}); "
                "credentials are not forwarded across origins. Set api_base to the final URL.",
                provider=provider.name,
                status_code=response.status_code,
            )
        method = request.method
        upload = _upload_of(request)
        content: bytes | None = None if upload is not None else request.content
        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
            method, content, upload = "GET", None, None
        elif upload is not None and not upload.replayable:
            raise errors.APIConnectionError(
                f"{provider.name} redirected an upload whose source cannot be rewound; pass a path or a seekable "
                "file, or set api_base to the final URL",
                provider=provider.name,
                status_code=response.status_code,
            )
        headers = dict(request.headers)
        if content is None and upload is None:
            headers.pop("content-length", None)
            headers.pop("content-type", None)
            headers.pop("transfer-encoding", None)
        redirected = httpx.Request(method, location, headers=headers, content=content, extensions=request.extensions)
        if upload is not None:
            redirected.stream = upload
        return redirected

    # -- the two drivers: only the I/O differs -------------------------------------------------------

    def send(
        self,
        provider: Provider,
        request: HTTPRequest,
        timeout: float | httpx.Timeout | None = None,
        *,
        call: CallInfo | None = None,
    ) -> httpx.Response:
        """Send with retries. The body is read, unless ``request.stream`` (then the caller closes it)."""
        client = self.sync_client
        deadline, budget, policy = limits(self.retry)
        first = self.build(provider, request, client, timeout)
        token = self.tokens.sync_authorize(self, provider, first)
        flow = self._flow(provider, first, policy, deadline)
        if call is not None:  # call hooks: report each attempt (any_llm.callhooks)
            from any_llm.callhooks import observe_flow

            flow = observe_flow(flow, call, provider)
        step = next(flow)
        while True:
            try:
                kind, value = step
                if kind == "sleep":
                    assert isinstance(value, float)
                    time.sleep(value)
                    step = flow.send(None)
                    continue
                assert isinstance(value, httpx.Request)
                if deadline is not None:
                    cap_timeouts(value, deadline, budget, provider.name)
                try:
                    response = client.send(value, stream=True)
                    if deadline is not None:
                        guard_body(response, deadline, budget, provider.name)
                    if response.status_code >= 300 or not (request.stream or request.download):
                        try:
                            response.read()
                        finally:
                            response.close()
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    step = flow.send(exc)
                    continue
                if token is not None and response.status_code == 401:  # refused token: refresh, resend once
                    self.tokens.sync_authorize(self, provider, value, stale=token)
                    token = None
                    continue
                step = flow.send(response)
            except StopIteration as stop:
                result: httpx.Response = stop.value
                return result

    async def asend(
        self,
        provider: Provider,
        request: HTTPRequest,
        timeout: float | httpx.Timeout | None = None,
        *,
        call: CallInfo | None = None,
    ) -> httpx.Response:
        """Async twin of :meth:`send`."""
        import asyncio

        client = await self.async_client()
        deadline, budget, policy = limits(self.retry)
        first = self.build(provider, request, client, timeout)
        token = await self.tokens.async_authorize(self, provider, first)
        flow = self._flow(provider, first, policy, deadline)
        if call is not None:  # call hooks: report each attempt (any_llm.callhooks)
            from any_llm.callhooks import observe_flow

            flow = observe_flow(flow, call, provider)
        step = next(flow)
        while True:
            try:
                kind, value = step
                if kind == "sleep":
                    assert isinstance(value, float)
                    await asyncio.sleep(value)
                    step = flow.send(None)
                    continue
                assert isinstance(value, httpx.Request)
                if deadline is not None:
                    cap_timeouts(value, deadline, budget, provider.name)
                try:
                    response = await client.send(value, stream=True)
                    if deadline is not None:
                        guard_body(response, deadline, budget, provider.name)
                    if response.status_code >= 300 or not (request.stream or request.download):
                        try:
                            await response.aread()
                        finally:
                            await response.aclose()
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    step = flow.send(exc)
                    continue
                if token is not None and response.status_code == 401:  # refused token: refresh, resend once
                    await self.tokens.async_authorize(self, provider, value, stale=token)
                    token = None
                    continue
                step = flow.send(response)
            except StopIteration as stop:
                result: httpx.Response = stop.value
                return result


_STREAM_ACCEPT = {
    "sse": "text/event-stream",
    "ndjson": "application/x-ndjson",
    "aws-eventstream": "application/vnd.amazon.eventstream",
}


def _sign(provider: Provider, request: httpx.Request) -> None:
    """Let the provider sign the exact request about to go out (each attempt: dates stay fresh)."""
    if type(provider).sign_request is _NO_SIGNING:
        return
    upload = _upload_of(request)
    if upload is not None:
        added = _sign_upload(provider, request, upload)
    else:
        added = provider.sign_request(request.method, str(request.url), request.headers, request.content)
    for name, value in added.items():
        request.headers[name] = value


def _sign_upload(provider: Provider, request: httpx.Request, upload: Any) -> dict[str, str]:
    """A streamed body is signed without its bytes: unsigned payload if the provider can, else over the
    SHA-256 of a first streaming pass (see :meth:`Provider.sign_upload`); refused before sending otherwise."""
    method, url = request.method, str(request.url)
    added = provider.sign_upload(method, url, request.headers, None)
    if added is None:
        digest = upload.sha256()
        if digest is not None:
            added = provider.sign_upload(method, url, request.headers, digest)
    if added is None:
        raise errors.ConfigurationError(
            f"{provider.name} signs request bodies and cannot sign this streamed upload: its source cannot be "
            "read twice (a pipe or a generator) to hash it first. Pass a path, bytes or a seekable file."
            if upload.sha256() is None
            else f"{provider.name} signs request bodies and does not sign streamed uploads (no sign_upload)",
            provider=provider.name,
        )
    return added


class _LoopClient:
    """An AsyncClient tied to one event loop, closed by that loop's async-generator shutdown."""

    __slots__ = ("_guard", "client")

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._guard: AsyncGenerator[None, None] | None = None

    async def arm(self, on_closed: Callable[[], None]) -> None:
        self._guard = _close_at_loop_shutdown(self.client, on_closed)
        await self._guard.__anext__()


async def _close_at_loop_shutdown(
    client: httpx.AsyncClient, on_closed: Callable[[], None]
) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        try:
            await client.aclose()
        finally:
            on_closed()


def _upload_stream(request: HTTPRequest, headers: dict[str, str]) -> Any:
    """The streamed body for ``request.upload`` (its headers added), or None for a plain request."""
    if request.upload is None:
        return None
    from any_llm.uploads import UploadStream

    stream = UploadStream(request.upload)
    for name, value in stream.headers().items():
        headers.setdefault(name, value)
    return stream


def _upload_of(request: httpx.Request) -> Any:
    from any_llm.uploads import UploadStream

    return request.stream if isinstance(request.stream, UploadStream) else None


def _replayable(request: httpx.Request) -> bool:
    """False for an upload that went partly out and cannot be rewound: it is never resent."""
    return bool(getattr(request.stream, "replayable", True))


def _as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise errors.ConfigurationError(
            f"timeout must be a positive number of seconds or an httpx.Timeout, got {timeout!r}"
        )
    return httpx.Timeout(float(timeout), connect=min(5.0, float(timeout)))


def _dumps(obj: Any) -> bytes:
    import json

    try:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError) as exc:
        raise errors.ConfigurationError(
            f"the request cannot be sent as JSON: {exc}. Pass only JSON-serializable values "
            "(str, numbers, bools, None, lists, dicts)."
        ) from None


class _LazyCAContext(ssl.SSLContext):
    """A verifying TLS client context that loads the CA bundle at its first handshake.

    Loading certifi's bundle costs 15-30 ms and ~1 MB; plain-http clients (local servers) never need
    it, and an https client pays it once, right before its first handshake. Verification is unchanged.
    """

    _ca_lock = threading.Lock()
    _ca_loaded = False

    def _ensure_ca(self) -> None:
        if not self._ca_loaded:
            with self._ca_lock:
                if not self._ca_loaded:
                    import certifi

                    self.load_verify_locations(cafile=certifi.where())
                    self._ca_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:
        self._ensure_ca()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> Any:
        self._ensure_ca()
        return super().wrap_bio(*args, **kwargs)


def _verifying_context(trust_env: bool) -> ssl.SSLContext:
    """httpx's default verification (certifi, or SSL_CERT_FILE / SSL_CERT_DIR when trusted), loaded lazily."""
    import os

    if trust_env and (os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR")):
        return httpx.create_ssl_context(trust_env=trust_env)
    return _LazyCAContext(ssl.PROTOCOL_TLS_CLIENT)
