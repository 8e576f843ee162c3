"""What one call carries besides the provider's request: per-call options and raw-response access.

openai-python users bring ``extra_headers``, ``extra_query``, ``extra_body`` and ``timeout`` to every
call, and reach the HTTP status and headers of a successful call through ``with_raw_response``. Both
work the same here, for every provider and every operation, because core applies them to the
request the provider built (:meth:`CallOptions.apply`) and keeps the response beside the parsed
result (:class:`RawResponse`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from any_llm import errors

if TYPE_CHECKING:
    import httpx

    from any_llm.callhooks import CallInfo
    from any_llm.provider import CompletionParams, HTTPRequest

__all__ = ["CALL_OPTIONS", "Call", "CallOptions", "RawResponse"]

_T = TypeVar("_T")

CALL_OPTIONS = ("timeout", "extra_headers", "extra_query", "extra_body")
"""The keyword arguments every operation understands besides its own (openai-python's names)."""


@dataclass(slots=True)
class CallOptions:
    """``extra_headers`` become HTTP headers (winning over every other header), ``extra_query`` joins the
    URL's query, ``extra_body`` is merged into the JSON body the provider built; ``timeout`` is seconds or
    an ``httpx.Timeout`` for this call."""

    timeout: Any = None
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] | None = None

    @classmethod
    def pop_from(cls, kwargs: dict[str, Any]) -> CallOptions:
        """Take the call options out of an operation's ``**kwargs`` (the rest go to the provider)."""
        if not kwargs.keys() & CALL_OPTIONS:
            return _NO_OPTIONS
        options = cls(*(kwargs.pop(name, None) for name in CALL_OPTIONS))
        for name in ("extra_headers", "extra_query", "extra_body"):
            value = getattr(options, name)
            if value is not None and not isinstance(value, Mapping):
                raise errors.ConfigurationError(f"{name} must be a dict, got {type(value).__name__}")
        headers = options.extra_headers or {}
        bad = [k for k, v in headers.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise errors.ConfigurationError(f"extra_headers names and values must be strings (check {bad[0]!r})")
        return options

    def apply(self, request: HTTPRequest) -> None:
        """Fold the options into ``request`` (before it is sent; core calls this for every operation)."""
        if self is _NO_OPTIONS:
            return
        if self.extra_headers:
            request.call_headers = {**(request.call_headers or {}), **self.extra_headers}
        if self.extra_query:
            request.params = {**(request.params or {}), **{k: str(v) for k, v in self.extra_query.items()}}
        if self.extra_body:
            if request.json is None:
                request.json = dict(self.extra_body)
            elif isinstance(request.json, dict):
                request.json = {**request.json, **self.extra_body}
            else:
                raise errors.ConfigurationError("extra_body needs a JSON-object request body; this call has none")


_NO_OPTIONS = CallOptions()


@dataclass(slots=True)
class Call:
    """One operation ready to send: the request, its timeout, how to read the answer, and what call hooks
    report about it. Every operation of every family is one ``Call`` run by ``AnyLLM._run`` / ``_arun``,
    so timeouts, per-call options, ``with_raw_response`` and call hooks work the same for all of them.

    Three shapes: a plain call (``finish`` parses the body); a call whose body stays open (``open`` builds
    the stream or download the caller reads); a multi-request call (``advance`` gives the next request
    after each response, then ``finish`` the result, see :mod:`any_llm.families.flow`).
    """

    request: HTTPRequest
    timeout: Any
    finish: Callable[[httpx.Response], Any]
    params: CompletionParams | None = None
    operation: str = "chat"
    """What call hooks report as the operation (see :data:`any_llm.callhooks.OPERATIONS`)."""
    model: str = ""
    content: Any = None
    """The request content call hooks may record (messages, embedding inputs), when their user opts in."""
    open: Callable[[httpx.Response, bool, CallInfo | None], Any] | None = None
    """For a body the transport leaves open (a stream, a download): ``open(response, sync, call)`` builds what
    the caller reads (the sync or async class), reporting to ``call`` when call hooks are on."""
    advance: Callable[[httpx.Response], HTTPRequest | None] | None = None
    """For a multi-request operation: the next request after a response, or None once ``finish`` has the result."""
    api: str = ""
    """The anyllm method behind the call (``"completion"``, ``"responses"``, ``"rerank"``...), for call hooks."""
    settings: Mapping[str, Any] | None = None
    """The request options the caller set (content excluded), reported to call hooks when ``params`` is None."""

    def result(self, response: httpx.Response, sync: bool, call: CallInfo | None = None) -> Any:
        """What the caller gets for the (last) response: the parsed result, or the opened stream."""
        if self.open is not None:
            return self.open(response, sync, call)
        return self.finish(response)


class RawResponse(Generic[_T]):
    """A successful call's HTTP response beside its result (openai-python's ``LegacyAPIResponse`` shape).

    ``parse()`` gives what the plain call returns (for a stream: the iterator, which owns the connection
    from then on). A streamed raw response that is not parsed must be closed: ``close()`` / ``aclose()``,
    or a ``with`` / ``async with`` block; with call hooks on, that (or the object being collected) ends the
    call as an early-closed stream.
    """

    __slots__ = ("_parse", "_parsed", "http_response")

    def __init__(self, http_response: httpx.Response, parse: Callable[[], _T]) -> None:
        self.http_response = http_response
        self._parse = parse
        self._parsed: list[_T] = []

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        headers = self.http_response.headers
        value: str | None = headers.get("x-request-id") or headers.get("request-id")
        return value

    def parse(self) -> _T:
        if not self._parsed:
            self._parsed.append(self._parse())
        return self._parsed[0]

    def _unparsed(self) -> None:
        """The call ends without its body being read (call hooks override this)."""

    def close(self) -> None:
        """Release the connection: the parsed stream's, or the unread body's."""
        if self._parsed:
            close = getattr(self._parsed[0], "close", None)
            if callable(close):
                close()
            return
        self.http_response.close()
        self._unparsed()

    async def aclose(self) -> None:
        """Async twin of :meth:`close` (for the responses of the async methods)."""
        if self._parsed:
            aclose = getattr(self._parsed[0], "aclose", None)
            if callable(aclose):
                await aclose()
            return
        await self.http_response.aclose()
        self._unparsed()

    def __enter__(self) -> RawResponse[_T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> RawResponse[_T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<RawResponse status_code={self.status_code}>"
