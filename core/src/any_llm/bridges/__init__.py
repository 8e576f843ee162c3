"""The Responses and Messages APIs on every provider: natively where declared, else over chat completions.

Core chooses, providers declare. A provider with a native endpoint sets ``supports_responses_native``
(or ``supports_messages_native``) and implements one build/parse pair plus a stream parser; every
other provider gets the translation in :mod:`any_llm.bridges.responses` / :mod:`any_llm.bridges.messages`
for free. Either way the caller gets the same types and the same stream events.

A :class:`Plan` is the pure half of one call: the request to send and how to finish the answer. The
client does the I/O in between, as it does for completions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from any_llm.provider import HTTPRequest, StreamParser

__all__ = ["AsyncEventStream", "EventStream", "Plan", "Translator"]


class Translator:
    """Per-stream state turning the chunks of a translated completion stream into API events."""

    def feed(self, chunk: Any) -> list[Any]:
        raise NotImplementedError

    def finish(self) -> list[Any]:
        raise NotImplementedError


@dataclass(slots=True)
class Plan:
    """What to send and how to read the answer.

    ``finish`` turns a whole body into the result. A stream is read by ``parser`` (the provider's
    completion parser when translated, or its native event parser); ``translator`` then turns
    completion chunks into events (None on a native stream, whose parser yields events already).
    """

    request: HTTPRequest
    finish: Callable[[bytes], Any]
    parser: Callable[[], StreamParser] | None = None
    translator: Callable[[], Translator] | None = None


class EventStream(Iterator[Any]):
    """The events of a ``responses()`` / ``messages()`` stream; a context manager releasing the connection."""

    def __init__(self, inner: Iterator[Any], translator: Translator | None) -> None:
        self._inner = inner
        self._translator = translator
        self._pending: deque[Any] = deque()
        self._ended = False

    @property
    def response(self) -> Any:
        """The underlying ``httpx.Response``."""
        return getattr(self._inner, "response", None)

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Any:
        translator = self._translator
        if translator is None:
            return next(self._inner)
        while not self._pending:
            if self._ended:
                raise StopIteration
            try:
                chunk = next(self._inner)
            except StopIteration:
                self._ended = True
                self._pending.extend(translator.finish())
                continue
            self._pending.extend(translator.feed(chunk))
        return self._pending.popleft()

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncEventStream(AsyncIterator[Any]):
    """Async twin of :class:`EventStream`: ``async for`` / ``async with``."""

    def __init__(self, inner: AsyncIterator[Any], translator: Translator | None) -> None:
        self._inner = inner
        self._translator = translator
        self._pending: deque[Any] = deque()
        self._ended = False

    @property
    def response(self) -> Any:
        return getattr(self._inner, "response", None)

    def __aiter__(self) -> AsyncEventStream:
        return self

    async def __anext__(self) -> Any:
        translator = self._translator
        if translator is None:
            return await self._inner.__anext__()
        while not self._pending:
            if self._ended:
                raise StopAsyncIteration
            try:
                chunk = await self._inner.__anext__()
            except StopAsyncIteration:
                self._ended = True
                self._pending.extend(translator.finish())
                continue
            self._pending.extend(translator.feed(chunk))
        return self._pending.popleft()

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def api_table() -> str:
    """The README's native-vs-translated table, from the installed providers' declarations."""
    from any_llm.plugins import list_providers

    infos, _ = list_providers()
    classes = {i.name: i.provider_class for i in infos if i.name != "acme"}  # acme: the example plugin
    rows = ["| API | native (the provider's own endpoint) | translated over chat completions |", "|---|---|---|"]
    for api, endpoint in (("responses", "`POST /responses`"), ("messages", "`POST /v1/messages`")):
        native = [n for n, cls in classes.items() if getattr(cls, f"supports_{api}_native")]
        other = ", ".join(f"`{n}`" for n in classes if n not in native) or "-"
        rows.append(f"| `{api}()` | {', '.join(f'`{n}`' for n in native) or '-'} ({endpoint}) | {other} |")
    return "\n".join(rows)
