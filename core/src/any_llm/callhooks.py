"""Call hooks: the event objects handed to ``anyllm_call_*`` / ``anyllm_stream_*`` hooks, and their dispatch.

An observability plugin (tracing, cost logging, audit) implements the hook specs in
:mod:`any_llm.hookspecs`; core builds one :class:`CallInfo` per call and passes the same object to every
hook of that call, so a plugin can keep per-call state in ``call.data[<its own key>]``. The hooks of one call
fire in this order::

    anyllm_call_start            the request is built and about to be sent
    anyllm_call_attempt  x N     each HTTP attempt, with its status or error and whether it is retried
    anyllm_stream_chunk  x M     (streamed calls) each chunk, as the caller receives it
    then exactly one of:
    anyllm_call_response         a non-streamed call parsed its response
    anyllm_stream_end            a streamed call ended (exhausted, or closed early: ``call.completed``)
    anyllm_call_error            the call failed (``call.error`` is set), before or during a stream

Zero cost when nobody listens: :data:`ACTIVE` turns False once discovery found no plugin implementing
any of these hooks, and the client then skips every line of this module. A hook that raises never breaks
the call: the exception is logged once per plugin and hook (logger ``any_llm``) and the call goes on.

Every operation of every family is one call: completion, embedding, list_models (one call per page),
count_tokens, responses, messages, rerank, moderation, images, speech, transcription, files and batch jobs
(a multi-request job such as "upload, then create" is one call whose attempts cover every request). The
operation names are in :data:`OPERATIONS`; a router's deployment and attempt are in ``call.route``.

Nothing here ever holds an API key: request headers are not exposed, URLs lose their query string, and
``messages`` is the caller's own content (a plugin records it only when its user asks for it).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Generator, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    import pluggy

    from any_llm.calls import Call
    from any_llm.client import AnyLLM
    from any_llm.provider import HTTPRequest, Provider
    from any_llm.types.completion import ChatCompletionChunk

__all__ = [
    "CALL_HOOKS",
    "OPERATIONS",
    "AttemptInfo",
    "CallInfo",
    "RouteInfo",
]

logger = logging.getLogger("any_llm")

CALL_HOOKS = (
    "anyllm_call_start",
    "anyllm_call_attempt",
    "anyllm_call_response",
    "anyllm_stream_chunk",
    "anyllm_stream_end",
    "anyllm_call_error",
)
"""The hook names dispatched per call; a plugin implementing any of them turns call events on."""

ACTIVE = True
"""False once discovery found no call-hook implementation: the client's one check on the hot path.
True before discovery ran (the first call then discovers) and while any implementation is registered."""

_discovered = False
_hook: Any = None
"""The plugin manager's ``pm.hook`` (set by :func:`refresh`), so dispatch is one attribute away."""
_wanted: frozenset[str] = frozenset()
"""The call hooks that have at least one implementation: the others are not even dispatched."""
_reported: set[tuple[str, str]] = set()

OPERATIONS = {
    "completion": "chat",
    "responses": "chat",
    "messages": "chat",
    "embedding": "embeddings",
    "list_models": "list_models",
    "count_tokens": "count_tokens",
    "rerank": "rerank",
    "moderation": "moderation",
    "image_generation": "image_generation",
    "speech": "speech",
    "transcription": "transcription",
    "upload_file": "upload_file",
    "retrieve_file": "retrieve_file",
    "delete_file": "delete_file",
    "file_content": "file_content",
    "list_files": "list_files",
    "create_batch": "create_batch",
    "retrieve_batch": "retrieve_batch",
    "cancel_batch": "cancel_batch",
    "list_batches": "list_batches",
    "retrieve_batch_results": "retrieve_batch_results",
}
"""anyllm method (``CallInfo.api``) → ``CallInfo.operation``. ``chat`` and ``embeddings`` are the OpenTelemetry
GenAI semantic conventions' ``gen_ai.operation.name`` values (Responses and Messages are chat APIs); the
conventions name none for the other families, so their operation is the method's own name."""

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-goog-request-id", "apim-request-id")


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """Where a :class:`~any_llm.router.Router` sent this call: one deployment try of a routed call."""

    group: str
    """The group the caller named (``router.completion(model="smart")``)."""
    deployment: str
    """The deployment's name (``Deployment.name``, by default ``group/model``)."""
    attempt: int
    """1 for the router's first deployment try of the routed call, 2 for the next (a fallback)..."""
    fallback: bool = False
    """True when the deployment belongs to one of the group's fallback groups."""


