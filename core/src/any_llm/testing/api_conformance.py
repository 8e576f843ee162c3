"""Conformance scenarios for ``responses()`` and ``messages()``: every plugin adopting the kit runs them.

:class:`ApiConformance` is a base of :class:`~any_llm.testing.conformance.ProviderConformance`, so a
plugin's kit class gains ``test_responses_*`` and ``test_messages_*`` with no code. A translated
provider is served its own recorded chat answers (``exchange``) and must come out as the same
Response / message and the same event sequence as a native one. A provider declaring a native
endpoint supplies answers in that API's shape: ``responses_exchange`` (the kit ships OpenAI-shaped
``/responses`` answers) or ``messages_exchange`` (Messages-shaped; the anthropic plugin's chat
exchanges already are).

Nothing here imports the conformance module at import time (it imports this one).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from any_llm import errors
from any_llm.testing.server import MockServer, Reply

if TYPE_CHECKING:
    from pathlib import Path

    from any_llm.provider import Provider
    from any_llm.testing.conformance import Outcome

__all__ = ["API_SCENARIOS", "ApiConformance", "openai_responses_exchanges", "run_api_scenario"]

API_SCENARIOS = ("plain", "stream", "tool_call", "tool_round_trip", "structured", "error_401", "error_429")
QUESTION = "What is the capital of France?"
_NEEDS = {"stream": "streaming", "tool_call": "tools", "tool_round_trip": "tools", "structured": "structured_output"}


def _kit() -> Any:
    from any_llm.testing import conformance

    return conformance


# -- running ----------------------------------------------------------------------------------------


def _call(client: Any, api: str, scenario: str, model: str, history: list[Any] | None = None) -> Any:
    kit = _kit()
    kw: dict[str, Any] = {}
    if scenario == "stream":
        kw["stream"] = True
    if scenario in ("tool_call", "tool_round_trip"):
        kw["tools"] = [kit.get_weather]
    if scenario == "structured":
        kw["response_format" if api == "responses" else "output_format"] = kit._city_model()
    if api == "responses":
        respond = client.aresponses if client.is_async else client.responses
        return respond(model, history or QUESTION, **kw)
    turns = history or [{"role": "user", "content": QUESTION}]
    return (client.amessages if client.is_async else client.messages)(model, turns, 256, **kw)


def _history(api: str, first: Any) -> list[Any]:
    kit = _kit()
    if api == "responses":
        call = next(i for i in first.output if i.type == "function_call")
        return [
            {"role": "user", "content": QUESTION},
            *first.output,
            {"type": "function_call_output", "call_id": call.call_id, "output": kit.TOOL_RESULT},
        ]
    use = next(b for b in first.content if b.type == "tool_use")
    return [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": kit.TOOL_RESULT}]},
    ]


class _Mode:
    """The client with a flag saying which twin to call."""

    def __init__(self, client: Any, is_async: bool) -> None:
        self.client = client
        self.is_async = is_async

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


async def _run_async(client: Any, api: str, scenario: str, model: str, outcome: Outcome) -> None:
    mode = _Mode(client, True)
    try:
        result = await _call(mode, api, scenario, model)
        outcome.result = result
        if scenario == "stream":
            async with result as stream:
                outcome.chunks = [e async for e in stream]
        elif scenario == "tool_round_trip":
            outcome.second = await _call(mode, api, scenario, model, _history(api, result))
    finally:
        await client.aclose()


def _run_sync(client: Any, api: str, scenario: str, model: str, outcome: Outcome) -> None:
    mode = _Mode(client, False)
    result = _call(mode, api, scenario, model)
    outcome.result = result
    if scenario == "stream":
        with result as stream:
            outcome.chunks = list(stream)
    elif scenario == "tool_round_trip":
        outcome.second = _call(mode, api, scenario, model, _history(api, result))


def run_api_scenario(
    provider_class: type[Provider],
    api: str,
    scenario: str,
    replies: list[Reply],
    *,
    use_async: bool,
    model: str = "test-model",
    base_path: str = "",
) -> Outcome:
    """Run one ``responses``/``messages`` scenario through the real core against a local server."""
    from any_llm import plugins
    from any_llm.client import AnyLLM

    kit = _kit()
    outcome: Outcome = kit.Outcome()
    with plugins.registered(provider_class), MockServer() as server:
        server.queue(*replies)
        client = AnyLLM.create(
            provider_class.name, api_key=kit.KEY, api_base=server.url + base_path, max_retries=0, timeout=10
        )
        try:
            if use_async:
                asyncio.run(_run_async(client, api, scenario, model, outcome))
            else:
                _run_sync(client, api, scenario, model, outcome)
        except errors.AnyLLMError as exc:
            outcome.error = exc
        finally:
            client.close()
        outcome.requests = list(server.requests)
    return outcome


# -- checks ---------------------------------------------------------------------------------------


def _fail(api: str, scenario: str, message: str) -> None:
    raise AssertionError(f"[{api} {scenario}] {message}")


def check_api(api: str, scenario: str, o: Outcome) -> None:
    """All checks for one responses/messages scenario's outcome."""
    kit = _kit()
    if _key_leaked(o):
        _fail(api, scenario, "the API key leaked into an error, repr or the URL")
    if scenario == "error_429":
        if not isinstance(o.error, errors.RateLimitError) or o.error.retry_after != kit.RETRY_AFTER:
            _fail(api, scenario, f"expected RateLimitError with retry_after 7, got {o.error!r}")
        return
    if scenario == "error_401":
        if not isinstance(o.error, errors.AuthenticationError) or o.error.status_code != 401:
            _fail(api, scenario, f"expected AuthenticationError (401), got {o.error!r}")
        if len(o.requests or []) != 1 and not kit.token_refreshed(o.requests or []):
            _fail(api, scenario, f"expected exactly 1 request, got {len(o.requests or [])}")
        return
    if o.error is not None:
        _fail(api, scenario, f"raised {type(o.error).__name__}: {o.error}")
    (_check_responses if api == "responses" else _check_messages)(scenario, o)


