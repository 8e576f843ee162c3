"""The bridges: what responses()/messages() send (native or translated), what they refuse, and that the
translated answers and stream events are valid by OpenAI's own schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from any_llm import errors
from any_llm.bridges import messages as mb
from any_llm.bridges import responses as rb
from any_llm.client import AnyLLM
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import OPENAI_RESPONSES_SPEC, chunk_json, completion_json
from any_llm.testing.schema import schema_errors
from any_llm.types import messages as mt
from any_llm.types import responses as rt
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk


class Translated(OpenAICompatibleProvider):
    name = "translated-kit"
    requires_api_key = False


class Native(OpenAICompatibleProvider):
    name = "native-kit"
    requires_api_key = False
    supports_responses_native = True
    extra_headers: ClassVar[dict[str, str]] = {"x-kit": "1"}


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit
    """
    return f"sunny in {location}"


class City(BaseModel):
    name: str
    population: int


def _valid(schema: str, model: Any) -> None:
    problems = schema_errors(OPENAI_RESPONSES_SPEC, schema, model.model_dump(mode="json", exclude_unset=True))
    assert not problems, (getattr(model, "type", schema), problems[:3])


# -- responses: the request --------------------------------------------------------------------------


def test_translation_maps_every_field_to_chat_completions() -> None:
    body, output_type = rb.build_body(
        "m",
        [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Look:"},
                    {"type": "input_image", "image_url": "https://x/img.png"},
                ],
            },
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"location": "Paris"}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "It is sunny."}]},
        ],
        {
            "instructions": "Be brief.",
            "tools": [get_weather, {"type": "function", "name": "noop", "parameters": {"type": "object"}}],
            "tool_choice": {"type": "function", "name": "get_weather"},
            "max_output_tokens": 99,
            "reasoning": {"effort": "low"},
            "response_format": City,
            "temperature": 0.2,
            "top_p": 0.9,
            "user": "u-1",
            "metadata": {"tag": "x"},
            "store": False,
            "truncation": "disabled",
        },
    )
    assert output_type is City
    assert body["text"]["format"]["type"] == "json_schema" and body["text"]["format"]["name"] == "City"
    assert body["tools"][0]["strict"] is False and body["tools"][0]["name"] == "get_weather"
    params = rb.body_to_params(body, "translated-kit")
    assert [m["role"] for m in params.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert params.messages[0]["content"] == "Be brief."
    assert params.messages[1]["content"][1] == {"type": "image_url", "image_url": {"url": "https://x/img.png"}}
    assert params.messages[2]["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"location": "Paris"}',
    }
    assert params.messages[3] == {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}
    assert params.messages[4]["content"] == "It is sunny."
    assert params.max_tokens == 99 and params.reasoning_effort == "low" and params.user == "u-1"
    assert (params.temperature, params.top_p) == (0.2, 0.9)
    assert params.tool_choice == {"type": "function", "function": {"name": "get_weather"}}
    assert params.tools is not None and params.tools[1] == {
        "type": "function",
        "function": {"name": "noop", "parameters": {"type": "object"}},
    }
    assert params.response_format is not None and params.response_format["json_schema"]["name"] == "City"
    assert "metadata" not in params.extra and "store" not in params.extra


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("previous_response_id", "resp_1"),
        ("conversation", {"id": "conv_1"}),
        ("store", True),
        ("background", True),
        ("include", ["reasoning.encrypted_content"]),
        ("max_tool_calls", 3),
        ("truncation", "auto"),
        ("context_management", [{"type": "compaction"}]),
        ("prompt_cache_retention", "24h"),
        ("safety_identifier", "s-1"),
        ("tools", [{"type": "web_search"}]),
    ],
)
def test_translated_provider_refuses_before_sending(name: str, value: Any) -> None:
    with MockServer() as server:
        client = AnyLLM(Translated(api_base=server.url), max_retries=0)
        with pytest.raises(errors.UnsupportedParameterError) as caught:
            client.responses("m", "hi", **{name: value})
        client.close()
        assert server.requests == []
    assert name in str(caught.value)


