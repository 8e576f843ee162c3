"""For plugins that serve Claude through another cloud and reuse this plugin's translation.

The translation functions name ``anthropic`` in the errors they raise; a provider built on them
(``vertexaianthropic``, ``azureanthropic``) mixes in :class:`OwnErrors` before
:class:`~anyllm_anthropic.AnthropicProvider` so that every error names the provider the caller
actually used::

    class VertexaianthropicProvider(OwnErrors, AnthropicProvider): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from any_llm import errors
from any_llm.provider import CompletionParams, HTTPRequest, StreamEvent, StreamParser

if TYPE_CHECKING:
    from any_llm.types.completion import ChatCompletion, ChatCompletionChunk
    from anyllm_anthropic import AnthropicProvider

    _Base = AnthropicProvider
else:
    _Base = object

__all__ = ["OwnErrors"]


class OwnErrors(_Base):
    """Relabels the translation's errors with this provider's ``name``."""

    def _own(self, exc: errors.AnyLLMError) -> errors.AnyLLMError:
        if exc.provider in ("anthropic", None):
            exc.provider = self.name
        return exc

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        try:
            return super().build_completion_request(params)
        except errors.AnyLLMError as exc:
            raise self._own(exc) from exc.__cause__

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        try:
            return super().parse_completion(body, params)
        except errors.AnyLLMError as exc:
            raise self._own(exc) from exc.__cause__

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        return self._own(super().parse_error(status_code, headers, body))

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return _OwnErrorsParser(super().stream_parser(params), self._own)


class _OwnErrorsParser(StreamParser):
    __slots__ = ("_inner", "_own")

    def __init__(self, inner: StreamParser, own: Callable[[errors.AnyLLMError], errors.AnyLLMError]) -> None:
        self._inner = inner
        self._own = own

    @property
    def done(self) -> bool:
        return self._inner.done

    @done.setter
    def done(self, value: bool) -> None:  # core marks the protocol's end marker (e.g. [DONE])
        self._inner.done = value

    def may_end(self) -> bool:
        return self._inner.may_end()

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        try:
            return self._inner.feed(event)
        except errors.AnyLLMError as exc:
            raise self._own(exc) from exc.__cause__

    def finish(self) -> Iterable[ChatCompletionChunk]:
        try:
            return self._inner.finish()
        except errors.AnyLLMError as exc:
            raise self._own(exc) from exc.__cause__
