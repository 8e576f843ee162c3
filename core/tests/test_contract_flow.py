"""Core owns the flow: checks before sending, plugin exceptions typed, retries by error class, cut streams,
per-call options (extra_headers / extra_query / extra_body), raw responses, and the one parameter list."""

from __future__ import annotations

import inspect
import json
import time
import typing
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import pytest

from any_llm import SEED_PARAMS, AnyLLM, acompletion, completion, errors, plugins
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.params import SEED_PARAM_NAMES
from any_llm.provider import CompletionParams, HTTPRequest, Provider, StreamEvent, StreamParser
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import chunk_json, completion_json
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk
from any_llm.wire import RETRYABLE_ERRORS, errors_from_status

KEY = "sk-contract-ABCDEFGHIJKLMNOP"
MSG = [{"role": "user", "content": "x"}]
OK = completion_json({"role": "assistant", "content": "hi"})


async def _call(use_async: bool, *args: Any, **kwargs: Any) -> Any:
    return await acompletion(*args, **kwargs) if use_async else completion(*args, **kwargs)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


class TextOnly(OpenAICompatibleProvider):
    name = "textonly"
    requires_api_key = False


class Quirky(Provider):
    """A native protocol whose translation trips over a body it does not expect (a plugin bug)."""

    name = "quirky"
    requires_api_key = False
    status_map: ClassVar[dict[int, type[errors.APIStatusError]]] = {
        403: errors.RateLimitError,
        429: errors.AuthenticationError,
    }

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        return HTTPRequest("POST", "chat", json={"q": params.messages[-1]["content"]}, stream=bool(params.stream))

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        data = json.loads(body)
        return ChatCompletion.model_validate(data["answer"])  # KeyError on any other shape

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return QuirkyParser()

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        cls = self.status_map.get(status_code)
        if cls is errors.RateLimitError:
            return errors.RateLimitError("slow down", retry_after=0.25, provider=self.name, status_code=status_code)
        if cls is not None:
            return cls("no", provider=self.name, status_code=status_code)
        return errors_from_status(self.name, status_code, headers, body, "failed")


class QuirkyParser(StreamParser):
    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        data = json.loads(event.data)
        if data.get("end"):
            self.done = True
            return ()
        return (ChatCompletionChunk.model_validate(chunk_json({"content": data["text"]})),)  # KeyError if absent


