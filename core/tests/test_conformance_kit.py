"""The conformance kit catches broken providers, scenario by scenario, and passes a correct one."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import pytest

from any_llm import errors
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.provider import CompletionParams, StreamEvent
from any_llm.testing.conformance import SCENARIOS, OpenAICompatibleConformance, check_params
from any_llm.types import ChatCompletion, ChatCompletionChunk


class Good(OpenAICompatibleProvider):
    name = "kit-good"
    display_name = "Kit"


class TestGoodProviderPasses(OpenAICompatibleConformance):
    provider_class = Good


# -- deliberately broken providers, one defect each --------------------------------------------------


class NoUsage(Good):
    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        out = super().parse_completion(body, params)
        out.usage = None
        return out


class _FilteringParser(OpenAIStreamParser):
    def __init__(self, provider: Any, keep: Any) -> None:
        super().__init__(provider)
        self.keep = keep

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        return [c for c in super().feed(event) if self.keep(c)]


class LosesAChunk(Good):
    def stream_parser(self, params: CompletionParams) -> Any:
        return _FilteringParser(self, lambda c: not (c.choices and c.choices[0].delta.content == "."))


class NoStreamUsage(Good):
    def stream_parser(self, params: CompletionParams) -> Any:
        return _FilteringParser(self, lambda c: c.usage is None)


class ManglesArguments(Good):
    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        out = super().parse_completion(body, params)
        for call in out.choices[0].message.tool_calls or []:
            call.function.arguments = "{}"
        return out


class RepeatsToolNames(Good):
    def stream_parser(self, params: CompletionParams) -> Any:
        class Parser(OpenAIStreamParser):
            def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
                chunks = list(super().feed(event))
                for c in chunks:
                    for choice in c.choices:
                        for call in choice.delta.tool_calls or []:
                            if call.function is not None:
                                call.function.name = "get_weather"
                return chunks

        return Parser(self)


class DropsToolResults(Good):
    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [m for m in super().convert_messages(messages) if m["role"] != "tool"]


class BreaksJSON(Good):
    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        out = super().parse_completion(body, params)
        content = out.choices[0].message.content
        if content and content.startswith("{"):
            out.choices[0].message.content = content.upper()
        return out


def _remap(status: int, cls: type[errors.APIStatusError]) -> type[Good]:
    class Remapped(Good):
        def parse_error(self, status_code: int, headers: Any, body: bytes) -> errors.AnyLLMError:
            if status_code == status:
                return cls("wrong class", provider=self.name, status_code=status_code)
            return super().parse_error(status_code, headers, body)

    return Remapped


class LogsTheKey(Good):
    def build_completion_request(self, params: CompletionParams) -> Any:
        logging.getLogger("kit-broken").debug("using key %s", self.api_key.get() if self.api_key else "")
        return super().build_completion_request(params)


class _CutBlindParser(OpenAIStreamParser):
    def may_end(self) -> bool:
        return True  # never notices a stream cut before its end


class MissesCutStreams(Good):
    def stream_parser(self, params: CompletionParams) -> Any:
        return _CutBlindParser(self)


class InvalidBody(Good):
    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body = super().build_body(params)
        body["messages"] = {"oops": body["messages"]}
        return body


BROKEN: list[tuple[type[Good], str]] = [
    (InvalidBody, "tool_round_trip"),
    (NoUsage, "plain"),
    (LosesAChunk, "stream"),
    (MissesCutStreams, "stream_cut"),
    (NoStreamUsage, "stream_usage"),
    (ManglesArguments, "tool_call"),
    (RepeatsToolNames, "stream_tool_call"),
    (DropsToolResults, "tool_round_trip"),
    (BreaksJSON, "structured"),
    (_remap(401, errors.ProviderError), "error_401"),
    (_remap(429, errors.ProviderError), "error_429"),
    (_remap(400, errors.InvalidRequestError), "error_context_length"),
    (_remap(500, errors.InvalidRequestError), "error_5xx"),
    *[(LogsTheKey, s) for s in SCENARIOS],
]


@pytest.mark.parametrize(("broken", "scenario"), BROKEN, ids=[f"{b.__name__}-{s}" for b, s in BROKEN])
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_kit_catches_each_defect(broken: type[Good], scenario: str, use_async: bool) -> None:
    kit = type("Kit", (OpenAICompatibleConformance,), {"provider_class": broken})()
    with pytest.raises(AssertionError, match=rf"\[{scenario}\]"):
        kit.run(scenario, use_async)


def test_rate_limit_without_retry_after_is_caught() -> None:
    class NoRetryAfter(Good):
        def parse_error(self, status_code: int, headers: Any, body: bytes) -> errors.AnyLLMError:
            err = super().parse_error(status_code, headers, body)
            if isinstance(err, errors.RateLimitError):
                err.retry_after = None
            return err

    kit = type("Kit", (OpenAICompatibleConformance,), {"provider_class": NoRetryAfter})()
    with pytest.raises(AssertionError, match="retry_after"):
        kit.run("error_429", False)


def test_a_silently_dropped_parameter_is_caught() -> None:
    class DropsSeed(Good):
        def build_body(self, params: CompletionParams) -> dict[str, Any]:
            body = super().build_body(params)
            body.pop("seed", None)
            return body

    assert check_params(DropsSeed) == ["seed=424242 was silently dropped from the request"]
    assert check_params(Good) == []


def test_a_declared_but_unenforced_gap_is_caught() -> None:
    class ClaimsNoSeed(Good):
        unsupported_params = frozenset({"seed"})

        def check_params(self, params: CompletionParams) -> None:
            return None

    assert check_params(ClaimsNoSeed) == ["seed: declared unsupported but was not refused"]


@pytest.mark.parametrize("scenario", ["tool_call", "stream", "structured"])
def test_capability_gaps_must_raise_before_sending(scenario: str) -> None:
    flag = {"tool_call": "supports_tools", "stream": "supports_streaming", "structured": "supports_structured_output"}

    class Honest(Good):
        pass

    setattr(Honest, flag[scenario], False)
    honest = type("Kit", (OpenAICompatibleConformance,), {"provider_class": Honest})()
    with pytest.raises(pytest.skip.Exception, match="refused before sending"):
        honest.run(scenario, False)  # the declared gap raises the right error: reported as a skip with its reason

    class Liar(Honest):
        def check_params(self, params: CompletionParams) -> None:
            return None

    liar = type("Kit", (OpenAICompatibleConformance,), {"provider_class": Liar})()
    with pytest.raises(AssertionError, match="declared unsupported"):
        liar.run(scenario, False)


def test_exchanges_are_json() -> None:
    from any_llm.testing.conformance import openai_exchanges

    plain = openai_exchanges()["plain"]
    assert json.loads(plain.chunks[0])["choices"][0]["message"]["content"] == "The capital of France is Paris."
