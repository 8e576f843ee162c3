"""The conformance kit: proves a provider plugin behaves like every built-in one.

A plugin's tests adopt it in a few lines::

    from any_llm.testing.conformance import ProviderConformance
    from any_llm.testing import Reply

    class TestMyProviderConformance(ProviderConformance):
        provider_class = MyProvider
        base_path = "/v1"

        def exchange(self, scenario):          # what the provider's server answers, per scenario
            return EXCHANGES[scenario]          # Reply objects, e.g. recorded from the real API

Every scenario runs through the real core (transport, retries, SSE/NDJSON decoding, error mapping)
against a local server, sync and async, and checks the unified behaviour: types, chunk assembly,
finish reasons, usage, error classes, that no key leaks, that unsupported parameters are refused
before sending and that no parameter is silently dropped. The recorded exchanges must encode the
canonical answers below (:data:`TEXT`, :data:`TOOL_NAME`/:data:`TOOL_ARGS`, :data:`CITY`,
:data:`USAGE`, ``retry-after: 7`` on the 429). A scenario the provider cannot support is declared
through its capability flags, and the kit checks that the declared gap raises the right error.

:class:`OpenAICompatibleConformance` ships the exchanges for OpenAI-shaped providers.
Importing this module needs no pytest; the ``Test*`` subclass is collected by pytest.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from any_llm import errors
from any_llm.testing.api_conformance import ApiConformance
from any_llm.testing.families import OPENAI_FAMILY_SCHEMAS, FamilyConformance, openai_family_exchanges
from any_llm.testing.schema import OPENAI_RESPONSES_SPEC, OPENAI_SPEC
from any_llm.testing.server import MockServer, Reply
from any_llm.testing.translation import build_request

if TYPE_CHECKING:
    from any_llm.provider import Provider

__all__ = [
    "CITY",
    "EMBEDDINGS",
    "KEY",
    "MESSAGES",
    "MODEL_IDS",
    "OPENAI_SPEC",
    "SCENARIOS",
    "TEXT",
    "TOOL_ARGS",
    "TOOL_NAME",
    "TOOL_RESULT",
    "USAGE",
    "OpenAICompatibleConformance",
    "ProviderConformance",
    "run_scenario",
]

TEXT = "The capital of France is Paris."
TOOL_NAME = "get_weather"
TOOL_ARGS: dict[str, Any] = {"location": "Paris"}
TOOL_RESULT = "Weather in Paris is sunny and 75F!"
CITY: dict[str, Any] = {"name": "Paris", "country": "France", "population": 2102650}
USAGE = (12, 7)
"""(prompt_tokens, completion_tokens) every recorded exchange reports."""
KEY = "conformance-key-0123456789abcdef"
EMBEDDINGS = [[0.25, -0.5], [0.125, 1.0]]
"""The vectors the embedding exchange returns for inputs ["a", "b"]."""
MODEL_IDS = ["model-a", "model-b"]
RETRY_AFTER = 7.0

SCENARIOS = (
    "plain",
    "stream",
    "stream_usage",
    "stream_cut",
    "tool_call",
    "stream_tool_call",
    "tool_round_trip",
    "structured",
    "error_401",
    "error_429",
    "error_context_length",
    "error_5xx",
)

# A distinctive value per seed parameter: it must show up in the request body, or be refused.
PARAM_SAMPLES: dict[str, Any] = {
    "temperature": 0.37,
    "top_p": 0.91,
    "max_tokens": 777,
    "max_completion_tokens": 778,
    "n": 3,
    "stop": ["STOP-SEQ-9"],
    "presence_penalty": 0.123,
    "frequency_penalty": 0.321,
    "seed": 424242,
    "user": "user-xyz-987",
    "logit_bias": {"31337": -1.5},
    "top_logprobs": 7,
    "service_tier": "tier-xyz",
    "prompt_cache_key": "cache-key-xyz",
}
FLAG_SAMPLES: dict[str, Any] = {
    "logprobs": True,
    "parallel_tool_calls": False,
    "stream_options": {"include_usage": True},
    "reasoning_effort": "low",
}


def get_weather(location: str) -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
    """
    return TOOL_RESULT