def _key_leaked(o: Outcome) -> bool:
    kit = _kit()
    texts = [repr(o.result), str(o.error), repr(o.error), *(r.path for r in o.requests or [])]
    return any(kit.KEY in t for t in texts)


def _check_responses(scenario: str, o: Outcome) -> None:
    from any_llm.types import responses as t

    kit = _kit()
    fail: Callable[[str], None] = lambda msg: _fail("responses", scenario, msg)  # noqa: E731
    if scenario == "stream":
        events = o.chunks or []
        kinds = [e.type for e in events]
        if kinds[:1] != ["response.created"] or kinds[-1:] != ["response.completed"]:
            fail(f"events must open with response.created and end with response.completed, got {kinds}")
        text = "".join(e.delta for e in events if isinstance(e, t.ResponseTextDeltaEvent))
        if text != kit.TEXT:
            fail(f"assembled output_text.delta {text!r} != {kit.TEXT!r}")
        if "response.output_item.added" not in kinds or "response.output_item.done" not in kinds:
            fail("no output_item.added / output_item.done around the message")
        final = events[-1].response
        if final.output_text != kit.TEXT:
            fail(f"response.completed carries output_text {final.output_text!r}")
        if o.result.response is not None and not o.result.response.is_closed:
            fail("the stream's connection is still open after it ended")
        return
    result = o.result
    if not isinstance(result, t.Response):
        fail(f"expected a Response, got {type(result).__name__}")
    if scenario == "plain":
        if result.output_text != kit.TEXT or result.status != "completed":
            fail(f"output_text {result.output_text!r} / status {result.status!r}")
        usage = result.usage
        if usage is None or (usage.input_tokens, usage.output_tokens) != kit.USAGE:
            fail(f"usage {usage} != {kit.USAGE}")
        if usage.total_tokens != sum(kit.USAGE):
            fail(f"total_tokens {usage.total_tokens} != {sum(kit.USAGE)}")
    elif scenario in ("tool_call", "tool_round_trip"):
        calls = [i for i in result.output if isinstance(i, t.ResponseFunctionToolCall)]
        if len(calls) != 1 or calls[0].name != kit.TOOL_NAME or not calls[0].call_id:
            fail(f"expected one {kit.TOOL_NAME} function_call with a call_id, got {result.output}")
        if json.loads(calls[0].arguments) != kit.TOOL_ARGS:
            fail(f"arguments {calls[0].arguments!r} != {kit.TOOL_ARGS}")
        if scenario == "tool_round_trip":
            if o.second is None or o.second.output_text != kit.TEXT:
                fail("the answer after sending the function_call_output is not the recorded text")
            sent = (o.requests or [])[-1].body.decode()
            if kit.TOOL_RESULT not in sent or kit.TOOL_NAME not in sent:
                fail("the replayed request does not carry the function call and its output")
    elif scenario == "structured":
        parsed = getattr(result, "output_parsed", None)
        if parsed is None or parsed.model_dump() != kit.CITY:
            fail(f"output_parsed {parsed!r} != {kit.CITY}")