def test_native_provider_sends_the_body_as_built() -> None:
    with MockServer() as server:
        server.queue(Reply.json(json.loads(json.dumps(_native_body()))))
        client = AnyLLM(Native(api_base=server.url + "/v1"), max_retries=0)
        result = client.responses(
            "m",
            "hi",
            tools=[get_weather],
            previous_response_id="resp_0",
            store=True,
            response_format=City,
            extra_body={"prompt_cache_retention": "24h"},
            service_tier="flex",
        )
        client.close()
    request = server.requests[0]
    assert request.path == "/v1/responses" and request.headers["x-kit"] == "1"
    sent = request.json
    assert sent["previous_response_id"] == "resp_0" and sent["store"] is True and sent["service_tier"] == "flex"
    assert sent["prompt_cache_retention"] == "24h"
    assert not schema_errors(OPENAI_RESPONSES_SPEC, "CreateResponse", sent)
    assert isinstance(result, rt.ParsedResponse) and result.output_parsed == City(name="Paris", population=3)


def _native_body() -> dict[str, Any]:
    text = json.dumps({"name": "Paris", "population": 3})
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "m",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
    }


# -- responses: the answer -------------------------------------------------------------------------


def _chunks() -> list[ChatCompletionChunk]:
    raw = [
        chunk_json({"role": "assistant", "content": ""}),
        chunk_json({"reasoning": {"content": "Thinking"}}),
        chunk_json({"content": "Let me"}),
        chunk_json({"content": " check."}),
        chunk_json(
            {
                "tool_calls": [
                    {"index": 0, "id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
                ]
            }
        ),
        chunk_json({"tool_calls": [{"index": 0, "function": {"arguments": '{"location":'}}]}),
        chunk_json({"tool_calls": [{"index": 0, "function": {"arguments": ' "Paris"}'}}]}),
        chunk_json(
            {
                "tool_calls": [
                    {"index": 1, "id": "c2", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
                ]
            }
        ),
        chunk_json({}, "tool_calls"),
        {**chunk_json(), "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}},
    ]
    return [ChatCompletionChunk.model_validate(c) for c in raw]


def test_translated_stream_is_the_documented_event_sequence_and_valid() -> None:
    translator = rb.ResponsesTranslator({"model": "m", "input": "hi", "instructions": "Be brief."})
    events = [e for c in _chunks() for e in translator.feed(c)] + translator.finish()
    for event in events:
        _valid("ResponseStreamEvent", event)
    assert [e.sequence_number for e in events] == list(range(len(events)))
    kinds = [e.type for e in events]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds[-1] == "response.completed"
    added = [(e.output_index, e.item.type) for e in events if isinstance(e, rt.ResponseOutputItemAddedEvent)]
    done = [(e.output_index, e.item.type) for e in events if isinstance(e, rt.ResponseOutputItemDoneEvent)]
    assert added == done == [(0, "reasoning"), (1, "message"), (2, "function_call"), (3, "function_call")]
    final = events[-1].response
    assert final.output_text == "Let me check."
    calls = [i for i in final.output if isinstance(i, rt.ResponseFunctionToolCall)]
    assert [(c.call_id, json.loads(c.arguments)) for c in calls] == [("c1", {"location": "Paris"}), ("c2", {})]
    assert final.usage is not None and (final.usage.input_tokens, final.usage.output_tokens) == (5, 9)
    assert final.instructions == "Be brief."
    args = "".join(
        e.delta for e in events if isinstance(e, rt.ResponseFunctionCallArgumentsDeltaEvent) and e.output_index == 2
    )
    assert args == '{"location": "Paris"}'


def test_translated_completion_is_a_valid_response() -> None:
    completion = ChatCompletion.model_validate(
        completion_json(
            {
                "content": "Hi.",
                "reasoning": {"content": "hmm"},
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            "tool_calls",
        )
    )
    response = rb.completion_to_response(completion, {"model": "m", "input": "x"}, None, "kit")
    _valid("Response", response)
    assert [i.type for i in response.output] == ["reasoning", "message", "function_call"]
    assert response.status == "completed" and response.output_text == "Hi."


def test_cut_answers_are_incomplete_not_completed() -> None:
    completion = ChatCompletion.model_validate(completion_json({"content": "Once upon"}, "length"))
    response = rb.completion_to_response(completion, {"model": "m", "input": "x"}, None, "kit")
    assert response.status == "incomplete" and response.incomplete_details == {"reason": "max_output_tokens"}
    translator = rb.ResponsesTranslator({"model": "m", "input": "x"})
    chunks = [chunk_json({"content": "Once"}), chunk_json({}, "length")]
    events = [e for c in chunks for e in translator.feed(ChatCompletionChunk.model_validate(c))] + translator.finish()
    assert events[-1].type == "response.incomplete"
    _valid("ResponseStreamEvent", events[-1])


def test_structured_output_cut_short_raises() -> None:
    completion = ChatCompletion.model_validate(completion_json({"content": '{"name": "Par'}, "length"))
    with pytest.raises(errors.LengthFinishReasonError):
        rb.completion_to_response(completion, {"model": "m", "input": "x"}, City, "kit")


def test_native_stream_cut_before_completed_is_an_error() -> None:
    created = {
        "type": "response.created",
        "sequence_number": 0,
        "response": {**_native_body(), "status": "in_progress", "output": []},
    }
    with MockServer() as server:
        server.queue(Reply.sse([("response.created", created)], done=False))
        client = AnyLLM(Native(api_base=server.url), max_retries=0)
        stream = client.responses("m", "hi", stream=True)
        first = next(stream)
        assert first.type == "response.created"
        with pytest.raises(errors.APIConnectionError, match=r"ended before its end marker"):
            next(stream)
        client.close()


def test_native_failed_event_is_yielded_and_ends_the_stream() -> None:
    failed = {
        "type": "response.failed",
        "sequence_number": 1,
        "response": {
            **_native_body(),
            "status": "failed",
            "output": [],
            "error": {"code": "server_error", "message": "boom"},
        },
    }
    with MockServer() as server:
        server.queue(Reply.sse([("response.failed", failed)], done=False))
        client = AnyLLM(Native(api_base=server.url), max_retries=0)
        with client.responses("m", "hi", stream=True) as stream:
            events = list(stream)
        client.close()
    assert [e.type for e in events] == ["response.failed"]
    assert events[0].response.error.message == "boom"


def test_translated_stream_error_mid_way_raises_typed() -> None:
    with MockServer() as server:
        server.queue(Reply.sse([chunk_json({"content": "Hi"})], done=False))  # no finish, no [DONE]: cut
        client = AnyLLM(Translated(api_base=server.url), max_retries=0)
        with pytest.raises(errors.AnyLLMError):
            list(client.responses("m", "hi", stream=True))
        client.close()


# -- messages ---------------------------------------------------------------------------------------


def test_messages_translation_maps_every_field() -> None:
    body, _ = mb.build_body(
        "m",
        [
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                    {"type": "text", "text": "Checking."},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"location": "Paris"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "sunny"}]},
                    {"type": "text", "text": "And tomorrow?"},
                ],
            },
        ],
        128,
        {
            "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
            "tools": [get_weather],
            "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
            "thinking": {"type": "enabled", "budget_tokens": 2048},
            "stop_sequences": ["END"],
            "metadata": {"user_id": "u-1"},
            "temperature": 0.5,
        },
    )
    assert body["tools"][0]["name"] == "get_weather" and "input_schema" in body["tools"][0]
    params = mb.body_to_params(body, "kit")
    assert [m["role"] for m in params.messages] == ["system", "user", "assistant", "tool", "user"]
    assert params.messages[0]["content"] == "Be brief."
    assert params.messages[2]["content"] == "Checking."
    assert json.loads(params.messages[2]["tool_calls"][0]["function"]["arguments"]) == {"location": "Paris"}
    assert params.messages[3] == {"role": "tool", "tool_call_id": "toolu_1", "content": "sunny"}
    assert params.tool_choice == "required" and params.parallel_tool_calls is False
    assert (params.max_tokens, params.reasoning_effort, params.stop, params.user) == (128, "low", ["END"], "u-1")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("top_k", 5),
        ("cache_control", {"type": "ephemeral"}),
        ("betas", ["x"]),
        ("tools", [{"type": "web_search_20250305", "name": "web_search"}]),
    ],
)
def test_messages_translated_refusals(name: str, value: Any) -> None:
    with MockServer() as server:
        client = AnyLLM(Translated(api_base=server.url), max_retries=0)
        with pytest.raises(errors.UnsupportedParameterError):
            client.messages("m", [{"role": "user", "content": "hi"}], 64, **{name: value})
        client.close()
        assert server.requests == []


