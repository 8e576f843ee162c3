"""Feed raw stream bytes through core's real stream path, without a server.

A plugin's stream tests should see exactly what a caller sees: the same decoder, the same handling
of end markers, cut streams (:class:`~any_llm.errors.APIConnectionError`) and plugin exceptions
(:class:`~any_llm.errors.ResponseValidationError`). :func:`run_stream` gives that in one call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from any_llm.streaming import StreamPipeline, make_decoder

if TYPE_CHECKING:
    from any_llm.provider import CompletionParams, Provider, StreamParser
    from any_llm.types.completion import ChatCompletionChunk

__all__ = ["run_stream"]


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