_route: ContextVar[RouteInfo | None] = ContextVar("any_llm_route", default=None)


def enter_route(route: RouteInfo) -> Token[RouteInfo | None]:
    """The router's calls made until :func:`exit_route` carry ``route`` (``CallInfo.route``)."""
    return _route.set(route)


def exit_route(token: Token[RouteInfo | None]) -> None:
    _route.reset(token)


@dataclass(eq=False)
class CallInfo:
    """One call, from the request being sent to its result or error; the same object for all its hooks.

    Fields set before ``anyllm_call_start``: ``provider``, ``model``, ``operation``, ``parameters``,
    ``messages``, ``stream``, ``server_address``/``server_port``, ``started_at``. Filled as the call goes:
    ``attempts``, ``status_code``, ``response_headers``, ``request_id``; at the end: ``duration``,
    ``result`` (what the operation returns: a ``ChatCompletion``, ``Response``, ``MessageResponse``, embedding
    response, model list, ``RerankResponse``, ``ImagesResponse``, ``Batch``...; None for a stream or download),
    ``usage``, ``response_model``, ``response_id``, ``finish_reasons``, or ``error``.
    """

    provider: str
    """The provider's registered name (``"openai"``, ``"anthropic"``...)."""
    model: str
    """The model as requested."""
    operation: str
    """``"chat"``, ``"embeddings"``, ``"rerank"``... (:data:`OPERATIONS`; the first two are GenAI
    semantic-convention names)."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """The request options the caller set (temperature, max_tokens, seed, tools...), content excluded."""
    messages: Any = None
    """The request content (chat messages or embedding inputs). Record it only when your user opts in."""
    stream: bool = False
    server_address: str | None = None
    server_port: int | None = None
    started_at: float = 0.0
    """Wall-clock start (``time.time()``)."""
    start: float = 0.0
    """Monotonic start (``time.perf_counter()``); ``duration`` is measured from it."""
    duration: float | None = None
    """Seconds from start to the result, the stream's end, or the error."""
    time_to_first_chunk: float | None = None
    attempts: int = 0
    """HTTP attempts made so far (retries, redirects and one free stale-connection resend included)."""
    status_code: int | None = None
    response_headers: Mapping[str, str] | None = None
    request_id: str | None = None
    result: Any = None
    usage: Any = None
    """The result's usage (``CompletionUsage``, embedding ``Usage``, Responses/Messages usage...), the last
    one a stream reported; :attr:`input_tokens` / :attr:`output_tokens` read any of these shapes."""
    response_model: str | None = None
    response_id: str | None = None
    finish_reasons: list[str] = field(default_factory=list)
    chunks: int = 0
    completed: bool = False
    """True when a streamed call ran to its end (False: closed early or failed)."""
    error: BaseException | None = None
    """The typed error (an :class:`~any_llm.errors.AnyLLMError` subclass, or whatever the caller raised)."""
    api: str = ""
    """The anyllm method (``"completion"``, ``"responses"``, ``"messages"``, ``"create_batch"``...)."""
    route: RouteInfo | None = None
    """The router's deployment and attempt when a :class:`~any_llm.router.Router` made this call."""
    data: dict[str, Any] = field(default_factory=dict)
    """Per-call scratch space for plugins: use a key of your own (your distribution name)."""
    output_parts: list[str] | None = None
    """Set it to ``[]`` in ``anyllm_call_start`` and core collects a stream's text deltas here, so a plugin
    that only wants the output text needs no ``anyllm_stream_chunk`` hook (no per-chunk dispatch)."""

    @property
    def output_text(self) -> str | None:
        """The output text: a stream's collected deltas (see ``output_parts``), or the result's first choice."""
        if self.stream:
            return None if self.output_parts is None else "".join(self.output_parts)
        choices = getattr(self.result, "choices", None)
        if choices:
            content = getattr(choices[0].message, "content", None)
            return content if isinstance(content, str) else None
        return None

    @property
    def error_type(self) -> str | None:
        """The error's class name (``"RateLimitError"``), or None."""
        return None if self.error is None else type(self.error).__name__

    @property
    def input_tokens(self) -> int | None:
        """Input tokens from the usage, whichever API's names it has (``prompt_tokens`` / ``input_tokens``)."""
        return _tokens(self.usage, "prompt_tokens", "input_tokens")

    @property
    def output_tokens(self) -> int | None:
        """Output tokens (``completion_tokens`` / ``output_tokens``); None for embeddings and rerank."""
        return _tokens(self.usage, "completion_tokens", "output_tokens")