def test_messages_translated_tool_stream_events() -> None:
    translator = mb.MessagesTranslator("m")
    events = [e for c in _chunks() for e in translator.feed(c)] + translator.finish()
    kinds = [e.type for e in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    starts = [e.content_block.type for e in events if isinstance(e, mt.ContentBlockStartEvent)]
    assert starts == ["thinking", "text", "tool_use", "tool_use"]
    assert kinds.count("content_block_start") == kinds.count("content_block_stop") == 4
    json_parts = "".join(
        e.delta.partial_json
        for e in events
        if isinstance(e, mt.ContentBlockDeltaEvent) and isinstance(e.delta, mt.InputJSONDelta) and e.index == 2
    )
    assert json.loads(json_parts) == {"location": "Paris"}
    delta = events[-2]
    assert isinstance(delta, mt.MessageDeltaEvent)
    assert delta.delta.stop_reason == "tool_use" and delta.usage.output_tokens == 9
    # blocks never interleave: each start is followed by its own deltas and stop
    open_block = None
    for e in events:
        if isinstance(e, mt.ContentBlockStartEvent):
            assert open_block is None
            open_block = e.index
        elif isinstance(e, mt.ContentBlockDeltaEvent):
            assert e.index == open_block
        elif isinstance(e, mt.ContentBlockStopEvent):
            assert e.index == open_block
            open_block = None


def test_messages_translated_answer() -> None:
    completion = ChatCompletion.model_validate(
        completion_json(
            {
                "content": "Checking.",
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}],
            },
            "tool_calls",
        )
    )
    message = mb.completion_to_message(completion, None, "kit")
    assert [b.type for b in message.content] == ["text", "tool_use"]
    assert message.stop_reason == "tool_use" and message.usage.input_tokens == 12
    assert message.content[1].input == {"a": 1}  # type: ignore[union-attr]


