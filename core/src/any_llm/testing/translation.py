"""Run a plugin's translation through core's real path, without a server.

A plugin's stream tests should see exactly what a caller sees: the same decoder, the same handling
of end markers, cut streams (:class:`~any_llm.errors.APIConnectionError`) and plugin exceptions
(:class:`~any_llm.errors.ResponseValidationError`). :func:`run_stream` gives that for a whole body,
:func:`feed_event` for one event, :func:`parse_completion` for a non-streamed answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from any_llm.streaming import StreamPipeline, make_decoder
from any_llm.wire import call_plugin

if TYPE_CHECKING:
    from any_llm.provider import CompletionParams, HTTPRequest, Provider, StreamEvent, StreamParser
    from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

__all__ = ["build_request", "feed_event", "make_params", "parse_completion", "run_stream"]


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


def make_params(model: str, messages: list[Any] | None = None, **kwargs: Any) -> CompletionParams:
    """The :class:`CompletionParams` core builds for ``completion(model, messages, **kwargs)``: seed
    parameters validated, the other keywords kept as provider extras."""
    from any_llm.params import SEED_PARAM_NAMES, build_params

    args = {k: kwargs.pop(k) for k in SEED_PARAM_NAMES if k in kwargs}
    return build_params(model, messages or [{"role": "user", "content": "Hi"}], args, kwargs)


def build_request(provider: Provider, params: CompletionParams) -> HTTPRequest:
    """What core sends for ``params``: its checks first (a refusal raises here), then the provider's build."""
    from any_llm.params import check_request

    check_request(provider, params)
    return provider.build_completion_request(params)