def _city_model() -> type:
    from pydantic import BaseModel

    class CityInfo(BaseModel):
        name: str
        country: str
        population: int

    return CityInfo


MESSAGES: list[Any] = [{"role": "user", "content": "What is the capital of France?"}]


@dataclass
class Outcome:
    """What one scenario run produced, for the checks."""

    result: Any = None
    chunks: list[Any] | None = None
    error: BaseException | None = None
    requests: list[Any] | None = None
    logs: str = ""
    second: Any = None


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # a broken log call must not hide other findings
            self.lines.append(str(record.msg))


def run_scenario(
    provider_class: type[Provider],
    scenario: str,
    replies: list[Reply],
    *,
    use_async: bool,
    model: str = "test-model",
    base_path: str = "",
) -> Outcome:
    """Run one scenario through the real core against a local server answering ``replies``."""
    from any_llm import plugins
    from any_llm.client import AnyLLM

    capture = _LogCapture()
    loggers = [logging.getLogger(n) for n in ("", "any_llm", "httpx", "httpcore")]
    old_levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(capture)
    outcome = Outcome()
    try:
        with plugins.registered(provider_class), MockServer() as server:
            server.queue(*replies)
            client = AnyLLM.create(
                provider_class.name, api_key=KEY, api_base=server.url + base_path, max_retries=0, timeout=10
            )
            try:
                if use_async:
                    asyncio.run(_run_async(client, scenario, model, outcome))
                else:
                    _run_sync(client, scenario, model, outcome)
            except errors.AnyLLMError as exc:
                outcome.error = exc
            finally:
                client.close()
            outcome.requests = list(server.requests)
    finally:
        logging.getLogger().removeHandler(capture)
        for lg, level in zip(loggers, old_levels):
            lg.setLevel(level)
    outcome.logs = "\n".join(capture.lines)
    return outcome


def _call_kwargs(scenario: str) -> dict[str, Any]:
    if scenario in ("stream", "stream_usage", "stream_cut"):
        return {"stream": True}
    if scenario == "tool_call" or scenario == "tool_round_trip":
        return {"tools": [get_weather]}
    if scenario == "stream_tool_call":
        return {"tools": [get_weather], "stream": True}
    if scenario == "structured":
        return {"response_format": _city_model()}
    return {}


def _round_trip_messages(first: Any) -> list[Any]:
    call = first.choices[0].message.tool_calls[0]
    return [*MESSAGES, first.choices[0].message, {"role": "tool", "tool_call_id": call.id, "content": TOOL_RESULT}]


def _run_sync(client: Any, scenario: str, model: str, outcome: Outcome) -> None:
    result = client.completion(model, MESSAGES, **_call_kwargs(scenario))
    if _call_kwargs(scenario).get("stream"):
        with result as stream:
            outcome.chunks = list(stream)
        outcome.result = result
        return
    outcome.result = result
    if scenario == "tool_round_trip":
        outcome.second = client.completion(model, _round_trip_messages(result), tools=[get_weather])


async def _run_async(client: Any, scenario: str, model: str, outcome: Outcome) -> None:
    try:
        result = await client.acompletion(model, MESSAGES, **_call_kwargs(scenario))
        if _call_kwargs(scenario).get("stream"):
            async with result as stream:
                outcome.chunks = [c async for c in stream]
            outcome.result = result
            return
        outcome.result = result
        if scenario == "tool_round_trip":
            outcome.second = await client.acompletion(model, _round_trip_messages(result), tools=[get_weather])
    finally:
        await client.aclose()


# -- checks: each raises AssertionError naming what is wrong -------------------------------------


def _fail(scenario: str, message: str) -> None:
    raise AssertionError(f"[{scenario}] {message}")


def _no_error(scenario: str, o: Outcome) -> None:
    if o.error is not None:
        _fail(scenario, f"raised {type(o.error).__name__}: {o.error}")


def _check_usage(scenario: str, usage: Any) -> None:
    if usage is None:
        _fail(scenario, "no usage reported")
    got = (usage.prompt_tokens, usage.completion_tokens)
    if got != USAGE:
        _fail(scenario, f"usage {got} != recorded {USAGE}")
    if usage.total_tokens != sum(USAGE):
        _fail(scenario, f"total_tokens {usage.total_tokens} != {sum(USAGE)}")


