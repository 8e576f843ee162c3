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


def drive(transport: Transport, provider: Provider, flow: Flow[T], timeout: Any = None) -> T:
    """Run ``flow`` to its result with the sync client."""
    try:
        request = next(flow)
        while True:
            response = transport.send(provider, request, timeout)
            request = flow.send(Answer(response.content, response.headers, response.status_code))
    except StopIteration as stop:
        result: T = stop.value
        return result


async def adrive(transport: Transport, provider: Provider, flow: Flow[T], timeout: Any = None) -> T:
    """Async twin of :func:`drive`."""
    try:
        request = next(flow)
        while True:
            response = await transport.asend(provider, request, timeout)
            request = flow.send(Answer(response.content, response.headers, response.status_code))
    except StopIteration as stop:
        result: T = stop.value
        return result
