"""The inputs of the ``completion()`` reference's examples (basic, streaming, tools, structured output, async).

Every protocol's tests run those examples; they take the tool, the output type and the prompts from
here instead of redefining them. ``demo/run_demo.py`` shows the same examples to people.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["CAPITAL", "PARIS", "STORY_PROMPT", "WEATHER", "CityInfo", "get_weather"]


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