def _assemble(chunks: list[Any]) -> tuple[str, dict[int, dict[str, str]], list[str]]:
    text = ""
    calls: dict[int, dict[str, str]] = {}
    finishes: list[str] = []
    for chunk in chunks:
        for choice in chunk.choices:
            delta = choice.delta
            text += delta.content or ""
            for call in delta.tool_calls or []:
                slot = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                slot["id"] += call.id or ""
                if call.function is not None:
                    slot["name"] += call.function.name or ""
                    slot["arguments"] += call.function.arguments or ""
            if choice.finish_reason:
                finishes.append(choice.finish_reason)
    return text, calls, finishes


def check(scenario: str, o: Outcome, provider: str | None = None) -> None:
    """All checks for one scenario's outcome."""
    from any_llm.types import ChatCompletion, ChatCompletionChunk

    _check_no_leak(scenario, o)
    if scenario == "stream_cut":
        if not isinstance(o.error, errors.APIConnectionError) or isinstance(o.error, errors.APITimeoutError):
            got = f"{type(o.error).__name__}: {o.error}" if o.error else "a stream that ended without error"
            _fail(scenario, f"a stream cut after its first event must raise APIConnectionError, got {got}")
        return
    if scenario.startswith("error_"):
        expected = {
            "error_401": errors.AuthenticationError,
            "error_429": errors.RateLimitError,
            "error_context_length": errors.ContextLengthExceededError,
            "error_5xx": errors.ProviderError,
        }[scenario]
        if not isinstance(o.error, expected):
            _fail(scenario, f"expected {expected.__name__}, got {type(o.error).__name__}: {o.error}")
        assert isinstance(o.error, errors.AnyLLMError)
        if provider is not None and o.error.provider != provider:
            _fail(scenario, f"error names provider {o.error.provider!r}")
        if o.error.status_code is None:
            _fail(scenario, "error has no status_code")
        retry_after = getattr(o.error, "retry_after", None)
        if scenario == "error_429" and retry_after != RETRY_AFTER:
            _fail(scenario, f"retry_after {retry_after!r} != {RETRY_AFTER} from the retry-after header")
        sent = o.requests or []
        if len(sent) != 1 and not (scenario == "error_401" and token_refreshed(sent)):
            _fail(scenario, f"expected exactly 1 request with max_retries=0, got {len(sent)}")
        return
    _no_error(scenario, o)
    if o.chunks is not None:
        if not o.chunks or not all(isinstance(c, ChatCompletionChunk) for c in o.chunks):
            _fail(scenario, "stream must yield ChatCompletionChunk objects")
        asked = any(
            isinstance(r.json, dict) and (r.json.get("stream_options") or {}).get("include_usage")
            for r in o.requests or []
        )
        if asked and any(not c.choices for c in o.chunks):  # the usage chunk we asked for on the caller's behalf
            _fail(scenario, "a chunk has no choices: the seed examples' chunk.choices[0].delta raises IndexError")
        if not o.result.response.is_closed:
            _fail(scenario, "the stream's connection is still open after it ended")
        text, calls, finishes = _assemble(o.chunks)
        if scenario == "stream":
            if text != TEXT:
                _fail(scenario, f"assembled text {text!r} != {TEXT!r}")
            if "stop" not in finishes:
                _fail(scenario, f"no finish_reason 'stop' in the stream (saw {finishes})")
        elif scenario == "stream_usage":
            usages = [c.usage for c in o.chunks if c.usage is not None]
            _check_usage(scenario, usages[-1] if usages else None)
        elif scenario == "stream_tool_call":
            if len(calls) != 1:
                _fail(scenario, f"expected one streamed tool call, got {calls}")
            call = calls[min(calls)]
            if call["name"] != TOOL_NAME:
                _fail(scenario, f"assembled tool name {call['name']!r} != {TOOL_NAME!r}")
            if not call["id"]:
                _fail(scenario, "streamed tool call has no id")
            try:
                args = json.loads(call["arguments"])
            except ValueError:
                _fail(scenario, f"assembled arguments are not JSON: {call['arguments']!r}")
            if args != TOOL_ARGS:
                _fail(scenario, f"assembled arguments {args} != {TOOL_ARGS}")
            if "tool_calls" not in finishes:
                _fail(scenario, f"no finish_reason 'tool_calls' (saw {finishes})")
        return
    result = o.result
    if not isinstance(result, ChatCompletion):
        _fail(scenario, f"expected a ChatCompletion, got {type(result).__name__}")
    choice = result.choices[0]
    if scenario == "plain":
        if choice.message.content != TEXT:
            _fail(scenario, f"content {choice.message.content!r} != {TEXT!r}")
        if choice.finish_reason != "stop":
            _fail(scenario, f"finish_reason {choice.finish_reason!r} != 'stop'")
        if choice.message.role != "assistant":
            _fail(scenario, "message role is not 'assistant'")
        _check_usage(scenario, result.usage)
    elif scenario in ("tool_call", "tool_round_trip"):
        if choice.finish_reason != "tool_calls":
            _fail(scenario, f"finish_reason {choice.finish_reason!r} != 'tool_calls'")
        made = choice.message.tool_calls or []
        if len(made) != 1 or made[0].function.name != TOOL_NAME or not made[0].id:
            _fail(scenario, f"expected one {TOOL_NAME} call with an id, got {made}")
        if json.loads(made[0].function.arguments) != TOOL_ARGS:
            _fail(scenario, f"arguments {made[0].function.arguments!r} != {TOOL_ARGS}")
        if scenario == "tool_round_trip":
            if o.second is None or o.second.choices[0].message.content != TEXT:
                _fail(scenario, "the answer after sending the tool result is not the recorded text")
            sent = (o.requests or [])[-1].body.decode()
            if TOOL_RESULT not in sent:
                _fail(scenario, "the tool result was not sent back to the provider")
            if TOOL_NAME not in sent:
                _fail(scenario, "the replayed request does not carry the tool call")
    elif scenario == "structured":
        parsed = getattr(choice.message, "parsed", None)
        if parsed is None or parsed.model_dump() != CITY:
            _fail(scenario, f".parsed {parsed!r} != {CITY}")