def _tokens(usage: Any, name: str, other: str) -> int | None:
    if usage is None:
        return None
    value = getattr(usage, name, None)
    if value is None:
        value = getattr(usage, other, None)
    return value if isinstance(value, int) else None


@dataclass(eq=False)
class AttemptInfo:
    """One HTTP attempt of a call, passed to ``anyllm_call_attempt`` once its outcome is known."""

    number: int
    """1 for the first attempt."""
    method: str
    url: str
    """Scheme, host, port and path; never the query string (some providers put keys there)."""
    duration: float
    status_code: int | None = None
    response_headers: Mapping[str, str] | None = None
    error: BaseException | None = None
    """The typed error of this attempt (a transport failure or an error status), or None."""
    retry_delay: float | None = None
    """Seconds before the next attempt when this one is retried; 0.0 for a redirect or a free resend;
    None when this attempt was the last."""

    @property
    def will_retry(self) -> bool:
        return self.retry_delay is not None


# -- discovery and dispatch -------------------------------------------------------------------------


def enabled() -> bool:
    """Whether any call hook is registered; discovers hook plugins on the first call."""
    if not _discovered:
        from any_llm import plugins

        plugins.load_hook_plugins()
    return ACTIVE


def refresh(pm: pluggy.PluginManager, discovered: bool | None = None) -> None:
    """Recompute :data:`ACTIVE` after plugins were registered or unregistered, and guard new impls."""
    global ACTIVE, _discovered, _hook, _wanted
    if discovered is not None:
        _discovered = discovered
    _hook = pm.hook
    wanted = set()
    for name in CALL_HOOKS:
        caller = getattr(pm.hook, name, None)
        if caller is None:
            continue
        for impl in caller.get_hookimpls():
            wanted.add(name)
            if not (impl.wrapper or impl.hookwrapper) and not getattr(impl.function, "_anyllm_guarded", False):
                # setattr: HookImpl.function is typed Final; the guard keeps the call's arguments as they are
                setattr(impl, "function", _guard(impl.function, impl.plugin_name, name))  # noqa: B010
    _wanted = frozenset(wanted)
    ACTIVE = bool(wanted) or not _discovered


def forget() -> None:
    """Back to "not discovered" (after :func:`any_llm.plugins.reset`)."""
    global ACTIVE, _discovered
    ACTIVE, _discovered = True, False


def _guard(function: Any, plugin: str, hook: str) -> Any:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception:
            _report(plugin, hook)
            return None

    guarded._anyllm_guarded = True  # type: ignore[attr-defined]
    return guarded


def _report(plugin: str, hook: str) -> None:
    key = (plugin, hook)
    if key in _reported:
        logger.debug("call hook %s of plugin %s raised again", hook, plugin, exc_info=True)
        return
    _reported.add(key)
    logger.warning(
        "call hook %s of plugin %s raised; the call goes on (logged once per plugin and hook)",
        hook,
        plugin,
        exc_info=True,
    )


def _emit(name: str, **kwargs: Any) -> None:
    if name not in _wanted:
        return
    try:
        getattr(_hook, name)(**kwargs)
    except Exception:  # a wrapper impl (not guarded one by one) raised
        _report("<wrapper>", name)


# -- building the events ----------------------------------------------------------------------------


def start_call(
    provider: Provider,
    operation: str,
    model: str,
    request: HTTPRequest,
    parameters: Mapping[str, Any],
    content: Any,
    api: str = "",
) -> CallInfo:
    """Build the call's event object and fire ``anyllm_call_start``."""
    address, port = _server(provider, request.url)
    call = CallInfo(
        provider=provider.name,
        model=model,
        operation=operation,
        parameters=parameters,
        messages=content,
        stream=bool(request.stream or request.download),
        server_address=address,
        server_port=port,
        started_at=time.time(),
        start=time.perf_counter(),
        api=api,
        route=_route.get(),
    )
    _emit("anyllm_call_start", call=call)
    return call


def _server(provider: Provider, url: str) -> tuple[str | None, int | None]:
    return _address(url if "://" in url else provider.api_base)


@functools.lru_cache(maxsize=256)
def _address(url: str) -> tuple[str | None, int | None]:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None, None
    return parts.hostname, port


