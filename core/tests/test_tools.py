"""Callables → tool schemas: type hints through pydantic, descriptions from Google/NumPy/Sphinx docstrings."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Literal

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from any_llm.errors import ConfigurationError
from any_llm.tools import callable_to_tool, parse_docstring, prepare_tools


def google(city: str, days: int = 3) -> str:
    """Forecast the weather.

    Looks the city up first.

    Args:
        city: The city to forecast,
            as a plain name.
        days (int): How many days ahead.

    Returns:
        The forecast text.
    """
    return city


def numpy_style(city: str, days: int = 3) -> str:
    """Forecast the weather.

    Parameters
    ----------
    city : str
        The city to forecast,
        as a plain name.
    days : int, optional
        How many days ahead.

    Returns
    -------
    str
        The forecast text.
    """
    return city


def sphinx(city: str, days: int = 3) -> str:
    """Forecast the weather.

    :param city: The city to forecast,
        as a plain name.
    :param int days: How many days ahead.
    :returns: The forecast text.
    """
    return city


@pytest.mark.parametrize("func", [google, numpy_style, sphinx])
def test_docstring_styles(func: Any) -> None:
    tool = callable_to_tool(func)
    fn = tool["function"]
    assert tool["type"] == "function"
    assert fn["name"] == func.__name__
    assert fn["description"].startswith("Forecast the weather.")
    props = fn["parameters"]["properties"]
    assert props["city"] == {"type": "string", "description": "The city to forecast, as a plain name."}
    assert props["days"]["description"] == "How many days ahead."
    assert props["days"]["type"] == "integer"
    assert props["days"]["default"] == 3
    assert fn["parameters"]["required"] == ["city"]
    assert parse_docstring(func.__doc__ or "").returns.endswith("The forecast text.")


def test_google_summary_keeps_paragraphs_without_sections() -> None:
    doc = parse_docstring(google.__doc__ or "")
    assert doc.summary == "Forecast the weather. Looks the city up first."
    assert "Args" not in doc.summary


class Unit(enum.Enum):
    C = "C"
    F = "F"


class Address(BaseModel):
    street: str
    zip: str | None = None


@dataclasses.dataclass
class Point:
    x: float
    y: float


class Options(TypedDict):
    verbose: bool


def rich(
    unit: Unit,
    mode: Literal["fast", "slow"],
    tags: list[str],
    meta: dict[str, int],
    address: Address,
    point: Point,
    options: Options,
    note: str | None = None,
) -> None:
    """Everything at once."""


def test_rich_types() -> None:
    params = callable_to_tool(rich)["function"]["parameters"]
    props = params["properties"]
    assert props["mode"]["enum"] == ["fast", "slow"]
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["meta"]["additionalProperties"] == {"type": "integer"}
    assert props["note"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    defs = params["$defs"]
    assert defs["Unit"]["enum"] == ["C", "F"]
    assert set(defs["Address"]["properties"]) == {"street", "zip"}
    assert set(defs["Point"]["properties"]) == {"x", "y"}
    assert defs["Options"]["properties"]["verbose"]["type"] == "boolean"
    assert params["required"] == ["unit", "mode", "tags", "meta", "address", "point", "options"]


def test_missing_annotation_is_a_clear_error() -> None:
    def f(city, days: int = 1) -> str:  # type: ignore[no-untyped-def]
        return ""

    with pytest.raises(ConfigurationError, match="'city' has no type hint"):
        callable_to_tool(f)


def test_prepare_tools_checks_every_entry() -> None:
    ok = {"type": "function", "function": {"name": "x", "parameters": {"type": "object", "properties": {}}}}
    assert prepare_tools([ok, google])[0] is ok
    with pytest.raises(ConfigurationError, match=r"tools\[0\] is a int"):
        prepare_tools([3])
    with pytest.raises(ConfigurationError, match="tools must be a list"):
        prepare_tools(google)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"tools\[0\] must look like"):
        prepare_tools([{"type": "function", "function": {}}])
    with pytest.raises(ConfigurationError, match="lambda"):
        prepare_tools([lambda x: x])


def test_no_docstring_means_no_description() -> None:
    def bare(x: int) -> int:
        return x

    fn = callable_to_tool(bare)["function"]
    assert "description" not in fn
    assert "description" not in fn["parameters"]["properties"]["x"]