def _check_auth_headers(scenario: str, provider_class: type[Provider], o: Outcome) -> None:
    """Every request carries the headers ``auth_headers()`` declares, with their values."""
    expected = provider_class(api_key=KEY, api_base="https://api.invalid").auth_headers()
    for request in o.requests or []:
        for name, value in expected.items():
            if request.headers.get(name.lower()) != value:
                _fail(scenario, f"{request.path}: header {name!r} is not the provider's auth header")


def _check_no_leak(scenario: str, o: Outcome) -> None:
    texts = [o.logs]
    if o.error is not None:
        texts += [str(o.error), repr(o.error), str(getattr(o.error, "body", "")), str(vars(o.error))]
    if o.result is not None:
        texts.append(repr(o.result))
    for text in texts:
        if KEY in text:
            _fail(scenario, "the API key leaked into an error, repr or log line")
    for request in o.requests or []:
        if KEY in request.path:
            _fail(scenario, "the API key was sent in the URL; send it in a header")


def token_refreshed(sent: list[Any]) -> bool:
    """Token auth (:mod:`any_llm.auth`): a 401 gets one resend with a fresh token, so two requests whose
    ``Authorization`` differ are one refused call, not a retry."""
    return len(sent) == 2 and sent[0].headers.get("authorization") != sent[1].headers.get("authorization")


