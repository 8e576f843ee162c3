"""The inputs of the ``completion()`` reference's examples (basic, streaming, tools, structured output, async).

Every protocol's tests run those examples; they take the tool, the output type and the prompts from
here instead of redefining them. ``demo/run_demo.py`` shows the same examples to people.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from any_llm.testing.server import RecordedRequest, Reply

__all__ = [
    "CAPITAL",
    "EXPECTED_LINES",
    "PARIS",
    "STORY_PROMPT",
    "WEATHER",
    "CityInfo",
    "get_weather",
    "openai_reply",
    "run_examples",
]


class CityInfo(BaseModel):
    """The structured-output example's type."""

    name: str
    country: str
    population: int


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit, either 'C' or 'F'

    Returns:
        Current weather description
    """
    return f"Weather in {location} is sunny and 75{unit}!"


CAPITAL: list[dict[str, Any]] = [{"role": "user", "content": "What is the capital of France?"}]
"""The basic example's messages."""
WEATHER: list[dict[str, Any]] = [{"role": "user", "content": "What's the weather in Paris?"}]
"""The tool example's messages."""
STORY_PROMPT: list[dict[str, Any]] = [{"role": "user", "content": "Tell me a story."}]
"""The streaming example's messages."""
PARIS: dict[str, Any] = {"name": "Paris", "country": "France", "population": 2102650}
"""The structured example's expected answer, as a server returns it."""

EXPECTED_LINES = [
    "basic: Paris.",
    "stream: Once upon",
    "async: Paris.",
    "structured: Paris, France - pop. 2102650",
    "tools: get_weather",
]
"""What :func:`run_examples` returns against a server answering like :func:`openai_reply`."""


def run_examples(model: str, **kw: Any) -> list[str]:
    """Run the five examples as a user writes them, with ``kw`` (``provider``, ``api_base``, ``api_key``,
    ``client_args``...) on every call; one line per example of what it got. Packaging tests run this
    inside fresh venvs made from the wheels, against local servers."""
    import asyncio

    from any_llm import acompletion, completion

    lines = []
    basic: Any = completion(model=model, messages=[*CAPITAL], **kw)
    lines.append(f"basic: {basic.choices[0].message.content}")
    chunks: Any = completion(model=model, messages=[*STORY_PROMPT], stream=True, **kw)
    lines.append("stream: " + "".join(c.choices[0].delta.content or "" for c in chunks if c.choices))

    async def main() -> Any:
        return await acompletion(model=model, messages=[{"role": "user", "content": "Hello!"}], **kw)

    lines.append(f"async: {asyncio.run(main()).choices[0].message.content}")
    about = [{"role": "user", "content": "Tell me about Paris."}]
    structured: Any = completion(model=model, messages=[*about], response_format=CityInfo, **kw)
    city = structured.choices[0].message.parsed
    lines.append(f"structured: {city.name}, {city.country} - pop. {city.population}")
    tools: Any = completion(model=model, messages=[*WEATHER], tools=[get_weather], **kw)
    lines.append(f"tools: {tools.choices[0].message.tool_calls[0].function.name}")
    return lines


def openai_reply(request: RecordedRequest) -> Reply:
    """A :class:`~any_llm.testing.MockServer` handler answering the five examples in OpenAI's chat format."""
    from any_llm.testing.server import Reply

    body = request.json or {}
    model = body.get("model", "m")
    base = {"id": "c1", "object": "chat.completion", "created": 0, "model": model}
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    if body.get("stream"):
        event = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model}
        deltas = [{"index": 0, "delta": {"content": word}} for word in ("Once", " upon")]
        deltas.append({"index": 0, "delta": {}, "finish_reason": "stop"})
        return Reply.sse([{**event, "choices": [delta]} for delta in deltas])
    if body.get("tools"):
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
        }
        message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls"
    else:
        content = json.dumps(PARIS) if body.get("response_format") else "Paris."
        message, finish = {"role": "assistant", "content": content}, "stop"
    return Reply.json({**base, "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage})