def test_fake_llm_serves_responses_and_messages() -> None:
    from any_llm import messages, responses
    from any_llm.testing import FakeLLM

    with FakeLLM() as fake:
        fake.add_text("Paris.")
        fake.add_tool_call("get_weather", {"location": "Paris"})
        answer = responses(model="any", provider="fake", input_data="Capital?", instructions="Be brief.")
        assert answer.output_text == "Paris."
        assert fake.requests[0]["messages"][0] == {"role": "system", "content": "Be brief."}
        message = messages(
            model="any", provider="fake", messages=[{"role": "user", "content": "Weather?"}], max_tokens=9
        )
        assert message.stop_reason == "tool_use" and message.content[0].input == {"location": "Paris"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "reply",
    [
        Reply.json({"id": 5, "output": "nope"}),
        Reply.text("not json", content_type="application/json"),
        Reply.sse([("response.created", {"type": "response.created", "response": {"id": []}})], done=False),
    ],
)
def test_native_wrong_shapes_are_typed_errors(reply: Reply) -> None:
    streaming = reply.headers.get("content-type") == "text/event-stream"
    with MockServer() as server:
        server.queue(reply)
        client = AnyLLM(Native(api_base=server.url), max_retries=0)
        with pytest.raises(errors.ResponseValidationError):
            _drain(client.responses("m", "hi", stream=streaming))
        client.close()


def _drain(result: Any) -> Any:
    return list(result) if isinstance(result, Iterator) else result


def test_call_options_and_raw_responses_work_on_both_paths() -> None:
    with MockServer() as server:
        server.queue(Reply.json(_native_body()), Reply.json(completion_json({"content": "Hi."})))
        native = AnyLLM(Native(api_base=server.url), max_retries=0)
        raw = native.with_raw_response.responses("m", "hi", extra_headers={"x-trace": "t1"}, extra_query={"q": "1"})
        assert raw.status_code == 200 and isinstance(raw.parse(), rt.Response)
        translated = AnyLLM(Translated(api_base=server.url), max_retries=0)
        message = translated.messages("m", [{"role": "user", "content": "hi"}], 9, extra_body={"seed_x": 1}, timeout=5)
        assert message.text == "Hi."
        native.close()
        translated.close()
    first, second = server.requests
    assert first.headers["x-trace"] == "t1" and first.query == {"q": "1"}
    assert second.path == "/chat/completions" and second.json["seed_x"] == 1