def check_params(provider_class: type[Provider]) -> list[str]:
    """Every seed parameter is sent (its distinctive value appears in the body) or refused before sending."""
    from any_llm.params import build_params

    problems: list[str] = []
    provider = provider_class(api_key=KEY, api_base="http://127.0.0.1:9")
    for name, value in {**PARAM_SAMPLES, **FLAG_SAMPLES}.items():
        args = {name: value}
        kwargs: dict[str, Any] = {}
        if name in ("service_tier", "prompt_cache_key"):
            kwargs, args = {name: value}, {}
        if name == "parallel_tool_calls":
            args["tools"] = [get_weather]
        if name == "stream_options":
            args["stream"] = True
        if name == "top_logprobs":
            args["logprobs"] = True
        try:
            params = build_params("test-model", MESSAGES, args, kwargs)
            request = build_request(provider, params)
        except errors.UnsupportedParameterError as exc:
            if name not in provider_class.unsupported_params and exc.parameter_name != name:
                problems.append(f"{name}: refused as {exc.parameter_name!r}")
            continue
        except errors.AnyLLMError as exc:
            problems.append(f"{name}: {type(exc).__name__} instead of UnsupportedParameterError: {exc}")
            continue
        if name in provider_class.unsupported_params:
            problems.append(f"{name}: declared unsupported but was not refused")
            continue
        if name in PARAM_SAMPLES:
            wire = json.dumps(request.json) + json.dumps(request.params or {})
            needle = json.dumps(value)[1:-1] if isinstance(value, (list, dict)) else json.dumps(value)
            if name == "logit_bias":
                needle = "-1.5"
            if needle.strip('"') not in wire:
                problems.append(f"{name}={value!r} was silently dropped from the request")
    return problems


def _check_capability_gap(
    provider_class: type[Provider], scenario: str, use_async: bool, model: str, base_path: str
) -> bool:
    """For a declared gap, the kit checks the typed error; returns True when the scenario is a gap."""
    needs = {
        "stream": "streaming",
        "stream_usage": "streaming",
        "stream_tool_call": "streaming",
        "tool_call": "tools",
        "tool_round_trip": "tools",
        "structured": "structured_output",
    }.get(scenario)
    needs = "streaming" if scenario == "stream_cut" else needs
    gap = needs is not None and not getattr(provider_class, f"supports_{needs}")
    if scenario == "stream_tool_call" and not provider_class.supports_tools:
        gap = True
    if not provider_class.supports_completion:  # an embeddings-only provider: every chat scenario is the gap
        gap, needs = True, "completion"
    if not gap:
        return False
    outcome = run_scenario(provider_class, scenario, [], use_async=use_async, model=model, base_path=base_path)
    if not isinstance(outcome.error, (errors.UnsupportedCapabilityError, errors.UnsupportedParameterError)):
        _fail(
            scenario,
            f"declared unsupported, but got {type(outcome.error).__name__ if outcome.error else 'a result'}"
            " instead of UnsupportedCapabilityError/UnsupportedParameterError",
        )
    if outcome.requests:
        _fail(scenario, "declared unsupported, but a request was sent")
    _skip(f"{provider_class.name} declares no {needs}: the kit checked that it is refused before sending")
    return True


def _skip(reason: str) -> None:
    """Report a declared capability gap as a skip with its reason (under pytest), not as a pass."""
    try:
        import pytest
    except ImportError:  # the kit runs without pytest too
        return
    pytest.skip(reason)


def _cut_after_first_event(reply: Reply) -> Reply:
    """The stream reply as a server that dies after its first event sends it (the body ends there)."""
    if len(reply.chunks) < 2:
        raise AssertionError("[stream_cut] the stream exchange needs at least two events to cut it")
    return Reply(reply.status, dict(reply.headers), reply.chunks[:1])


