"""Pure translation: request bodies (checked against OpenAI's spec), recorded llama.cpp answers, stream
transcripts and error bodies, without any network."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from anyllm_llamacpp import LlamacppProvider
from pydantic import BaseModel

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.provider import CompletionParams
from any_llm.streaming import make_decoder
from any_llm.testing import build_request
from any_llm.types.completion import ChatCompletionChunk

MESSAGES = [{"role": "user", "content": "What is the weather in Paris?"}]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
NAMED = {"type": "function", "function": {"name": "get_weather"}}


def params(**args: Any) -> CompletionParams:
    kwargs = args.pop("kwargs", {})
    return build_params("smollm2", args.pop("messages", MESSAGES), args, kwargs)


def body_of(**args: Any) -> dict[str, Any]:
    return build_request(LlamacppProvider(api_base="http://127.0.0.1:8080/v1"), params(**args)).json


def stream(case: dict[str, Any], p: CompletionParams, piece: int = 0) -> list[ChatCompletionChunk]:
    """Feed a recorded SSE body through the core's decoder and our parser, as the core does."""
    provider = LlamacppProvider()
    decoder, parser = make_decoder("sse", provider.name), provider.stream_parser(p)
    data = case["body"].encode()
    out: list[ChatCompletionChunk] = []
    pieces = [data[i : i + piece] for i in range(0, len(data), piece)] if piece else [data]
    events = [ev for chunk in pieces for ev in decoder.feed(chunk)] + decoder.flush()
    for event in events:
        if event.data == b"[DONE]":
            parser.done = True
            break
        out.extend(parser.feed(event))
    if not parser.done:
        out.extend(parser.finish())
    return out


# -- declarations -------------------------------------------------------------------------------


def test_declarations_match_any_llm() -> None:
    cls = get_provider_class("llamacpp")
    assert cls is LlamacppProvider
    assert cls.requires_api_key is False
    assert cls.api_base_env == ("LLAMACPP_API_BASE",)
    assert cls.default_api_base == "http://127.0.0.1:8080/v1"
    caps = cls.capabilities()
    assert caps["completion"] and caps["streaming"] and caps["tools"] and caps["structured_output"]
    assert caps["embedding"] and caps["list_models"] and caps["reasoning"]


# -- request bodies -------------------------------------------------------------------------------


def test_plain_body_is_openai_shaped(openai_spec_errors: Callable[..., list[str]]) -> None:
    body = body_of(temperature=0, max_tokens=16, stop=["\n"], logprobs=True, top_logprobs=2, seed=7)
    assert body == {
        "model": "smollm2",
        "messages": MESSAGES,
        "temperature": 0,
        "max_tokens": 16,
        "stop": ["\n"],
        "logprobs": True,
        "top_logprobs": 2,
        "seed": 7,
    }
    assert openai_spec_errors("CreateChatCompletionRequest", body) == []


def test_max_completion_tokens_is_sent_as_max_tokens(openai_spec_errors: Callable[..., list[str]]) -> None:
    # llama-cpp-python ignores max_completion_tokens (it generated 2035 tokens when 4 were asked)
    body = body_of(max_completion_tokens=4)
    assert body["max_tokens"] == 4
    assert "max_completion_tokens" not in body
    assert openai_spec_errors("CreateChatCompletionRequest", body) == []


def test_both_token_limits_is_a_configuration_error() -> None:
    with pytest.raises(errors.ConfigurationError, match="not both"):
        body_of(max_tokens=4, max_completion_tokens=8)


def test_n_above_one_is_refused_before_sending() -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        body_of(n=2)
    assert info.value.parameter_name == "n"
    assert body_of(n=1)["n"] == 1


def test_json_schema_becomes_json_object_with_schema(openai_spec_errors: Callable[..., list[str]]) -> None:
    class City(BaseModel):
        name: str
        population: int

    body = body_of(response_format=City)
    fmt = body["response_format"]
    assert fmt["type"] == "json_object"
    assert fmt["schema"]["required"] == ["name", "population"]
    assert fmt["schema"]["additionalProperties"] is False
    assert fmt["schema"]["properties"]["population"]["type"] == "integer"
    assert openai_spec_errors("CreateChatCompletionRequest", body) == []


