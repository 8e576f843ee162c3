"""Multi-request operations written sans-I/O: a provider yields requests, the core sends them.

A flow is a generator that yields :class:`~any_llm.provider.HTTPRequest` objects and is sent an
:class:`Answer` for each (errors are raised by the transport, as for any call), then returns its
result. Creating a batch is "upload the file, then create the job"; reading its results is "get the
job, then download its output". The same flow runs sync and async: :class:`FlowRun` makes it one
:class:`~any_llm.calls.Call` (one call for call hooks, its requests its attempts), and only the client's
``_send`` / ``_asend`` touch the network, through its transport (pooling, retries, typed errors).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import httpx

    from any_llm.calls import CallOptions
    from any_llm.provider import HTTPRequest, Provider

__all__ = ["Answer", "Flow", "FlowRun", "with_options"]

T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class Answer:
    """A successful response as a flow sees it."""

    content: bytes
    headers: Mapping[str, str]
    status_code: int = 200


Flow = Generator["HTTPRequest", Answer, T]


class _Done(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _step(provider: Provider, flow: Flow[T], answer: Answer | None) -> HTTPRequest:
    """The flow's next request; :class:`_Done` with its result at the end. Whatever else the plugin's
    code raises reaches the caller typed (a non-anyllm exception as ResponseValidationError)."""
    from any_llm import errors
    from any_llm.wire import plugin_error

    try:
        return next(flow) if answer is None else flow.send(answer)
    except StopIteration as stop:
        raise _Done(stop.value) from None
    except errors.AnyLLMError:
        raise
    except Exception as exc:
        if answer is None:  # before any request: the caller's input (a file...), not a response
            raise
        raise plugin_error(provider.name, exc, "a response", answer.content, answer.status_code) from exc


class FlowRun:
    """A flow as a :class:`~any_llm.calls.Call` runs it: the first request at once (plugin code that refuses
    the caller's input raises before anything is sent), then the next request after each answer, until the
    flow returns its result. The call's sync and async drivers share it; only their send differs."""

    __slots__ = ("first", "flow", "provider", "result")

    def __init__(self, provider: Provider, flow: Flow[Any], options: CallOptions | None = None) -> None:
        self.provider = provider
        self.flow = flow = flow if options is None else with_options(options, flow)
        self.result: Any = None
        try:
            self.first = _step(provider, flow, None)
        except _Done:
            from any_llm import errors

            raise errors.ProviderError(
                f"{provider.name}'s plugin returned from a multi-request operation without a request; "
                "a flow must yield at least one HTTPRequest (report it to the plugin's authors)",
                provider=provider.name,
            ) from None

    def advance(self, response: httpx.Response) -> HTTPRequest | None:
        """The next request after ``response``, or None once the flow has its result."""
        try:
            return _step(self.provider, self.flow, Answer(response.content, response.headers, response.status_code))
        except _Done as done:
            self.result = done.value
            return None

    def finish(self, response: httpx.Response) -> Any:
        return self.result


def with_options(options: CallOptions, flow: Flow[T]) -> Flow[T]:
    """``flow`` with the caller's per-call options on each request (``extra_body`` only on JSON requests)."""
    from any_llm.calls import CallOptions

    body_less = CallOptions(options.timeout, options.extra_headers, options.extra_query, None)
    answer = None
    try:
        while True:
            request = next(flow) if answer is None else flow.send(answer)
            (options if isinstance(request.json, dict) else body_less).apply(request)
            answer = yield request
    except StopIteration as stop:
        result: T = stop.value
        return result