class ProviderConformance(ApiConformance, FamilyConformance):
    """Subclass as ``Test...`` in a plugin's tests; set ``provider_class`` and implement ``exchange``.
    ``responses()`` / ``messages()`` scenarios come from :class:`ApiConformance`, the API families'
    (rerank, moderation, images, audio, batch) from :class:`~any_llm.testing.families.FamilyConformance`."""

    provider_class: ClassVar[type[Provider]]
    model: ClassVar[str] = "test-model"
    base_path: ClassVar[str] = ""
    """Appended to the local server's URL to form ``api_base`` (e.g. "/v1")."""
    request_schema: ClassVar[tuple[str | Path, str] | None] = None
    """(spec file, schema name): every completion request body the kit sends must validate against it."""

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        """The server's answer(s) for ``scenario`` (for tool_round_trip: the answer to the second call;
        also "embedding" (vectors :data:`EMBEDDINGS`) and "list_models" (ids :data:`MODEL_IDS`) when the
        provider declares those capabilities)."""
        raise NotImplementedError

    def replies(self, scenario: str) -> list[Reply]:
        if scenario == "stream_cut":
            return [_cut_after_first_event(reply) for reply in _as_list(self.exchange("stream"))]
        if scenario == "tool_round_trip":
            return [*_as_list(self.exchange("tool_call")), *_as_list(self.exchange("tool_round_trip"))]
        return _as_list(self.exchange(scenario))

    def run(self, scenario: str, use_async: bool) -> None:
        cls = self.provider_class
        if _check_capability_gap(cls, scenario, use_async, self.model, self.base_path):
            return
        outcome = run_scenario(
            cls, scenario, self.replies(scenario), use_async=use_async, model=self.model, base_path=self.base_path
        )
        check(scenario, outcome, cls.name)
        _check_auth_headers(scenario, cls, outcome)
        if self.request_schema is not None:
            from any_llm.testing.schema import schema_errors

            spec, name = self.request_schema
            for request in outcome.requests or []:
                problems = schema_errors(spec, name, request.json)
                if problems:
                    _fail(scenario, f"request body does not match {name}: {problems[:3]}")

    def test_parameters_are_sent_or_refused(self) -> None:
        if not self.provider_class.supports_completion:
            return  # no completion request to carry them: the gap scenarios check the refusal
        problems = check_params(self.provider_class)
        if problems:
            raise AssertionError("; ".join(problems))

    def test_key_and_base_url_from_env(self) -> None:
        """The first declared env vars supply the key (sent in a header, never the URL) and the base URL."""
        import os

        from any_llm import api, plugins

        cls = self.provider_class
        if not cls.api_base_env:
            return
        names = [*cls.api_key_env[:1], cls.api_base_env[0]]
        saved = {n: os.environ.get(n) for n in names}
        chat = cls.supports_completion  # an embeddings-only provider proves it with an embedding call
        with plugins.registered(cls), MockServer() as server:
            server.queue(*_as_list(self.exchange("plain" if chat else "embedding")))
            try:
                if cls.api_key_env:
                    os.environ[cls.api_key_env[0]] = KEY
                os.environ[cls.api_base_env[0]] = server.url + self.base_path
                api.close_clients(cls.name)
                out: Any = (
                    api.completion(
                        model=self.model, provider=cls.name, messages=MESSAGES, client_args={"max_retries": 0}
                    )
                    if chat
                    else api.embedding(
                        model=self.model, provider=cls.name, inputs=["a", "b"], client_args={"max_retries": 0}
                    )
                )
            finally:
                for n, v in saved.items():
                    if v is None:
                        os.environ.pop(n, None)
                    else:
                        os.environ[n] = v
                api.close_clients(cls.name)
            if chat:
                assert out.choices[0].message.content == TEXT
            else:
                assert [d.embedding for d in out.data] == EMBEDDINGS
            request = server.requests[0]
            assert KEY not in request.path, "the API key was sent in the URL"
            if cls.api_key_env:
                assert any(KEY in v for v in request.headers.values()), (
                    f"the key from {cls.api_key_env[0]} was not sent in a header"
                )

    def test_embedding(self) -> None:
        self._capability_call("embedding", lambda c: c.embedding(self.model, ["a", "b"]))

    def test_list_models(self) -> None:
        self._capability_call("list_models", lambda c: c.list_models())

    def _capability_call(self, capability: str, call: Callable[[Any], Any]) -> None:
        """With the flag on, the exchange parses; with it off, a typed error comes before any request."""
        from any_llm import plugins
        from any_llm.client import AnyLLM

        cls = self.provider_class
        supported = getattr(cls, f"supports_{capability}")
        with plugins.registered(cls), MockServer() as server:
            if supported:
                server.queue(*_as_list(self.exchange(capability)))
            client = AnyLLM.create(cls.name, api_key=KEY, api_base=server.url + self.base_path, max_retries=0)
            try:
                if not supported:
                    try:
                        call(client)
                    except errors.UnsupportedCapabilityError:
                        assert server.requests == [], f"{capability}: a request was sent for a declared gap"
                        _skip(f"{cls.name} declares no {capability}: the kit checked that it is refused")
                        return
                    raise AssertionError(f"{capability} is declared unsupported but the call went through")
                result = call(client)
            finally:
                client.close()
        if capability == "embedding":
            assert [d.embedding for d in result.data] == EMBEDDINGS, f"embeddings {result.data} != {EMBEDDINGS}"
        else:
            assert [m.id for m in result] == MODEL_IDS, f"models {[m.id for m in result]} != {MODEL_IDS}"

    def test_unsupported_parameters_send_nothing(self) -> None:
        from any_llm import plugins
        from any_llm.client import AnyLLM

        cls = self.provider_class
        with plugins.registered(cls), MockServer() as server:
            client = AnyLLM.create(cls.name, api_key=KEY, api_base=server.url + self.base_path, max_retries=0)
            for name in sorted(cls.unsupported_params):
                value = {**PARAM_SAMPLES, **FLAG_SAMPLES}.get(name, "x")
                try:
                    client.completion(self.model, MESSAGES, **{name: value})
                except errors.UnsupportedParameterError:
                    pass
                else:
                    raise AssertionError(f"{name} is declared unsupported but the call went through")
            client.close()
            assert server.requests == [], "a refused parameter still sent a request"