def test_json_schema_dict_and_other_formats() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    wire = {"type": "json_schema", "json_schema": {"name": "A", "schema": schema, "strict": True}}
    assert body_of(response_format=wire)["response_format"] == {"type": "json_object", "schema": schema}
    assert body_of(response_format={"type": "json_object"})["response_format"] == {"type": "json_object"}
    assert body_of(response_format={"type": "text"})["response_format"] == {"type": "text"}
    assert "response_format" not in body_of()


def test_tool_call_turn_is_sent_with_empty_content(openai_spec_errors: Callable[..., list[str]]) -> None:
    # llama-cpp-python answers 500 to content null or missing in an assistant tool-call turn
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
    for assistant in (
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "assistant", "tool_calls": [call]},
    ):
        msgs = [*MESSAGES, assistant, {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]
        body = body_of(messages=msgs, tools=[TOOL], tool_choice=NAMED)
        assert body["messages"][1]["content"] == ""
        assert body["messages"][1]["tool_calls"] == [call]
        assert body["tools"] == [TOOL] and body["tool_choice"] == NAMED
        assert openai_spec_errors("CreateChatCompletionRequest", body) == []


def test_stream_asks_for_usage_and_unknown_kwargs_pass_through() -> None:
    body = body_of(stream=True, kwargs={"mirostat_mode": 2, "grammar": 'root ::= "x"'})
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["mirostat_mode"] == 2 and body["grammar"] == 'root ::= "x"'


# -- recorded answers ------------------------------------------------------------------------------


def test_plain_answer(recorded: dict[str, Any], openai_spec_errors: Callable[..., list[str]]) -> None:
    raw = recorded["plain"]["body"]
    # the one way llama-cpp-python's answer differs from OpenAI's schema; our types default it to None
    assert openai_spec_errors("CreateChatCompletionResponse", json.loads(raw)) == [
        "choices/0/message: 'refusal' is a required property"
    ]
    completion = LlamacppProvider().parse_completion(raw.encode(), params())
    choice = completion.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert choice.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_tool_answer_drops_the_legacy_function_call(recorded: dict[str, Any]) -> None:
    raw = json.loads(recorded["tool_named"]["body"])
    assert raw["choices"][0]["message"]["function_call"]["name"].startswith("get_weather")
    completion = LlamacppProvider().parse_completion(json.dumps(raw).encode(), params(tools=[TOOL]))
    message = completion.choices[0].message
    assert completion.choices[0].finish_reason == "tool_calls"
    assert message.function_call is None
    assert "function_call" not in message.model_dump(exclude_unset=True)
    (call,) = message.tool_calls or []
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}


def test_function_call_alone_is_kept() -> None:
    body = {
        "id": "x",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "function_call",
                "message": {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
            }
        ],
    }
    message = LlamacppProvider().parse_completion(json.dumps(body).encode(), params()).choices[0].message
    assert message.function_call == {"name": "f", "arguments": "{}"}


def test_text_stream_transcript(recorded: dict[str, Any]) -> None:
    for piece in (0, 7):
        chunks = stream(recorded["plain_stream"], params(stream=True), piece)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text
        assert chunks[0].choices[0].delta.role == "assistant"
        assert chunks[-1].choices[0].finish_reason == "length"
        # llama-cpp-python 0.3.36 ignores stream_options.include_usage: no usage chunk comes
        assert all(c.usage is None for c in chunks)