# -- checks before sending ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "capability"),
    [
        ({"type": "image_url", "image_url": {"url": "https://example.invalid/a.png"}}, "images"),
        ({"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}, "audio"),
        ({"type": "file", "file": {"file_data": "data:application/pdf;base64,AAAA"}}, "documents"),
    ],
)
def test_a_content_part_the_provider_does_not_declare_is_refused_before_sending(
    mock_server: MockServer, part: dict[str, Any], capability: str
) -> None:
    messages = [{"role": "user", "content": [{"type": "text", "text": "look"}, part]}]
    with plugins.registered(TextOnly), pytest.raises(errors.UnsupportedCapabilityError, match=capability):
        completion("m", messages, provider="textonly", api_base=mock_server.url)
    assert mock_server.requests == []


def test_a_declared_content_part_is_sent(mock_server: MockServer) -> None:
    class Seeing(TextOnly):
        name = "seeing"
        supports_images = True

    mock_server.queue(Reply.json(OK))
    part = {"type": "image_url", "image_url": {"url": "https://example.invalid/a.png"}}
    with plugins.registered(Seeing):
        completion("m", [{"role": "user", "content": [part]}], provider="seeing", api_base=mock_server.url)
    assert mock_server.requests[0].json["messages"][0]["content"] == [part]


# -- plugin exceptions are typed ----------------------------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True])
async def test_an_exception_in_a_plugin_parse_is_a_response_validation_error(
    mock_server: MockServer, use_async: bool
) -> None:
    mock_server.queue(Reply.json({"unexpected": True}))
    with plugins.registered(Quirky), pytest.raises(errors.ResponseValidationError) as info:
        await _call(use_async, "m", MSG, provider="quirky", api_base=mock_server.url)
    err = info.value
    assert (err.provider, err.status_code) == ("quirky", 200)
    assert "KeyError" in err.message and err.body == '{"unexpected": true}'
    assert isinstance(err.__cause__, KeyError)


def test_an_exception_in_a_plugin_stream_parser_is_a_response_validation_error(mock_server: MockServer) -> None:
    mock_server.queue(Reply.sse([{"text": "a"}, {"nothing": 1}], done=False))
    with plugins.registered(Quirky):
        stream = completion("m", MSG, provider="quirky", api_base=mock_server.url, stream=True)
        first = next(iter(stream))
        with pytest.raises(errors.ResponseValidationError) as info:
            list(stream)
    assert first.choices[0].delta.content == "a"
    assert info.value.provider == "quirky" and info.value.body == '{"nothing": 1}'


def test_a_stream_cut_before_its_end_marker_is_a_connection_error(mock_server: MockServer) -> None:
    mock_server.queue(Reply.sse([{"text": "a"}], done=False))  # no {"end": true}
    with plugins.registered(Quirky), pytest.raises(errors.APIConnectionError, match="end marker"):
        list(completion("m", MSG, provider="quirky", api_base=mock_server.url, stream=True))


# -- retries follow the error class --------------------------------------------------------------------------------


def test_a_status_the_provider_maps_to_a_retryable_class_is_retried(
    mock_server: MockServer, sleeps: list[float]
) -> None:
    mock_server.queue(Reply.json({"error": "busy"}, status=403), Reply.json({"answer": OK}))
    with plugins.registered(Quirky):
        answer = completion("m", MSG, provider="quirky", api_base=mock_server.url)
    assert answer.choices[0].message.content == "hi"
    assert len(mock_server.requests) == 2 and sleeps == [0.25]  # the provider's retry_after


def test_a_429_the_provider_maps_to_authentication_is_not_retried(mock_server: MockServer, sleeps: list[float]) -> None:
    mock_server.queue(Reply.json({"error": "revoked"}, status=429), Reply.json({"answer": OK}))
    with plugins.registered(Quirky), pytest.raises(errors.AuthenticationError):
        completion("m", MSG, provider="quirky", api_base=mock_server.url)
    assert len(mock_server.requests) == 1 and sleeps == []


def test_the_retry_rule_is_stated_once() -> None:
    assert set(RETRYABLE_ERRORS) == {errors.RateLimitError, errors.ProviderError, errors.APIConnectionError}
    assert isinstance(errors_from_status("p", 408, {}, b"", "t"), errors.APITimeoutError)
    assert isinstance(errors_from_status("p", 409, {}, b"", "c"), errors.ProviderError)


# -- openai-python's per-call options ----------------------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True])
async def test_extra_headers_query_and_body_go_where_openai_python_puts_them(
    mock_server: MockServer, use_async: bool
) -> None:
    mock_server.queue(Reply.json(OK))
    client = AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url, default_headers={"X-Team": "a"})
    options: dict[str, Any] = {
        "extra_headers": {"X-Team": "b", "X-Trace": "t-1"},
        "extra_query": {"api-version": "2025-01-01"},
        "extra_body": {"metadata": {"k": "v"}, "temperature": 0.5},
    }
    if use_async:
        await client.acompletion("m", MSG, temperature=0.1, **options)
        await client.aclose()
    else:
        client.completion("m", MSG, temperature=0.1, **options)
        client.close()
    request = mock_server.requests[0]
    assert request.headers["x-team"] == "b" and request.headers["x-trace"] == "t-1"
    assert request.query == {"api-version": "2025-01-01"}
    body = request.json
    assert body["metadata"] == {"k": "v"} and body["temperature"] == 0.5  # merged over what the provider built
    assert not {"extra_headers", "extra_query", "extra_body"} & body.keys()


def test_extra_headers_must_be_strings(mock_server: MockServer) -> None:
    with pytest.raises(errors.ConfigurationError, match="extra_headers"):
        completion("m", MSG, provider="openai", api_key=KEY, api_base=mock_server.url, extra_headers={"X": 1})
    assert mock_server.requests == []


# -- raw responses -------------------------------------------------------------------------------------------------

RATE = {"x-ratelimit-remaining-requests": "41", "x-request-id": "req_123"}