def _as_list(value: Reply | list[Reply]) -> list[Reply]:
    return list(value) if isinstance(value, list) else [value]


def _make_test(scenario: str, use_async: bool) -> Callable[[ProviderConformance], None]:
    def test(self: ProviderConformance) -> None:
        self.run(scenario, use_async)

    test.__name__ = f"test_{scenario}_{'async' if use_async else 'sync'}"
    test.__doc__ = f"Conformance scenario {scenario!r}, {'async' if use_async else 'sync'}."
    return test


for _scenario in SCENARIOS:
    for _mode in (False, True):
        _t = _make_test(_scenario, _mode)
        setattr(ProviderConformance, _t.__name__, _t)


# -- the exchanges of an OpenAI-compatible provider ----------------------------------------------------


def completion_json(message: dict[str, Any], finish: str = "stop", **top: Any) -> dict[str, Any]:
    """An OpenAI ``chat.completion`` body for ``message`` (role added) with the canonical :data:`USAGE`;
    ``top`` adds or replaces top-level fields (a provider's extras)."""
    return {
        "id": "chatcmpl-kit",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "test-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "logprobs": None, "finish_reason": finish}
        ],
        "usage": _usage_json(),
        **top,
    }


def chunk_json(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    """An OpenAI ``chat.completion.chunk``; with neither ``delta`` nor ``finish`` it has no choices."""
    choices = (
        []
        if delta is None and finish is None
        else [{"index": 0, "delta": delta or {}, "logprobs": None, "finish_reason": finish}]
    )
    return {
        "id": "chatcmpl-kit",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "test-model",
        "choices": choices,
        **top,
    }


def _usage_json() -> dict[str, Any]:
    return {"prompt_tokens": USAGE[0], "completion_tokens": USAGE[1], "total_tokens": sum(USAGE)}


def openai_exchanges() -> dict[str, Reply | list[Reply]]:
    """Recorded-shape OpenAI chat completions answers encoding the canonical values."""
    usage = _usage_json()
    completion_body, chunk = completion_json, chunk_json
    base = {"id": "chatcmpl-kit", "object": "chat.completion.chunk", "created": 1700000000, "model": "test-model"}

    words = ["The", " capital", " of", " France", " is", " Paris", "."]
    text_stream: list[Any] = [chunk({"role": "assistant", "content": ""})]
    text_stream += [chunk({"content": w}) for w in words]
    text_stream += [chunk({}, "stop"), {**base, "choices": [], "usage": usage}]
    args = json.dumps(TOOL_ARGS)
    tool_stream: list[Any] = [
        chunk(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_kit1",
                        "type": "function",
                        "function": {"name": TOOL_NAME, "arguments": ""},
                    }
                ],
            }
        ),
        *[
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": args[i : i + 5]}}]})
            for i in range(0, len(args), 5)
        ],
        chunk({}, "tool_calls"),
        {**base, "choices": [], "usage": usage},
    ]
    call = {"id": "call_kit1", "type": "function", "function": {"name": TOOL_NAME, "arguments": args}}
    return {
        "plain": Reply.json(completion_body({"content": TEXT}, "stop")),
        "stream": Reply.sse(text_stream),
        "stream_usage": Reply.sse(text_stream),
        "tool_call": Reply.json(completion_body({"content": None, "tool_calls": [call]}, "tool_calls")),
        "stream_tool_call": Reply.sse(tool_stream),
        "tool_round_trip": Reply.json(completion_body({"content": TEXT}, "stop")),
        "structured": Reply.json(completion_body({"content": json.dumps(CITY)}, "stop")),
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
        "error_context_length": Reply.json(
            {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens. However, your messages resulted in "
                    "9000 tokens.",
                    "type": "invalid_request_error",
                    "code": "context_length_exceeded",
                }
            },
            400,
        ),
        "error_5xx": Reply.json({"error": {"message": "The server had an error", "type": "server_error"}}, 500),
        "embedding": Reply.json(
            {
                "object": "list",
                "model": "test-model",
                "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(EMBEDDINGS)],
                "usage": {"prompt_tokens": 2, "total_tokens": 2},
            }
        ),
        "list_models": Reply.json(
            {
                "object": "list",
                "data": [{"id": m, "object": "model", "created": 0, "owned_by": "kit"} for m in MODEL_IDS],
            }
        ),
        **openai_family_exchanges(),
    }