def fail(call: CallInfo, error: BaseException) -> None:
    """The call failed: fire ``anyllm_call_error`` (once)."""
    if call.duration is not None:
        return
    call.duration = time.perf_counter() - call.start
    call.error = error
    if call.status_code is None:
        call.status_code = getattr(error, "status_code", None)
    if call.request_id is None:
        call.request_id = getattr(error, "request_id", None)
    _emit("anyllm_call_error", call=call)


def succeed(call: CallInfo, result: Any) -> None:
    """A non-streamed call has its parsed result: fire ``anyllm_call_response``."""
    call.duration = time.perf_counter() - call.start
    call.result = result
    call.usage = getattr(result, "usage", None)
    call.response_model = getattr(result, "model", None)
    call.response_id = getattr(result, "id", None)
    choices = getattr(result, "choices", None)
    if choices:
        call.finish_reasons = [str(c.finish_reason) for c in choices if c.finish_reason is not None]
    else:  # a Messages answer's stop_reason, a Response's status
        reason = getattr(result, "stop_reason", None) or getattr(result, "status", None)
        if isinstance(reason, str):
            call.finish_reasons = [reason]
    call.completed = True
    _emit("anyllm_call_response", call=call)


def observe_flow(
    inner: Generator[Any, Any, httpx.Response], call: CallInfo, provider: Provider
) -> Generator[Any, Any, httpx.Response]:
    """Wrap :meth:`Transport._flow`: the same steps, plus ``anyllm_call_attempt`` after each outcome."""
    step = next(inner)
    while True:
        kind, value = step
        if kind != "send":
            yield step
            step = inner.send(None)
            continue
        call.attempts += 1
        started = time.perf_counter()
        outcome = yield step
        attempt = AttemptInfo(
            number=call.attempts,
            method=value.method,
            url=str(value.url).partition("?")[0],
            duration=time.perf_counter() - started,
        )
        if isinstance(outcome, Exception):
            from any_llm.transport import map_transport_error

            attempt.error = map_transport_error(outcome, call.provider)
        elif outcome is not None:
            attempt.status_code = call.status_code = outcome.status_code
            attempt.response_headers = call.response_headers = outcome.headers
            call.request_id = _request_id(outcome.headers) or call.request_id
        try:
            step = inner.send(outcome)
        except StopIteration as stop:
            _emit("anyllm_call_attempt", call=call, attempt=attempt)
            response: httpx.Response = stop.value
            return response
        except BaseException as exc:
            attempt.error = exc
            _emit("anyllm_call_attempt", call=call, attempt=attempt)
            raise
        attempt.retry_delay = float(step[1]) if step[0] == "sleep" else 0.0
        if attempt.error is None and attempt.status_code is not None and attempt.status_code >= 400:
            attempt.error = _status_error(provider, outcome)
        _emit("anyllm_call_attempt", call=call, attempt=attempt)


def _status_error(provider: Provider, response: Any) -> BaseException | None:
    """The typed error of a retried status (the flow only builds it for the last one)."""
    try:
        err: BaseException = provider.parse_error(response.status_code, response.headers, response.content)
    except Exception:
        return None
    return err


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


# -- running a call with hooks (AnyLLM._run / _arun divert here) -------------------------------------


def _begin(client: AnyLLM, call: Call) -> CallInfo:
    params = call.params
    content = call.content
    return start_call(
        client.provider,
        call.operation,
        call.model,
        call.request,
        params.given() if params is not None else _settings(call.settings),
        [content] if isinstance(content, str) else content,
        call.api,
    )


_CONTENT_SETTINGS = frozenset({"instructions", "system", "input_data", "messages", "documents", "query", "prompt"})
"""Settings that are content: reported in ``CallInfo.messages`` (opt-in), never in ``parameters``."""


def _settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    if not settings:
        return {}
    return {k: v for k, v in settings.items() if v is not None and k not in _CONTENT_SETTINGS}


def _finish(call: Call, info: CallInfo, response: httpx.Response, raw: bool, sync: bool) -> Any:
    """The result (or RawResponse) of a sent call, reporting its end (an opened body reports its own)."""
    from any_llm.calls import RawResponse

    opener = call.open
    if opener is not None:
        if raw:
            from any_llm._observed_stream import ObservedRawResponse

            return ObservedRawResponse(response, lambda: opener(response, sync, info), info)
        try:
            return opener(response, sync, info)
        except BaseException as exc:  # the stream could not even be set up: the call ends here
            fail(info, exc)
            raise
    try:
        result = call.finish(response)
    except BaseException as exc:
        fail(info, exc)
        if raw:  # the raw response is still the caller's; its parse() raises the same error
            return RawResponse(response, lambda: call.finish(response))
        raise
    succeed(info, result)
    return RawResponse(response, lambda: result) if raw else result