def test_tool_stream_is_normalized(recorded: dict[str, Any]) -> None:
    raw = recorded["tool_named_stream"]["body"]
    assert raw.count('"name": "get_weather"') > 4  # the quirk: id and name repeat in every chunk
    chunks = stream(recorded["tool_named_stream"], params(stream=True, tools=[TOOL], tool_choice=NAMED), 11)
    ids, names, args = [], [], ""
    for chunk in chunks:
        for choice in chunk.choices:
            assert choice.delta.function_call is None
            for call in choice.delta.tool_calls or ():
                assert call.index == 0
                ids += [call.id] if call.id else []
                names += [call.function.name] if call.function and call.function.name else []
                args += call.function.arguments or "" if call.function else ""
    assert names == ["get_weather"]
    assert len(ids) == 1 and ids[0].startswith("call_")
    assert json.loads(args) == {"city": "Paris"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize(("case", "tools"), [("overflow_stream", False), ("tool_auto_stream", True)])
def test_empty_stream_says_why(recorded: dict[str, Any], case: str, tools: bool) -> None:
    assert recorded[case]["status"] == 200 and recorded[case]["body"] == ""
    p = params(stream=True, tools=[TOOL], tool_choice="auto") if tools else params(stream=True)
    with pytest.raises(errors.ProviderError) as info:
        stream(recorded[case], p)
    assert "stream=False" in info.value.message
    assert "context window" in info.value.message
    assert ("tool_choice='auto'" in info.value.message) is tools


def test_error_event_in_stream_is_typed() -> None:
    # upstream llama-server reports failures after the headers as an SSE error event
    event = {
        "error": {
            "code": 400,
            "type": "exceed_context_size_error",
            "message": "request (4100 tokens) exceeds the available context size (4096 tokens), try increasing it",
            "n_prompt_tokens": 4100,
            "n_ctx": 4096,
        }
    }
    with pytest.raises(errors.ContextLengthExceededError) as info:
        stream({"body": f"data: {json.dumps(event)}\n\n"}, params(stream=True))
    assert info.value.provider == "llamacpp"


# -- errors ------------------------------------------------------------------------------------


def parse_error(status: int, body: str | dict[str, Any], headers: dict[str, str] | None = None) -> Exception:
    raw = body if isinstance(body, str) else json.dumps(body)
    return LlamacppProvider().parse_error(status, headers or {}, raw.encode())


def test_recorded_context_overflow(recorded: dict[str, Any]) -> None:
    err = parse_error(400, recorded["overflow"]["body"])
    assert isinstance(err, errors.ContextLengthExceededError)
    assert err.status_code == 400 and "2048" in err.message


def test_upstream_context_overflow() -> None:
    err = parse_error(
        400,
        {
            "error": {
                "code": 400,
                "type": "exceed_context_size_error",
                "n_ctx": 4096,
                "message": "request (9412 tokens) exceeds the available context size (4096 tokens), try increasing it",
            }
        },
    )
    assert isinstance(err, errors.ContextLengthExceededError)


def test_recorded_validation_500_is_an_invalid_request(recorded: dict[str, Any]) -> None:
    for case in ("json_schema", "assistant_null_content"):
        err = parse_error(500, recorded[case]["body"])
        assert type(err) is errors.InvalidRequestError, case
        assert err.status_code == 500
        assert "validation error" in err.message
        assert "File " not in err.message  # the server's traceback stays in .body only


def test_recorded_empty_500_names_the_fix(recorded: dict[str, Any]) -> None:
    err = parse_error(500, recorded["tool_required"]["body"])
    assert type(err) is errors.ProviderError
    assert "tool_choice='required'" in err.message and "'name'" in err.message


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (
            401,
            {"error": {"message": "Invalid API Key", "type": "authentication_error", "code": 401}},
            errors.AuthenticationError,
        ),
        (
            404,
            {"error": {"message": "File Not Found", "type": "not_found_error", "code": 404}},
            errors.ModelNotFoundError,
        ),
        (
            400,
            {
                "error": {
                    "message": "Only one completion choice is allowed",
                    "type": "invalid_request_error",
                    "code": 400,
                }
            },
            errors.InvalidRequestError,
        ),
        (
            501,
            {
                "error": {
                    "message": "This server does not support embeddings. Start it with `--embeddings`",
                    "type": "not_supported_error",
                    "code": 501,
                }
            },
            errors.ProviderError,
        ),
        (503, {"error": {"message": "Loading model", "type": "unavailable_error", "code": 503}}, errors.ProviderError),
        (500, "Internal Server Error", errors.ProviderError),
    ],
)
def test_status_mapping(status: int, body: Any, cls: type[Exception]) -> None:
    err = parse_error(status, body)
    assert type(err) is cls
    assert err.status_code == status


def test_rate_limit_keeps_retry_after() -> None:
    err = parse_error(429, {"error": {"message": "slow down"}}, {"retry-after": "3"})
    assert isinstance(err, errors.RateLimitError) and err.retry_after == 3.0