def _check_messages(scenario: str, o: Outcome) -> None:
    from any_llm.types import messages as t

    kit = _kit()
    fail: Callable[[str], None] = lambda msg: _fail("messages", scenario, msg)  # noqa: E731
    if scenario == "stream":
        events = o.chunks or []
        kinds = [e.type for e in events]
        if kinds[:1] != ["message_start"] or kinds[-1:] != ["message_stop"]:
            fail(f"events must open with message_start and end with message_stop, got {kinds}")
        text = "".join(
            e.delta.text for e in events if isinstance(e, t.ContentBlockDeltaEvent) and isinstance(e.delta, t.TextDelta)
        )
        if text != kit.TEXT:
            fail(f"assembled text_delta {text!r} != {kit.TEXT!r}")
        stops = [e.delta.stop_reason for e in events if isinstance(e, t.MessageDeltaEvent)]
        if stops != ["end_turn"]:
            fail(f"message_delta stop reasons {stops} != ['end_turn']")
        starts = sum(k == "content_block_start" for k in kinds)
        if starts == 0 or starts != sum(k == "content_block_stop" for k in kinds):
            fail("every content_block_start needs its content_block_stop")
        if o.result.response is not None and not o.result.response.is_closed:
            fail("the stream's connection is still open after it ended")
        return
    result = o.result
    if not isinstance(result, t.MessageResponse):
        fail(f"expected a MessageResponse, got {type(result).__name__}")
    if scenario == "plain":
        if result.text != kit.TEXT or result.stop_reason != "end_turn":
            fail(f"text {result.text!r} / stop_reason {result.stop_reason!r}")
        if (result.usage.input_tokens, result.usage.output_tokens) != kit.USAGE:
            fail(f"usage {result.usage} != {kit.USAGE}")
    elif scenario in ("tool_call", "tool_round_trip"):
        uses = [b for b in result.content if isinstance(b, t.ToolUseBlock)]
        if len(uses) != 1 or uses[0].name != kit.TOOL_NAME or uses[0].input != kit.TOOL_ARGS or not uses[0].id:
            fail(f"expected one {kit.TOOL_NAME} tool_use with {kit.TOOL_ARGS}, got {result.content}")
        if result.stop_reason != "tool_use":
            fail(f"stop_reason {result.stop_reason!r} != 'tool_use'")
        if scenario == "tool_round_trip":
            if o.second is None or o.second.text != kit.TEXT:
                fail("the answer after sending the tool_result is not the recorded text")
            sent = (o.requests or [])[-1].body.decode()
            if kit.TOOL_RESULT not in sent or kit.TOOL_NAME not in sent:
                fail("the replayed request does not carry the tool call and its result")
    elif scenario == "structured":
        parsed = getattr(result, "parsed_output", None)
        if parsed is None or parsed.model_dump() != kit.CITY:
            fail(f"parsed_output {parsed!r} != {kit.CITY}")


