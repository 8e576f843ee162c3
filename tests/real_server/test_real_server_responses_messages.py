"""responses() and messages() against the real local model (llamacpp: both translated over chat completions).

The seed examples in both shapes: plain, streamed, async, structured output and a named tool call with
its result sent back. Structure is checked, never wording.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from any_llm import amessages, aresponses, messages, responses
from any_llm.types import messages as mt
from any_llm.types import responses as rt

pytestmark = pytest.mark.real_server


class City(BaseModel):
    name: str
    country: str
    population: int


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: The city to get the weather for
    """
    return f"Weather in {city} is sunny and 75F!"


@pytest.fixture
def kw(base_url: str, server_info: dict[str, Any]) -> dict[str, Any]:
    return {
        "provider": "llamacpp",
        "api_base": base_url,
        "model": server_info["model"],
        "temperature": 0,
        "client_args": {"max_retries": 0},
    }


def test_responses_plain_and_streamed(kw: dict[str, Any]) -> None:
    response = responses(input_data="What is the capital of France?", max_output_tokens=24, **kw)
    assert isinstance(response, rt.Response) and response.output_text.strip()
    assert response.status in ("completed", "incomplete")
    assert response.usage is not None and response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    with responses(input_data="Tell me a story.", max_output_tokens=12, stream=True, **kw) as stream:
        events = list(stream)
    assert events[0].type == "response.created" and events[-1].type in ("response.completed", "response.incomplete")
    text = "".join(e.delta for e in events if isinstance(e, rt.ResponseTextDeltaEvent))
    assert text.strip() and events[-1].response.output_text == text


async def test_responses_async(kw: dict[str, Any]) -> None:
    response = await aresponses(input_data="Hello!", instructions="Answer briefly.", max_output_tokens=16, **kw)
    assert response.output_text.strip()


def test_responses_structured(kw: dict[str, Any]) -> None:
    response = responses(input_data="Tell me about Paris.", response_format=City, max_output_tokens=96, **kw)
    assert isinstance(response.output_parsed, City)


def test_responses_named_tool_call_and_round_trip(kw: dict[str, Any]) -> None:
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    choice = {"type": "function", "name": "get_weather"}
    first = responses(input_data=ask, tools=[get_weather], tool_choice=choice, max_output_tokens=48, **kw)
    (call,) = [i for i in first.output if isinstance(i, rt.ResponseFunctionToolCall)]
    assert call.name == "get_weather" and call.call_id
    result = get_weather(**json.loads(call.arguments))
    history = [*ask, *first.output, {"type": "function_call_output", "call_id": call.call_id, "output": result}]
    second = responses(input_data=history, tools=[get_weather], max_output_tokens=32, **kw)
    assert second.output_text.strip() or any(i.type == "function_call" for i in second.output)


def test_messages_plain_and_streamed(kw: dict[str, Any]) -> None:
    ask = [{"role": "user", "content": "What is the capital of France?"}]
    message = messages(messages=ask, max_tokens=24, system="Answer briefly.", **kw)
    assert isinstance(message, mt.MessageResponse) and message.text.strip()
    assert message.stop_reason in ("end_turn", "max_tokens") and message.usage.output_tokens > 0
    with messages(messages=ask, max_tokens=12, stream=True, **kw) as stream:
        events = list(stream)
    assert events[0].type == "message_start" and events[-1].type == "message_stop"
    assert "".join(
        e.delta.text for e in events if isinstance(e, mt.ContentBlockDeltaEvent) and isinstance(e.delta, mt.TextDelta)
    ).strip()


async def test_messages_async_named_tool(kw: dict[str, Any]) -> None:
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = await amessages(
        messages=ask, max_tokens=48, tools=[get_weather], tool_choice={"type": "tool", "name": "get_weather"}, **kw
    )
    (use,) = [b for b in first.content if isinstance(b, mt.ToolUseBlock)]
    assert use.name == "get_weather" and isinstance(use.input.get("city"), str)
    assert first.stop_reason == "tool_use"


def test_messages_structured(kw: dict[str, Any]) -> None:
    ask = [{"role": "user", "content": "Tell me about Paris."}]
    message = messages(messages=ask, max_tokens=96, output_format=City, **kw)
    assert isinstance(message.parsed_output, City)
