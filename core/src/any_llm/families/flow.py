"""Multi-request operations written sans-I/O: a provider yields requests, the core sends them.

A flow is a generator that yields :class:`~any_llm.provider.HTTPRequest` objects and is sent an
:class:`Answer` for each (errors are raised by the transport, as for any call), then returns its
result. Creating a batch is "upload the file, then create the job"; reading its results is "get the
job, then download its output". The same flow runs sync and async: only :func:`drive` and
:func:`adrive` touch the network, through the client's transport (pooling, retries, typed errors).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from any_llm.provider import HTTPRequest, Provider
    from any_llm.transport import Transport

__all__ = ["Answer", "Flow", "adrive", "drive"]

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


def drive(transport: Transport, provider: Provider, flow: Flow[T], timeout: Any = None) -> T:
    """Run ``flow`` to its result with the sync client."""
    try:
        request = _step(provider, flow, None)
        while True:
            response = transport.send(provider, request, timeout)
            request = _step(provider, flow, Answer(response.content, response.headers, response.status_code))
    except _Done as done:
        result: T = done.value
        return result


async def adrive(transport: Transport, provider: Provider, flow: Flow[T], timeout: Any = None) -> T:
    """Async twin of :func:`drive`."""
    try:
        request = _step(provider, flow, None)
        while True:
            response = await transport.asend(provider, request, timeout)
            request = _step(provider, flow, Answer(response.content, response.headers, response.status_code))
    except _Done as done:
        result: T = done.value
        return result