# -- the mixin ------------------------------------------------------------------------------------


class ApiConformance:
    """``responses()`` / ``messages()`` scenarios, sync and async, for the kit's provider class."""

    provider_class: ClassVar[type[Provider]]
    model: ClassVar[str] = "test-model"
    base_path: ClassVar[str] = ""
    request_schema: ClassVar[tuple[str | Path, str] | None] = None
    responses_request_schema: ClassVar[tuple[str | Path, str] | None] = None
    """(spec, schema) the native ``/responses`` request bodies must match (OpenAI-compatible kit: CreateResponse)."""

    def replies(self, scenario: str) -> list[Reply]:
        raise NotImplementedError

    def responses_exchange(self, scenario: str) -> Reply | list[Reply]:
        """Native ``/responses`` answers (only for providers declaring ``supports_responses_native``)."""
        return openai_responses_exchanges()[scenario]

    def messages_exchange(self, scenario: str) -> Reply | list[Reply]:
        """Native ``/v1/messages`` answers (only for providers declaring ``supports_messages_native``)."""
        raise NotImplementedError("a provider with a native Messages API supplies Messages-shaped answers here")

    def api_replies(self, api: str, scenario: str) -> list[Reply]:
        native = getattr(self.provider_class, f"supports_{api}_native")
        if not native:
            return self.replies(scenario)
        get = self.responses_exchange if api == "responses" else self.messages_exchange
        names = ["tool_call", "tool_round_trip"] if scenario == "tool_round_trip" else [scenario]
        out: list[Reply] = []
        for name in names:
            value = get(name)
            out.extend(value if isinstance(value, list) else [value])
        return out

    def run_api(self, api: str, scenario: str, use_async: bool) -> None:
        cls = self.provider_class
        needs = _NEEDS.get(scenario)
        # without chat (an embeddings-only provider), a translated responses()/messages() has nothing to run on
        chatless = not cls.supports_completion and not getattr(cls, f"supports_{api}_native")
        if chatless or (needs is not None and not getattr(cls, f"supports_{needs}")):
            o = run_api_scenario(
                cls, api, scenario, [], use_async=use_async, model=self.model, base_path=self.base_path
            )
            if not isinstance(o.error, (errors.UnsupportedCapabilityError, errors.UnsupportedParameterError)):
                _fail(api, scenario, f"declared unsupported, but got {o.error!r} instead of a refusal")
            if o.requests:
                _fail(api, scenario, "declared unsupported, but a request was sent")
            return
        o = run_api_scenario(
            cls,
            api,
            scenario,
            self.api_replies(api, scenario),
            use_async=use_async,
            model=self.model,
            base_path=self.base_path,
        )
        check_api(api, scenario, o)
        native = getattr(cls, f"supports_{api}_native")
        # native /responses bodies against CreateResponse; translated ones are chat requests: the kit's schema
        schema = (self.responses_request_schema if api == "responses" else None) if native else self.request_schema
        if schema is not None:
            from any_llm.testing.schema import schema_errors

            spec, name = schema
            for request in o.requests or []:
                problems = schema_errors(spec, name, request.json)
                if problems:
                    _fail(api, scenario, f"request body does not match {name}: {problems[:3]}")

    def test_responses_state_is_refused_without_server_state(self) -> None:
        """previous_response_id & co. need state on the provider's servers: refused when translated or when the
        native endpoint is stateless, nothing sent."""
        from any_llm import plugins
        from any_llm.client import AnyLLM

        cls = self.provider_class
        if cls.supports_responses_native and cls.responses_keeps_state:
            return
        kit = _kit()
        with plugins.registered(cls), MockServer() as server:
            client = AnyLLM.create(cls.name, api_key=kit.KEY, api_base=server.url + self.base_path, max_retries=0)
            try:
                for name, value in (
                    ("previous_response_id", "resp_1"),
                    ("conversation", "conv_1"),
                    ("store", True),
                    ("background", True),
                ):
                    refused: str | None = None
                    try:
                        client.responses(self.model, QUESTION, **{name: value})
                    except errors.UnsupportedParameterError as exc:
                        refused = exc.parameter_name
                    if refused != name:
                        raise AssertionError(f"{name} was not refused on a provider keeping no state")
            finally:
                client.close()
            assert server.requests == [], "a refused parameter still sent a request"


