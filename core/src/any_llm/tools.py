"""Python callables → OpenAI tool schemas.

The JSON schema of each parameter comes from its type hint through pydantic (so Literal, Enum,
Optional, list/dict, nested pydantic models, dataclasses and TypedDicts all work); descriptions
come from the docstring, in Google, NumPy or Sphinx style: the summary describes the function and
each parameter gets its own text. Parameters without defaults are required.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from typing import Any

from any_llm import errors

__all__ = ["callable_to_tool", "function_of", "parse_docstring", "prepare_tools"]


def prepare_tools(tools: list[Any]) -> list[dict[str, Any]]:
    """Normalize a ``tools`` argument: OpenAI dicts pass through (checked), callables are converted."""
    if not isinstance(tools, (list, tuple)):
        raise errors.ConfigurationError(f"tools must be a list of tool dicts or callables, got {type(tools).__name__}")
    out: list[dict[str, Any]] = []
    for i, tool in enumerate(tools):
        if isinstance(tool, dict):
            _check_tool_dict(tool, i)
            out.append(tool)
        elif callable(tool):
            out.append(callable_to_tool(tool))
        else:
            raise errors.ConfigurationError(
                f"tools[{i}] is a {type(tool).__name__}, which is neither a tool dict "
                '({"type": "function", "function": {"name": ..., "parameters": {...}}}) nor a callable'
            )
    return out


def function_of(tool: dict[str, Any], provider: str) -> dict[str, Any]:
    """The function of an OpenAI tool as most APIs take it: ``name``, ``description`` when given, and
    ``parameters`` (an empty object schema when none; OpenAI's per-tool ``strict`` is left out). Other tool
    types (OpenAI's built-in ones) are refused with :class:`~any_llm.errors.UnsupportedParameterError`."""
    if tool.get("type", "function") != "function":
        raise errors.UnsupportedParameterError(
            "tools", provider, f"only function tools are supported, got type {tool.get('type')!r}"
        )
    fn = tool["function"]
    out: dict[str, Any] = {"name": fn["name"]}
    if fn.get("description"):
        out["description"] = fn["description"]
    out["parameters"] = fn.get("parameters") or {"type": "object", "properties": {}}
    return out


def _check_tool_dict(tool: dict[str, Any], i: int) -> None:
    fn = tool.get("function")
    if tool.get("type", "function") == "function" and (not isinstance(fn, dict) or not fn.get("name")):
        raise errors.ConfigurationError(
            f'tools[{i}] must look like {{"type": "function", "function": {{"name": ..., "parameters": ...}}}}'
        )


def callable_to_tool(func: Callable[..., Any]) -> dict[str, Any]:
    """The OpenAI tool dict for ``func``; every parameter needs a type hint."""
    from pydantic import create_model

    name = getattr(func, "__name__", None)
    if not name or name == "<lambda>":
        raise errors.ConfigurationError("a tool callable needs a name: use a def, not a lambda")
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception as exc:
        raise errors.ConfigurationError(f"tool {name!r}: cannot resolve its type hints ({exc})") from None
    doc = parse_docstring(inspect.getdoc(func) or "")
    fields: dict[str, Any] = {}
    for pname, param in inspect.signature(func).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if pname in ("self", "cls"):
            continue
        if pname not in hints:
            raise errors.ConfigurationError(
                f"tool {name!r}: parameter {pname!r} has no type hint; annotate it "
                f"(e.g. `{pname}: str`) so the model knows what to send"
            )
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (hints[pname], default)
    try:
        model = create_model(f"{name}_params", **fields)
        schema = model.model_json_schema()
    except Exception as exc:
        raise errors.ConfigurationError(f"tool {name!r}: its parameters have no JSON schema ({exc})") from None
    schema.pop("title", None)
    props = schema.get("properties", {})
    for pname, prop in props.items():
        prop.pop("title", None)
        if pname in doc.params:
            prop["description"] = doc.params[pname]
    schema.setdefault("required", [])
    function: dict[str, Any] = {"name": name, "parameters": schema}
    if doc.summary:
        function["description"] = doc.summary
    return {"type": "function", "function": function}


class Docstring(typing.NamedTuple):
    summary: str
    params: dict[str, str]
    returns: str


_GOOGLE_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Params|Keyword Args|Kwargs|Returns?|Yields?|Raises|"
    r"Examples?|Notes?|Attributes|See Also|Warnings?)\s*:\s*$"
)
_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_SPHINX_FIELD = re.compile(r"^:(param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")
_SPHINX_RETURN = re.compile(r"^:returns?:\s*(.*)$")
_SPHINX_ANY = re.compile(r"^:\w+")


def parse_docstring(doc: str) -> Docstring:
    """Split a Google, NumPy or Sphinx docstring into summary, per-parameter text and returns text."""
    lines = inspect.cleandoc(doc).expandtabs().splitlines()
    summary_lines: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _GOOGLE_SECTION.match(line) or _SPHINX_ANY.match(line) or (line and _NUMPY_UNDERLINE.match(nxt)):
            break
        summary_lines.append(line)
        i += 1
    summary = " ".join(_paragraphs(summary_lines))
    rest = lines[i:]
    if any(_SPHINX_ANY.match(x.strip()) for x in rest):
        params, returns = _parse_sphinx(rest)
    elif any(_NUMPY_UNDERLINE.match(x) for x in rest):
        params, returns = _parse_numpy(rest)
    else:
        params, returns = _parse_google(rest)
    return Docstring(summary, params, returns)


def _paragraphs(lines: list[str]) -> list[str]:
    text = "\n".join(lines).strip()
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _parse_google(lines: list[str]) -> tuple[dict[str, str], str]:
    params: dict[str, str] = {}
    returns: list[str] = []
    section = ""
    current: str | None = None
    base_indent: int | None = None
    for raw in lines:
        stripped = raw.strip()
        m = _GOOGLE_SECTION.match(stripped)
        if m and (len(raw) - len(raw.lstrip())) <= (base_indent or 0):
            section = m.group(1).lower()
            current, base_indent = None, None
            continue
        if not stripped:
            continue
        indent = len(raw) - len(raw.lstrip())
        if section in ("args", "arguments", "parameters", "params", "keyword args", "kwargs"):
            entry = re.match(r"^\*{0,2}(\w+)\s*(\([^)]*\))?\s*:\s*(.*)$", stripped)
            if entry and (base_indent is None or indent <= base_indent):
                base_indent = indent
                current = entry.group(1)
                params[current] = entry.group(3).strip()
            elif current is not None:
                params[current] = f"{params[current]} {stripped}".strip()
        elif section in ("returns", "return", "yields", "yield"):
            returns.append(stripped)
    return params, " ".join(returns)


def _parse_numpy(lines: list[str]) -> tuple[dict[str, str], str]:
    params: dict[str, str] = {}
    returns: list[str] = []
    section = ""
    current: str | None = None
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if i + 1 < len(lines) and _NUMPY_UNDERLINE.match(lines[i + 1]) and stripped:
            section = stripped.lower()
            current = None
            i += 2
            continue
        i += 1
        if not stripped:
            continue
        indent = len(raw) - len(raw.lstrip())
        if section in ("parameters", "other parameters", "keyword arguments"):
            if indent == 0 or (current is None):
                name = re.split(r"\s*:\s*", stripped, maxsplit=1)[0]
                for n in name.split(","):
                    current = n.strip().lstrip("*")
                    params[current] = ""
            elif current is not None:
                params[current] = f"{params[current]} {stripped}".strip()
        elif section in ("returns", "yields") and indent > 0:
            returns.append(stripped)
    return params, " ".join(returns)


def _parse_sphinx(lines: list[str]) -> tuple[dict[str, str], str]:
    params: dict[str, str] = {}
    returns = ""
    current: str | None = None
    for raw in lines:
        stripped = raw.strip()
        if not stripped:
            continue
        m = _SPHINX_FIELD.match(stripped)
        if m:
            current = m.group(2)
            params[current] = m.group(3).strip()
            continue
        r = _SPHINX_RETURN.match(stripped)
        if r:
            current = "__return__"
            returns = r.group(1).strip()
            continue
        if _SPHINX_ANY.match(stripped):
            current = None
            continue
        if current == "__return__":
            returns = f"{returns} {stripped}".strip()
        elif current is not None:
            params[current] = f"{params[current]} {stripped}".strip()
    return params, returns
