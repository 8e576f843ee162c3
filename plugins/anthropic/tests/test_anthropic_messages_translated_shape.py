"""What messages() gives on a *translated* provider is valid by the Anthropic spec the plugin checks its own
answers with (``conftest.check``: the curated spec, made exact): the message, and every stream event."""

from __future__ import annotations

from typing import Any

from any_llm.bridges.messages import MessagesTranslator, completion_to_message
from any_llm.testing.conformance import chunk_json, completion_json
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'}}


def test_translated_message_is_a_valid_message(check: Any) -> None:
    for message, finish in (
        ({"content": "Paris."}, "stop"),
        ({"content": "Let me look.", "tool_calls": [CALL]}, "tool_calls"),
        ({"content": "Once"}, "length"),
    ):
        translated = completion_to_message(ChatCompletion.model_validate(completion_json(message, finish)), None, "kit")
        check("Message", translated.model_dump(mode="json", exclude_none=True))


def test_translated_stream_events_are_valid_events(check: Any) -> None:
    chunks = [
        chunk_json({"role": "assistant", "content": ""}),
        chunk_json({"content": "Let me"}),
        chunk_json({"content": " look."}),
        chunk_json(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                ]
            }
        ),
        chunk_json({"tool_calls": [{"index": 0, "function": {"arguments": '{"location": "Paris"}'}}]}),
        chunk_json({}, "tool_calls"),
        {**chunk_json(), "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}},
    ]
    translator = MessagesTranslator("m")
    events = [e for c in chunks for e in translator.feed(ChatCompletionChunk.model_validate(c))] + translator.finish()
    assert [e.type for e in events][:2] == ["message_start", "content_block_start"]
    for event in events:
        check("MessageStreamEvent", event.model_dump(mode="json", exclude_none=True))