def _make(api: str, scenario: str, use_async: bool) -> Callable[[ApiConformance], None]:
    def test(self: ApiConformance) -> None:
        self.run_api(api, scenario, use_async)

    test.__name__ = f"test_{api}_{scenario}_{'async' if use_async else 'sync'}"
    test.__doc__ = f"{api}() scenario {scenario!r}, {'async' if use_async else 'sync'}."
    return test


ASYNC_SCENARIOS = ("plain", "stream")
"""Run async too; the other scenarios share every line but the I/O call with them (kept cheap: ~30 plugins)."""

for _api in ("responses", "messages"):
    for _scenario in API_SCENARIOS:
        for _mode in (False, True) if _scenario in ASYNC_SCENARIOS else (False,):
            _t = _make(_api, _scenario, _mode)
            setattr(ApiConformance, _t.__name__, _t)


# -- OpenAI-shaped /responses answers encoding the kit's canonical values ---------------------------------


def _response_json(output: list[dict[str, Any]]) -> dict[str, Any]:
    kit = _kit()
    return {
        "id": "resp_kit",
        "object": "response",
        "created_at": 1700000000,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "model": "test-model",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": kit.USAGE[0],
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": kit.USAGE[1],
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": sum(kit.USAGE),
        },
    }


def _message(text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": "msg_kit",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def openai_responses_exchanges() -> dict[str, Reply | list[Reply]]:
    """``/responses`` answers in OpenAI's documented shapes (bodies and a named-event SSE stream)."""
    kit = _kit()
    call = {
        "type": "function_call",
        "id": "fc_kit",
        "call_id": "call_kit1",
        "name": kit.TOOL_NAME,
        "arguments": json.dumps(kit.TOOL_ARGS),
        "status": "completed",
    }
    final = _response_json([_message(kit.TEXT)])
    start = {**final, "status": "in_progress", "output": [], "usage": None}
    item = {"type": "message", "id": "msg_kit", "status": "in_progress", "role": "assistant", "content": []}
    words = ["The", " capital", " of", " France", " is", " Paris", "."]
    ref = {"item_id": "msg_kit", "output_index": 0, "content_index": 0}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": start},
        {"type": "response.in_progress", "response": start},
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.content_part.added", **ref, "part": {"type": "output_text", "text": "", "annotations": []}},
        *({"type": "response.output_text.delta", **ref, "delta": w} for w in words),
        {"type": "response.output_text.done", **ref, "text": kit.TEXT},
        {"type": "response.content_part.done", **ref, "part": _message(kit.TEXT)["content"][0]},
        {"type": "response.output_item.done", "output_index": 0, "item": _message(kit.TEXT)},
        {"type": "response.completed", "response": final},
    ]
    for n, event in enumerate(events):
        event["sequence_number"] = n
    return {
        "plain": Reply.json(final),
        "stream": Reply.sse([(e["type"], e) for e in events], done=False),
        "tool_call": Reply.json(_response_json([call])),
        "tool_round_trip": Reply.json(final),
        "structured": Reply.json(_response_json([_message(json.dumps(kit.CITY))])),
        "error_401": Reply.json(
            {
                "error": {
                    "message": "Incorrect API key provided",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
            401,
        ),
        "error_429": Reply.json(
            {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}},
            429,
            headers={"retry-after": "7"},
        ),
    }
