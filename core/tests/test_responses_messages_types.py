"""Our Responses and Messages types read the documented examples and dump them back identical.

The Responses examples are the OpenAI spec's own (``x-oaiMeta`` of ``POST /responses`` and of each
stream event schema), extracted by ``scripts/extract_responses_examples.py``; the Messages examples
are the anthropic plugin's spec-validated documentation shapes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from any_llm.types import messages as m
from any_llm.types import responses as r

DATA = Path(__file__).parent / "data"
OPENAI = json.loads((DATA / "openai_responses_examples.json").read_text())
ANTHROPIC = json.loads((DATA / "anthropic_messages_examples.json").read_text())


def _same(model: Any, original: Any) -> None:
    dumped = model.model_dump(mode="json", exclude_unset=True)
    assert json.dumps(dumped, sort_keys=True) == json.dumps(original, sort_keys=True)


@pytest.mark.parametrize("title", sorted(OPENAI["responses"]))
def test_documented_responses_round_trip(title: str) -> None:
    body = OPENAI["responses"][title]
    response = r.Response.model_validate(body)
    _same(response, body)
    texts = [
        p["text"] for i in body["output"] if i["type"] == "message" for p in i["content"] if p["type"] == "output_text"
    ]
    assert response.output_text == "".join(texts)


@pytest.mark.parametrize("name", sorted(OPENAI["events"]))
def test_documented_stream_events_round_trip(name: str) -> None:
    data = OPENAI["events"][name]
    event = r.parse_stream_event(data)
    assert type(event).__name__ == name
    _same(event, data)


def test_documented_stream_transcript_round_trips() -> None:
    events = [r.parse_stream_event(e) for e in OPENAI["stream"]]
    assert events[0].type == "response.created"
    assert events[-1].type == "response.completed"
    for event, data in zip(events, OPENAI["stream"], strict=True):
        _same(event, data)
    final = events[-1]
    assert isinstance(final, r.ResponseCompletedEvent)
    # the spec's transcript elides most deltas ("..."), but the done event carries the whole text
    done = [e.text for e in events if isinstance(e, r.ResponseTextDoneEvent)]
    assert [final.response.output_text] == done


def test_the_invalid_spec_example_is_recorded_not_hidden() -> None:
    # The spec's function_call_arguments.delta example is not JSON (a missing comma): the extract says so.
    assert "ResponseFunctionCallArgumentsDeltaEvent" in OPENAI["invalid_examples"]
    event = r.parse_stream_event(
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": '{"a":'}
    )
    assert isinstance(event, r.ResponseFunctionCallArgumentsDeltaEvent)


def test_unknown_items_and_events_are_kept() -> None:
    body = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": "x",
        "output": [{"type": "new_tool_call", "id": "n1", "x": [1]}],
    }
    response = r.Response.model_validate(body)
    assert isinstance(response.output[0], r.ResponseOutputItemOther)
    _same(response, body)
    event = r.parse_stream_event({"type": "response.new_thing", "sequence_number": 3, "payload": {"a": 1}})
    assert isinstance(event, r.ResponseStreamEventOther)


@pytest.mark.parametrize("name", sorted(ANTHROPIC["messages"]))
def test_documented_messages_round_trip(name: str) -> None:
    body = ANTHROPIC["messages"][name]
    message = m.MessageResponse.model_validate(body)
    _same(message, body)
    assert message.text == "".join(b["text"] for b in body["content"] if b["type"] == "text")


@pytest.mark.parametrize("name", sorted(ANTHROPIC["streams"]))
def test_documented_message_streams_round_trip(name: str) -> None:
    for data in ANTHROPIC["streams"][name]:
        event = m.parse_stream_event(data)
        assert not isinstance(event, m.MessageStreamEventOther) or data["type"] not in (
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop",
        )
        _same(event, data)


def test_types_stay_out_of_the_chat_hot_path() -> None:
    import subprocess
    import sys

    code = (
        "import sys, any_llm; from any_llm import completion, AnyLLM; import any_llm.client, any_llm.provider;"
        "print(any(n in sys.modules for n in ('any_llm.types.responses','any_llm.types.messages','any_llm.bridges')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
