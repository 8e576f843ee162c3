"""response_format normalization and parsing into ParsedChatCompletion."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from pydantic import BaseModel

from any_llm.errors import (
    ConfigurationError,
    ContentFilterFinishReasonError,
    LengthFinishReasonError,
    StructuredOutputError,
)
from any_llm.structured import normalize_response_format, parse_structured
from any_llm.types import ChatCompletion, ParsedChatCompletion


class City(BaseModel):
    name: str
    population: int
    nested: list[Inner] = []


class Inner(BaseModel):
    label: str


City.model_rebuild()


@dataclasses.dataclass
class Pair:
    left: int
    right: str = "r"


def completion_with(content: str | None, finish: str = "stop", refusal: str | None = None) -> ChatCompletion:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if refusal:
        message["refusal"] = refusal
    return ChatCompletion.model_validate(
        {
            "id": "1",
            "created": 0,
            "model": "m",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        }
    )


def test_pydantic_model_becomes_a_strict_schema() -> None:
    wire, out = normalize_response_format(City)
    assert out is City
    assert wire is not None
    spec = wire["json_schema"]
    assert spec["name"] == "City" and spec["strict"] is True
    schema = spec["schema"]
    assert schema["required"] == ["name", "population", "nested"]
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Inner"]["additionalProperties"] is False


def test_dataclass_becomes_a_strict_schema() -> None:
    wire, out = normalize_response_format(Pair)
    assert out is Pair and wire is not None
    assert wire["json_schema"]["schema"]["required"] == ["left", "right"]


@pytest.mark.parametrize(
    "fmt",
    [
        {"type": "json_object"},
        {"type": "text"},
        {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
    ],
)
def test_dicts_pass_through(fmt: dict[str, Any]) -> None:
    assert normalize_response_format(fmt) == (fmt, None)


@pytest.mark.parametrize("bad", ["json", 3, {"type": "xml"}, {"type": "json_schema"}, int, object()])
def test_wrong_response_format_is_refused(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="response_format"):
        normalize_response_format(bad)


def test_parsed_pydantic_and_dataclass() -> None:
    parsed = parse_structured(
        completion_with(json.dumps({"name": "Paris", "population": 2, "nested": [{"label": "a"}]})), City, "p"
    )
    assert isinstance(parsed, ParsedChatCompletion)
    city = parsed.choices[0].message.parsed
    assert isinstance(city, City) and city.nested[0].label == "a"
    pair = parse_structured(completion_with('{"left": 1, "right": "x"}'), Pair, "p").choices[0].message.parsed
    assert pair == Pair(1, "x")


def test_refusal_leaves_parsed_none() -> None:
    parsed = parse_structured(completion_with(None, refusal="I can't help with that"), City, "p")
    assert parsed.choices[0].message.parsed is None
    assert parsed.choices[0].message.refusal == "I can't help with that"


def test_length_and_content_filter_raise_with_the_completion() -> None:
    cut = completion_with('{"name": "Par', finish="length")
    with pytest.raises(LengthFinishReasonError) as info:
        parse_structured(cut, City, "p")
    assert info.value.completion is cut
    with pytest.raises(ContentFilterFinishReasonError):
        parse_structured(completion_with("", finish="content_filter"), City, "p")


def test_invalid_json_shows_the_raw_content() -> None:
    with pytest.raises(StructuredOutputError, match="not valid City JSON") as info:
        parse_structured(completion_with("Paris is nice"), City, "p")
    assert info.value.raw == "Paris is nice"
    assert "Paris is nice" in str(info.value)
