"""Run a plugin's translation through core's real path, without a server.

A plugin's stream tests should see exactly what a caller sees: the same decoder, the same handling
of end markers, cut streams (:class:`~any_llm.errors.APIConnectionError`) and plugin exceptions
(:class:`~any_llm.errors.ResponseValidationError`). :func:`run_stream` gives that for a whole body,
:func:`feed_event` for one event, :func:`parse_completion` for a non-streamed answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from any_llm.streaming import StreamPipeline, make_decoder
from any_llm.wire import call_plugin

if TYPE_CHECKING:
    from any_llm.provider import CompletionParams, Provider, StreamEvent, StreamParser
    from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

__all__ = ["feed_event", "parse_completion", "run_stream"]


def run_stream(
    provider: Provider,
    params: CompletionParams,
    raw: bytes,
    *,
    split: int | None = None,
    parser: StreamParser | None = None,
) -> list[ChatCompletionChunk]:
    """The chunks ``provider`` makes of the stream body ``raw`` (fed in pieces of ``split`` bytes);
    pass ``parser`` to inspect its state afterwards (it must come from ``provider.stream_parser(params)``)."""
    parser = parser if parser is not None else provider.stream_parser(params)
    pipeline = StreamPipeline(make_decoder(provider.stream_format, provider.name), parser, provider.name)
    step = split or len(raw) or 1
    for i in range(0, len(raw), step):
        pipeline.push(raw[i : i + step])
        if pipeline.parser.done:
            break
    else:
        pipeline.end()
    return list(pipeline.pending)


def parse_completion(provider: Provider, params: CompletionParams, body: bytes) -> ChatCompletion:
    """``provider.parse_completion`` as core calls it for a 200 answer."""
    return call_plugin(provider.name, "a response", body, 200, provider.parse_completion, body, params)


def feed_event(provider: Provider, parser: StreamParser, event: StreamEvent) -> list[ChatCompletionChunk]:
    """One event through ``parser.feed`` as core calls it (``parser`` from ``provider.stream_parser``)."""
    return call_plugin(provider.name, "a stream event", event.data, 200, lambda: list(parser.feed(event)))
