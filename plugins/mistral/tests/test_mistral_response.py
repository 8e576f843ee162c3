"""Responses: the spec's examples and documented shapes validate (against the spec) and parse; stream transcripts
(thinking, tool calls in pieces, usage on the last chunk) and error bodies map to our types."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_mistral import MistralProvider
from mistral_kit import (
    DATA_DEFECT,
    EXAMPLES,
    KEY,
    SPEC,
    chat_json,
    chunk,
    response_errors,
    text_stream,
    think,
    thinking_stream,
    tool_call,
    tool_stream,
    usage,
)

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.testing.schema import schema_errors
from any_llm.types import ChatCompletionChunk

PROVIDER = MistralProvider(api_key=KEY)
PARAMS = build_params("mistral-small-latest", [{"role": "user", "content": "x"}], {}, {})


def parse(data: dict[str, Any]) -> Any:
    assert response_errors(data) == [], "fixture must match the spec's ChatCompletionResponse"
    return PROVIDER.parse_completion(json.dumps(data).encode(), PARAMS)


def run_stream(events: list[dict[str, Any]], *, validate: bool = True) -> list[ChatCompletionChunk]:
    parser = PROVIDER.stream_parser(PARAMS)
    out: list[ChatCompletionChunk] = []
    for event in events:
        if validate:
            assert schema_errors(SPEC, "CompletionChunk", event) == [], event
        out.extend(parser.feed(StreamEvent(json.dumps(event).encode())))
    parser.done = True  # the core sets this on data: [DONE]
    out.extend(parser.finish())
    return out


# -- the spec's own examples ------------------------------------------------------------------------


def test_spec_chat_example_parses() -> None:
    example = EXAMPLES["chat_completion"]["value"]
    # The example's only deviations from its own schema (see spec/README.md): nothing else may be wrong.
    assert sorted(schema_errors(SPEC, "ChatCompletionResponse", example)) == [
        DATA_DEFECT,
        "usage/prompt_audio_seconds: {} is not valid under any of the given schemas",
    ]
    completion = PROVIDER.parse_completion(json.dumps(example).encode(), PARAMS)
    message = completion.choices[0].message
    assert message.content.startswith("Arrr, the scallywag Claude Monet")
    assert message.tool_calls is None and message.reasoning is None
    assert completion.choices[0].finish_reason == "stop"
    assert (completion.id, completion.created, completion.model) == (
        "cf79f7daaee244b1a0ae5c7b1444424a",
        1759500534,
        "mistral-medium-latest",
    )
    assert completion.usage is not None and completion.usage.total_tokens == 51


def test_spec_fim_example_has_the_chat_shape_and_parses() -> None:
    example = EXAMPLES["fim_completion"]["value"]
    assert response_errors(example) == []
    completion = PROVIDER.parse_completion(json.dumps(example).encode(), PARAMS)
    assert completion.choices[0].message.content.startswith("add_numbers(a: int, b: int)")
    assert completion.usage is not None and completion.usage.completion_tokens == 91


def test_spec_embedding_and_model_examples_parse() -> None:
    embeddings = EXAMPLES["embeddings"]["value"]
    assert schema_errors(SPEC, "EmbeddingResponse", embeddings) == ["<root>: 'id' is a required property"]
    parsed = PROVIDER.parse_embedding(json.dumps(embeddings).encode(), "mistral-embed")
    assert [e.index for e in parsed.data] == [0, 1]
    assert parsed.data[1].embedding[0] == -0.0230560302734375
    assert parsed.usage.prompt_tokens == 15
    models = EXAMPLES["models"]["value"]
    assert schema_errors(SPEC, "ModelList", models) == [f"<root>: {models!r} is not of type 'object'"]
    listed = PROVIDER.parse_list_models(json.dumps(models).encode())  # a bare list parses too
    assert [m.id for m in listed] == ["<model_id>"]
    wrapped = {"object": "list", "data": [{**models[0], "type": "fine-tuned"}]}
    wrapped["data"][0].pop("TYPE")
    assert schema_errors(SPEC, "ModelList", wrapped) == []
    model = PROVIDER.parse_list_models(json.dumps(wrapped).encode())[0]
    assert (model.id, model.created, model.owned_by) == ("<model_id>", 1756746619, "<owner_id>")
    assert model.max_context_length == 32768  # Mistral's extra fields are kept


# -- documented response shapes ---------------------------------------------------------------------


def test_tool_call_response() -> None:
    data = chat_json(
        "",
        tool_calls=[{**tool_call("retrieve_payment_status", '{"transaction_id": "T1001"}'), "type": "function"}],
        finish="tool_calls",
    )
    data["choices"][0]["message"]["prefix"] = False
    completion = parse(data)
    message = completion.choices[0].message
    assert completion.choices[0].finish_reason == "tool_calls"
    call = message.tool_calls[0]
    assert (call.id, call.type, call.function.name) == ("D681PevKs", "function", "retrieve_payment_status")
    assert json.loads(call.function.arguments) == {"transaction_id": "T1001"}


def test_arguments_sent_as_an_object_become_a_json_string() -> None:
    completion = parse(chat_json("", tool_calls=[tool_call("f", {"a": 1, "b": [2]})], finish="tool_calls"))
    assert json.loads(completion.choices[0].message.tool_calls[0].function.arguments) == {"a": 1, "b": [2]}


def test_thinking_chunks_become_reasoning_and_text_becomes_a_string() -> None:
    data = chat_json([think("Let me think. "), {"type": "text", "text": "John is "}, {"type": "text", "text": "22."}])
    completion = parse(data)
    message = completion.choices[0].message
    assert message.content == "John is 22."
    assert message.reasoning is not None and message.reasoning.content == "Let me think. "
    assert completion.usage is not None and completion.usage.prompt_tokens_details.cached_tokens == 0


def test_thinking_signature_and_reference_chunks() -> None:
    data = chat_json(
        [
            {**think("plan"), "signature": "c2ln"},
            {"type": "text", "text": "Answer"},
            {"type": "reference", "reference_ids": [1, 2]},
        ]
    )
    message = PROVIDER.parse_completion(json.dumps(data).encode(), PARAMS).choices[0].message
    assert message.content == "Answer"
    assert message.reasoning.content == "plan" and message.reasoning.signature == "c2ln"


def test_only_thinking_leaves_content_empty() -> None:
    message = parse(chat_json([think("hmm")], finish="length")).choices[0].message
    assert message.content is None and message.reasoning.content == "hmm"


def test_legacy_think_tags_are_lifted() -> None:
    message = parse(chat_json("<think>\nJohn is 22.\n</think>\nJohn is 22 years old.")).choices[0].message
    assert message.reasoning.content == "\nJohn is 22.\n"
    assert message.content == "John is 22 years old."


def test_finish_reasons() -> None:
    assert parse(chat_json("x", finish="model_length")).choices[0].finish_reason == "length"
    with pytest.raises(errors.ProviderError, match="finish_reason 'error'"):
        parse(chat_json("x", finish="error"))


@pytest.mark.parametrize(
    "raw_usage",
    [
        {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "num_cached_tokens": 8},
        {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "prompt_token_details": {"cached_tokens": 8}},
        {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "total_tokens": 15,
            "prompt_tokens_details": {"cached_tokens": 8},
        },
    ],
)
def test_cached_tokens_whichever_field_mistral_uses(raw_usage: dict[str, Any]) -> None:
    data = {**chat_json("x"), "usage": raw_usage}
    completion = parse(data)
    assert completion.usage is not None and completion.usage.prompt_tokens_details.cached_tokens == 8


def test_a_body_of_the_wrong_shape_is_a_response_validation_error() -> None:
    for body in (b"not json", b"[1]", json.dumps({**chat_json("x"), "choices": [{"message": 3}]}).encode()):
        with pytest.raises(errors.ResponseValidationError):
            PROVIDER.parse_completion(body, PARAMS)


# -- stream transcripts ---------------------------------------------------------------------------


def test_text_stream_with_usage_on_the_last_chunk() -> None:
    chunks = run_stream(text_stream(["Once", " upon", " a", " time."]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Once upon a time."
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4
    assert all(c.usage is None for c in chunks[:-1])


def test_thinking_stream_lands_in_delta_reasoning() -> None:
    chunks = run_stream(thinking_stream())
    reasoning = "".join(c.choices[0].delta.reasoning.content for c in chunks if c.choices[0].delta.reasoning)
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert reasoning == "17*23: 340 + 51 = 391."
    assert content == "17 * 23 = 391."
    assert chunks[0].choices[0].delta.content is None  # a thinking-only delta has no text
    assert chunks[2].choices[0].delta.content == "17 * 23"  # the transition chunk carries the first text
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 52


def accumulate(chunks: list[ChatCompletionChunk]) -> dict[int, dict[str, Any]]:
    """What an OpenAI client does with tool-call deltas: key by index, take id/name once, concatenate."""
    calls: dict[int, dict[str, Any]] = {}
    for c in chunks:
        for tc in c.choices[0].delta.tool_calls or ():
            slot = calls.setdefault(tc.index, {"id": None, "name": "", "arguments": ""})
            slot["id"] = slot["id"] or tc.id
            if tc.function:
                slot["name"] += tc.function.name or ""
                slot["arguments"] += tc.function.arguments or ""
    return calls


def test_tool_call_in_pieces() -> None:
    chunks = run_stream(tool_stream())
    assert accumulate(chunks) == {0: {"id": "a1B2c3D4e", "name": "get_weather", "arguments": '{"location": "Paris"}'}}
    continuation = chunks[2].choices[0].delta.tool_calls[0]
    assert continuation.id is None and continuation.type is None  # the "null" placeholder id is dropped
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens == 30


def test_parallel_calls_sharing_index_zero_get_their_own_indexes() -> None:
    events = [
        chunk({"role": "assistant", "content": ""}),
        chunk(
            {
                "tool_calls": [
                    tool_call("get_weather", {"location": "Paris"}, "aaaaaaaa1"),
                    tool_call("get_weather", '{"location": "Lyon"}', "bbbbbbbb2"),
                ]
            }
        ),
        chunk({"tool_calls": [tool_call("get_time", '{"tz": ', "ccccccccc")]}),
        chunk({"tool_calls": [{"function": {"name": "get_time", "arguments": '"CET"}'}, "id": "ccccccccc"}]}),
        chunk({"content": ""}, "tool_calls", with_usage=usage()),
    ]
    calls = accumulate(run_stream(events))
    assert calls == {
        0: {"id": "aaaaaaaa1", "name": "get_weather", "arguments": '{"location": "Paris"}'},
        1: {"id": "bbbbbbbb2", "name": "get_weather", "arguments": '{"location": "Lyon"}'},
        2: {"id": "ccccccccc", "name": "get_time", "arguments": '{"tz": "CET"}'},
    }


def test_stream_model_length_and_error_finish() -> None:
    chunks = run_stream([chunk({"content": "x"}), chunk({"content": ""}, "length", with_usage=usage())])
    assert chunks[-1].choices[0].finish_reason == "length"
    parser = PROVIDER.stream_parser(PARAMS)
    raw = chunk({"content": ""}, None)
    raw["choices"][0]["finish_reason"] = "model_length"
    assert next(iter(parser.feed(StreamEvent(json.dumps(raw).encode())))).choices[0].finish_reason == "length"
    with pytest.raises(errors.ProviderError):
        run_stream([chunk({"content": "x"}), chunk({"content": ""}, "error")])


def test_stream_cut_before_the_end_is_a_connection_error() -> None:
    parser = PROVIDER.stream_parser(PARAMS)
    for event in text_stream(["a", "b"])[:-1]:
        parser.feed(StreamEvent(json.dumps(event).encode()))
    assert not parser.may_end()  # core raises APIConnectionError for a body that ends here


def test_error_event_mid_stream() -> None:
    parser = PROVIDER.stream_parser(PARAMS)
    parser.feed(StreamEvent(json.dumps(chunk({"content": "a"})).encode()))
    event = {
        "object": "error",
        "message": "Service tier capacity exceeded for this model.",
        "type": "service_tier_capacity_exceeded",
        "param": None,
        "code": "3505",
    }
    with pytest.raises(errors.RateLimitError, match="capacity exceeded"):
        parser.feed(StreamEvent(json.dumps(event).encode()))


# -- error bodies ---------------------------------------------------------------------------------

VALIDATION_DETAIL = [
    {
        "type": "extra_forbidden",
        "loc": ["body", "messages", 0, "user", "name"],
        "msg": "Extra inputs are not permitted",
        "input": "alice",
    }
]


@pytest.mark.parametrize(
    ("status", "body", "cls", "text"),
    [
        (401, {"message": "Unauthorized", "request_id": "abc"}, errors.AuthenticationError, "Unauthorized"),
        (
            400,
            {
                "object": "error",
                "message": "Invalid model: mistral-huge",
                "type": "invalid_model",
                "param": None,
                "code": "1500",
            },
            errors.InvalidRequestError,
            "Invalid model",
        ),
        (
            400,
            {
                "object": "error",
                "message": "Prompt contains 40000 tokens and 0 draft tokens, too large for model with "
                "32768 maximum context length",
                "type": "invalid_request_error",
                "param": None,
                "code": "3051",
            },
            errors.ContextLengthExceededError,
            "too large for model",
        ),
        (422, {"detail": VALIDATION_DETAIL}, errors.InvalidRequestError, "messages.0.user.name: Extra inputs"),
        (
            422,
            {
                "object": "error",
                "message": {"detail": VALIDATION_DETAIL},
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            },
            errors.InvalidRequestError,
            "messages.0.user.name: Extra inputs",
        ),
        (
            422,
            {
                "object": "error",
                "message": json.dumps({"detail": VALIDATION_DETAIL}),
                "type": "internal_error_proxy",
                "param": None,
                "code": "1000",
            },
            errors.InvalidRequestError,
            "messages.0.user.name: Extra inputs",
        ),
        (
            400,
            {
                "object": "Error",
                "detail": VALIDATION_DETAIL,
                "message": VALIDATION_DETAIL,
                "type": "invalid_request_error",
                "code": 3001,
            },
            errors.InvalidRequestError,
            "Extra inputs are not permitted",
        ),
        (
            400,
            {
                "object": "error",
                "message": "Input was blocked by moderation guardrails",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            },
            errors.ContentFilterError,
            "moderation",
        ),
        (
            503,
            {
                "object": "error",
                "message": "Internal server error",
                "type": "internal_server_error",
                "param": None,
                "code": "1000",
            },
            errors.ProviderError,
            "Internal server error",
        ),
        (502, "<html>bad gateway</html>", errors.ProviderError, "bad gateway"),
    ],
)
def test_error_bodies_map_to_typed_errors(status: int, body: Any, cls: type, text: str) -> None:
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    err = PROVIDER.parse_error(status, {}, raw)
    assert type(err) is cls
    assert text in err.message and err.status_code == status and err.provider == "mistral"


def test_rate_limit_and_request_id() -> None:
    err = PROVIDER.parse_error(
        429,
        {"retry-after": "7"},
        json.dumps(
            {
                "object": "error",
                "message": "Requests rate limit exceeded",
                "type": "rate_limited",
                "param": None,
                "code": "1300",
            }
        ).encode(),
    )
    assert isinstance(err, errors.RateLimitError) and err.retry_after == 7.0
    assert PROVIDER.parse_error(401, {}, b'{"message": "Unauthorized", "request_id": "req-9"}').request_id == "req-9"
    assert PROVIDER.parse_error(401, {"x-request-id": "hdr"}, b'{"request_id": "body"}').request_id == "hdr"


def test_error_payload_in_a_200_body() -> None:
    body = {"object": "error", "message": "Unauthorized", "type": "authentication_error", "param": None, "code": None}
    with pytest.raises(errors.AuthenticationError):
        PROVIDER.parse_completion(json.dumps(body).encode(), PARAMS)


# -- per-stream state and error payloads the core would otherwise map itself ------------------------


def test_interleaved_streams_of_one_provider_number_their_tool_calls_apart() -> None:
    """Tool-call numbering is per stream: two streams fed alternately by one provider don't mix."""
    first, second = PROVIDER.stream_parser(PARAMS), PROVIDER.stream_parser(PARAMS)
    a = [
        chunk({"tool_calls": [tool_call("get_weather", '{"location": "Paris"}', "aaaaaaaa1")]}),
        chunk({"tool_calls": [tool_call("get_time", '{"tz": "CET"}', "bbbbbbbb2")]}),
    ]
    b = [
        chunk({"tool_calls": [tool_call("get_news", '{"topic": ', "ccccccccc")]}),
        chunk({"tool_calls": [{"id": "null", "function": {"name": "", "arguments": '"ai"}'}, "index": 0}]}),
    ]
    got: dict[str, list[ChatCompletionChunk]] = {"a": [], "b": []}
    for ea, eb in zip(a, b):
        got["a"].extend(first.feed(StreamEvent(json.dumps(ea).encode())))
        got["b"].extend(second.feed(StreamEvent(json.dumps(eb).encode())))
    assert accumulate(got["a"]) == {
        0: {"id": "aaaaaaaa1", "name": "get_weather", "arguments": '{"location": "Paris"}'},
        1: {"id": "bbbbbbbb2", "name": "get_time", "arguments": '{"tz": "CET"}'},
    }
    assert accumulate(got["b"]) == {0: {"id": "ccccccccc", "name": "get_news", "arguments": '{"topic": "ai"}'}}


ERROR_KEY_PAYLOAD = {
    "error": {
        "message": "Service tier capacity exceeded for this model.",
        "type": "service_tier_capacity_exceeded",
        "code": "3505",
    },
    "request_id": "req-e1",
}


def test_error_key_payload_in_a_stream_gets_mistrals_mapping() -> None:
    parser = PROVIDER.stream_parser(PARAMS)
    parser.feed(StreamEvent(json.dumps(chunk({"content": "a"})).encode()))
    with pytest.raises(errors.RateLimitError, match="capacity exceeded") as info:
        parser.feed(StreamEvent(json.dumps(ERROR_KEY_PAYLOAD).encode()))
    assert info.value.request_id == "req-e1"


def test_error_key_payload_in_a_200_body_gets_mistrals_mapping() -> None:
    with pytest.raises(errors.RateLimitError, match="capacity exceeded") as info:
        PROVIDER.parse_completion(json.dumps(ERROR_KEY_PAYLOAD).encode(), PARAMS)
    assert info.value.request_id == "req-e1"