def test_with_raw_response_reads_the_headers_of_a_successful_call(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json(OK, headers=RATE))
    with AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url) as client:
        raw = client.with_raw_response.completion("m", MSG)
        assert raw.status_code == 200
        assert raw.headers["x-ratelimit-remaining-requests"] == "41"
        assert raw.request_id == "req_123"
        assert raw.parse().choices[0].message.content == "hi"
        assert raw.parse() is raw.parse()


async def test_with_raw_response_async_and_streaming(mock_server: MockServer) -> None:
    chunks = [chunk_json({"role": "assistant", "content": "h"}), chunk_json({"content": "i"}, "stop")]
    mock_server.queue(Reply.json(OK, headers=RATE), Reply.sse(chunks, headers=RATE))
    client = AnyLLM.create("openai", api_key=KEY, api_base=mock_server.url)
    raw = await client.with_raw_response.acompletion("m", MSG)
    assert raw.headers["x-ratelimit-remaining-requests"] == "41" and raw.parse().choices[0].message.content == "hi"
    raw_stream = await client.with_raw_response.acompletion("m", MSG, stream=True)
    assert raw_stream.request_id == "req_123"
    text = "".join([c.choices[0].delta.content or "" async for c in raw_stream.parse() if c.choices])
    assert text == "hi"
    await client.aclose()


# -- one parameter list ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", [completion, acompletion])
def test_the_signatures_are_the_parameter_list(function: Any) -> None:
    names = [n for n, p in inspect.signature(function).parameters.items() if p.kind is not p.VAR_KEYWORD]
    assert names == [name for name, _ in SEED_PARAMS]
    for overload in getattr(typing, "get_overloads", lambda f: [])(function):
        assert [n for n in inspect.signature(overload).parameters if n != "kwargs"] == names


def test_the_docstring_documents_each_parameter_as_the_list_does() -> None:
    doc = " ".join((completion.__doc__ or "").split())
    for name, text in SEED_PARAMS:
        assert f"{name}: {' '.join(text.split())}" in doc, name


def test_completion_params_carry_every_request_parameter() -> None:
    fields = set(CompletionParams.__dataclass_fields__)
    assert set(SEED_PARAM_NAMES) - {"session_label"} <= fields


def test_every_request_parameter_is_forwarded(mock_server: MockServer) -> None:
    """Distinct values for every seed parameter reach the wire (no locals() magic to lose one)."""
    values: dict[str, Any] = {
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "tool_choice": "auto",
        "temperature": 0.31,
        "top_p": 0.71,
        "max_tokens": 17,
        "response_format": {"type": "json_object"},
        "n": 1,
        "stop": ["zz"],
        "presence_penalty": 0.11,
        "frequency_penalty": 0.12,
        "seed": 4242,
        "user": "u-77",
        "parallel_tool_calls": False,
        "logprobs": True,
        "top_logprobs": 3,
        "logit_bias": {"50256": -100.0},
        "max_completion_tokens": 19,
        "reasoning_effort": "low",
    }
    mock_server.queue(Reply.json(OK))
    with plugins.registered(TextOnly), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        completion("m", MSG, provider="textonly", api_base=mock_server.url, session_label="s", **values)
    body = mock_server.requests[0].json
    assert {k: body.get(k) for k in values} == values
    untested = set(SEED_PARAM_NAMES) - set(values) - {"stream", "stream_options", "session_label"}
    assert untested == set()


def test_the_kit_checks_every_request_parameter() -> None:
    from any_llm.testing.conformance import FLAG_SAMPLES, PARAM_SAMPLES

    checked = set(PARAM_SAMPLES) | set(FLAG_SAMPLES)
    scenarios = {"stream", "tools", "tool_choice", "response_format"}  # each has its own conformance scenarios
    assert set(SEED_PARAM_NAMES) - {"session_label"} - scenarios <= checked


# -- the old import path --------------------------------------------------------------------------------------------


def test_wire_helpers_moved_with_a_deprecation_warning() -> None:
    import any_llm.provider as provider_module
    from any_llm import wire

    with pytest.warns(DeprecationWarning, match=r"any_llm\.wire\.loads"):
        loads = provider_module.loads
    assert loads is wire.loads