def run(client: AnyLLM, call: Call, raw: bool = False) -> Any:
    """:meth:`AnyLLM._run` when call hooks are registered."""
    info = _begin(client, call)
    try:
        response = client._send(call, info)
    except BaseException as exc:
        fail(info, exc)
        raise
    return _finish(call, info, response, raw, sync=True)


async def arun(client: AnyLLM, call: Call, raw: bool = False) -> Any:
    """:meth:`AnyLLM._arun` when call hooks are registered."""
    info = _begin(client, call)
    try:
        response = await client._asend(call, info)
    except BaseException as exc:
        fail(info, exc)
        raise
    return _finish(call, info, response, raw, sync=False)


# -- streams, with hooks (the Stream subclasses live in any_llm._observed_stream) ---------------


Reader = Callable[[CallInfo, Any], None]
"""Reads one streamed item into the call (usage, ids, finish reasons, text) and fires the chunk hook."""


def on_chunk(call: CallInfo, chunk: ChatCompletionChunk) -> None:
    """The reader of chat-completion chunks (completion streams, and translated Responses/Messages streams)."""
    if call.chunks == 0:
        call.time_to_first_chunk = time.perf_counter() - call.start
        call.response_id = chunk.id
    call.chunks += 1
    if chunk.model:
        call.response_model = chunk.model
    if chunk.usage is not None:
        call.usage = chunk.usage
    parts = call.output_parts
    for choice in chunk.choices:
        if choice.finish_reason is not None:
            call.finish_reasons.append(str(choice.finish_reason))
        if parts is not None and choice.delta.content:
            parts.append(choice.delta.content)
    if "anyllm_stream_chunk" in _wanted:
        _emit("anyllm_stream_chunk", call=call, chunk=chunk)


def on_end(call: CallInfo, completed: bool) -> None:
    if call.duration is not None:
        return
    call.duration = time.perf_counter() - call.start
    call.completed = completed
    _emit("anyllm_stream_end", call=call)


def _first(call: CallInfo) -> None:
    if call.chunks == 0:
        call.time_to_first_chunk = time.perf_counter() - call.start
    call.chunks += 1


_RESPONSE_END = ("response.completed", "response.incomplete", "response.failed")


def on_response_event(call: CallInfo, event: Any) -> None:
    """The reader of a native Responses stream's events."""
    _first(call)
    kind = getattr(event, "type", None)
    response = getattr(event, "response", None)
    if response is not None:
        call.response_id = getattr(response, "id", None) or call.response_id
        call.response_model = getattr(response, "model", None) or call.response_model
        usage = getattr(response, "usage", None)
        if usage is not None:
            call.usage = usage
        status = getattr(response, "status", None)
        if kind in _RESPONSE_END and isinstance(status, str):
            call.finish_reasons = [status]
    elif kind == "response.output_text.delta" and call.output_parts is not None:
        delta = getattr(event, "delta", None)
        if isinstance(delta, str):
            call.output_parts.append(delta)
    if "anyllm_stream_chunk" in _wanted:
        _emit("anyllm_stream_chunk", call=call, chunk=event)


def on_message_event(call: CallInfo, event: Any) -> None:
    """The reader of a native Messages stream's events (usage comes in two halves: start and delta)."""
    _first(call)
    kind = getattr(event, "type", None)
    if kind == "message_start":
        message = event.message
        call.response_id, call.response_model, call.usage = message.id, message.model, message.usage
    elif kind == "message_delta":
        if event.delta.stop_reason is not None:
            call.finish_reasons.append(str(event.delta.stop_reason))
        update = {k: v for k, v in event.usage.model_dump().items() if v is not None}
        copy = getattr(call.usage, "model_copy", None)
        call.usage = copy(update=update) if copy is not None else event.usage
    elif kind == "content_block_delta" and call.output_parts is not None:
        text = getattr(event.delta, "text", None)
        if isinstance(text, str):
            call.output_parts.append(text)
    if "anyllm_stream_chunk" in _wanted:
        _emit("anyllm_stream_chunk", call=call, chunk=event)


READERS: dict[str, Reader] = {"responses": on_response_event, "messages": on_message_event}
"""The reader of each API's native stream events; chat-completion chunks use :func:`on_chunk`."""