def request_body(
    provider_class: type[Provider],
    *,
    model: str = "test-model",
    messages: list[Any] | None = None,
    schema: tuple[str | Path, str] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """The JSON body ``provider_class`` builds for ``completion(model, messages, **kwargs)`` (seed parameters
    split from provider keywords as the client does), checked against ``schema`` when given. Pure: nothing is
    sent, so a refusal raises here."""
    from any_llm.params import SEED_PARAM_NAMES, build_params, check_request

    args = {k: kwargs.pop(k) for k in SEED_PARAM_NAMES if k in kwargs}
    params = build_params(model, MESSAGES if messages is None else messages, args, kwargs)
    provider = provider_class(api_key=KEY, api_base="https://api.invalid")
    check_request(provider, params)
    body: dict[str, Any] = provider.build_completion_request(params).json
    if schema is not None:
        from any_llm.testing.schema import schema_errors

        problems = schema_errors(schema[0], schema[1], body)
        assert not problems, f"request body does not match {schema[1]}: {problems[:3]}"
    return body


def check_reasoning(
    provider_class: type[Provider],
    message: dict[str, Any],
    pieces: Iterable[dict[str, Any]],
    thought: str,
    text: str = TEXT,
    base_path: str = "",
) -> None:
    """An OpenAI-shaped answer carrying ``message`` (the provider's reasoning shape) parses to
    ``reasoning.content == thought`` and ``content == text``, and so do the stream ``pieces`` (deltas)."""
    plain = run_scenario(
        provider_class, "plain", [Reply.json(completion_json(message))], use_async=False, base_path=base_path
    )
    _no_error("reasoning", plain)
    got = plain.result.choices[0].message
    assert (got.reasoning.content if got.reasoning else None, got.content) == (thought, text), got
    stream = run_scenario(
        provider_class, "stream", [Reply.sse([chunk_json(d) for d in pieces])], use_async=False, base_path=base_path
    )
    _no_error("stream_reasoning", stream)
    deltas = [choice.delta for c in stream.chunks or [] for choice in c.choices]
    streamed = ("".join(d.reasoning.content for d in deltas if d.reasoning), "".join(d.content or "" for d in deltas))
    assert streamed == (thought, text), streamed


class OpenAICompatibleConformance(ProviderConformance):
    """The kit with OpenAI-shaped exchanges: an OpenAI-compatible plugin only sets ``provider_class``.

    Request bodies are validated against OpenAI's official CreateChatCompletionRequest schema; a
    provider that publishes its own spec sets ``request_schema`` to it instead (or None).
    """

    base_path = "/v1"
    request_schema: ClassVar[tuple[str | Path, str] | None] = (OPENAI_SPEC, "CreateChatCompletionRequest")
    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = OPENAI_FAMILY_SCHEMAS
    responses_request_schema: ClassVar[tuple[str | Path, str] | None] = (OPENAI_RESPONSES_SPEC, "CreateResponse")

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return openai_exchanges()[scenario]
