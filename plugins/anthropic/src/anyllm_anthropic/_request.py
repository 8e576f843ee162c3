"""OpenAI-shaped request pieces → the Anthropic Messages API body (pure functions).

The Messages API differs from chat completions in ways that need real translation: the system
prompt is a top-level field, tool calls and tool results are content blocks inside the assistant
and user turns, images and PDFs are typed blocks, and a replayed assistant turn must carry its
signed thinking blocks ahead of its ``tool_use`` blocks.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

from any_llm import errors

__all__ = [
    "THINKING_BUDGETS",
    "convert_messages",
    "convert_tool_choice",
    "convert_tools",
    "output_schema",
]

THINKING_BUDGETS: dict[str, int] = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384, "xhigh": 32768}
"""``reasoning_effort`` → ``thinking.budget_tokens`` (the API's minimum budget is 1024)."""

_PROVIDER = "anthropic"
_THINKING_TYPES = ("thinking", "redacted_thinking")
# Anthropic-native block types a caller may put in ``content`` directly; they pass through verbatim.
_NATIVE_BLOCKS = frozenset(
    {
        "image",
        "document",
        "search_result",
        "tool_use",
        "tool_result",
        "thinking",
        "redacted_thinking",
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "container_upload",
    }
)


def _bad(message: str) -> errors.ConfigurationError:
    return errors.ConfigurationError(message, provider=_PROVIDER)


# -- messages -------------------------------------------------------------------------------------


def convert_messages(messages: list[dict[str, Any]]) -> tuple[str | list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """(system, messages): system/developer turns lifted out, tool turns folded into user turns,
    and consecutive turns of the same role merged, as the API requires alternating roles."""
    system: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for i, msg in enumerate(messages):
        role = msg.get("role")
        if role in ("system", "developer"):
            system.extend(_content_blocks(msg.get("content"), i))
            continue
        if role == "user":
            blocks = _content_blocks(msg.get("content"), i)
        elif role == "assistant":
            blocks = _assistant_blocks(msg, i)
        elif role == "tool":
            role, blocks = "user", [_tool_result(msg, i)]
        else:
            raise _bad(
                f"messages[{i}] has role {role!r}, which Anthropic does not take; send tool results "
                'as {"role": "tool", "tool_call_id": ..., "content": ...}'
            )
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    return _system_field(system), [_finish_turn(m) for m in out]


def _finish_turn(msg: dict[str, Any]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = msg["content"]
    # Empty text blocks are rejected by the API; drop them when the turn has other content.
    if len(blocks) > 1:
        blocks = [b for b in blocks if not (b.get("type") == "text" and b.get("text") == "")] or blocks[:1]
    if msg["role"] == "user":
        # tool_result blocks must open the user turn that answers the tool calls.
        blocks = [b for b in blocks if b.get("type") == "tool_result"] + [
            b for b in blocks if b.get("type") != "tool_result"
        ]
    if len(blocks) == 1 and blocks[0].keys() == {"type", "text"} and blocks[0]["type"] == "text":
        return {"role": msg["role"], "content": blocks[0]["text"]}
    return {"role": msg["role"], "content": blocks}


def _system_field(blocks: list[dict[str, Any]]) -> str | list[dict[str, Any]] | None:
    if not blocks:
        return None
    if all(b.keys() == {"type", "text"} and b["type"] == "text" for b in blocks):
        return "\n\n".join(b["text"] for b in blocks)
    return blocks  # keeps cache_control markers


def _content_blocks(content: Any, i: int) -> list[dict[str, Any]]:
    """A user/system/tool content value (string or list of OpenAI parts) → Anthropic blocks."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise _bad(f"messages[{i}].content must be a string or a list of content parts")
    return [_part(part, i) for part in content if not _is_refusal(part)]


def _is_refusal(part: Any) -> bool:
    return isinstance(part, dict) and part.get("type") == "refusal"


def _part(part: Any, i: int) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if not isinstance(part, dict):
        raise _bad(f"messages[{i}].content has a {type(part).__name__} part; parts must be dicts")
    kind = part.get("type")
    if kind == "text":
        block = {"type": "text", "text": part.get("text", "")}
        if "cache_control" in part:
            block["cache_control"] = part["cache_control"]
        return block
    if kind == "image_url":
        return _image(part, i)
    if kind == "file":
        return _document(part, i)
    if kind in _NATIVE_BLOCKS:
        return part
    raise _bad(
        f"messages[{i}] has a content part of type {kind!r}, which Anthropic does not take "
        "(use text, image_url, or file with a PDF)"
    )


def _data_url(url: str, i: int) -> tuple[str, str]:
    """(media type, base64 data) of a ``data:<type>;base64,<data>`` URL."""
    head, sep, data = url.partition(",")
    if not sep or not head.endswith(";base64"):
        raise _bad(f"messages[{i}]: data URLs must be base64 encoded (data:<type>;base64,<data>)")
    return head[5:-7], data


def _image(part: dict[str, Any], i: int) -> dict[str, Any]:
    ref = part.get("image_url")
    url = ref.get("url") if isinstance(ref, dict) else ref
    if not isinstance(url, str) or not url:
        raise _bad(f'messages[{i}]: an image_url part needs {{"image_url": {{"url": ...}}}}')
    if url.startswith("data:"):
        media_type, data = _data_url(url, i)
        source: dict[str, Any] = {"type": "base64", "media_type": media_type, "data": data}
    else:
        source = {"type": "url", "url": url}
    block: dict[str, Any] = {"type": "image", "source": source}
    if "cache_control" in part:
        block["cache_control"] = part["cache_control"]
    return block


def _document(part: dict[str, Any], i: int) -> dict[str, Any]:
    """An OpenAI ``file`` part → a ``document`` block: a PDF (base64 data URL, bare base64 or
    http(s) URL in ``file_data``) or plain text (``data:text/plain;base64,...``)."""
    file = part.get("file")
    if not isinstance(file, dict):
        raise _bad(f'messages[{i}]: a file part needs {{"file": {{"file_data": "data:application/pdf;base64,..."}}}}')
    data = file.get("file_data")
    if not isinstance(data, str) or not data:
        if file.get("file_id"):
            raise errors.UnsupportedParameterError(
                "file_id", _PROVIDER, "send the file inline as file_data (data:application/pdf;base64,...)"
            )
        raise _bad(f"messages[{i}]: a file part needs file_data")
    source: dict[str, Any]
    if data.startswith(("http://", "https://")):
        source = {"type": "url", "url": data}
    elif data.startswith("data:"):
        media_type, payload = _data_url(data, i)
        if media_type == "application/pdf":
            source = {"type": "base64", "media_type": media_type, "data": payload}
        elif media_type == "text/plain":
            try:
                text = base64.b64decode(payload, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise _bad(f"messages[{i}]: text/plain file_data is not base64 UTF-8 text") from None
            source = {"type": "text", "media_type": "text/plain", "data": text}
        else:
            raise _bad(f"messages[{i}]: Anthropic documents are PDF or plain text, not {media_type!r}")
    else:
        source = {"type": "base64", "media_type": "application/pdf", "data": data}
    block: dict[str, Any] = {"type": "document", "source": source}
    if file.get("filename"):
        block["title"] = file["filename"]
    if "cache_control" in part:
        block["cache_control"] = part["cache_control"]
    return block


def _assistant_blocks(msg: dict[str, Any], i: int) -> list[dict[str, Any]]:
    """Thinking blocks first (signed, as received), then text, then tool_use blocks."""
    thinking = [_thinking_block(b, i) for b in msg.get("thinking_blocks") or () if isinstance(b, dict)]
    rest: list[dict[str, Any]] = []
    for block in _content_blocks(msg.get("content"), i):
        (thinking if block.get("type") in _THINKING_TYPES else rest).append(block)
    return thinking + rest + [_tool_use(call, i) for call in msg.get("tool_calls") or ()]


def _thinking_block(block: dict[str, Any], i: int) -> dict[str, Any]:
    if block.get("type") == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.get("data", "")}
    if block.get("type") == "thinking" and isinstance(block.get("signature"), str):
        return {"type": "thinking", "thinking": block.get("thinking", ""), "signature": block["signature"]}
    raise _bad(f"messages[{i}].thinking_blocks holds a block without a signature; send them back as received")


def _tool_use(call: Any, i: int) -> dict[str, Any]:
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict) or not fn.get("name") or not call.get("id"):
        raise _bad(f"messages[{i}].tool_calls entries need an id and a function name")
    args = fn.get("arguments") or "{}"
    try:
        parsed = json.loads(args) if isinstance(args, str) else args
    except ValueError:
        raise _bad(f"messages[{i}]: the arguments of tool call {call['id']!r} are not valid JSON") from None
    if not isinstance(parsed, dict):
        raise _bad(f"messages[{i}]: the arguments of tool call {call['id']!r} must be a JSON object")
    return {"type": "tool_use", "id": call["id"], "name": fn["name"], "input": parsed}


def _tool_result(msg: dict[str, Any], i: int) -> dict[str, Any]:
    call_id = msg.get("tool_call_id")
    if not call_id:
        raise _bad(f"messages[{i}] is a tool result without tool_call_id")
    content = msg.get("content")
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call_id}
    if isinstance(content, list):
        block["content"] = _content_blocks(content, i)
    elif content is not None:
        block["content"] = content if isinstance(content, str) else json.dumps(content)
    if msg.get("is_error") is not None:
        block["is_error"] = bool(msg["is_error"])
    return block


# -- tools ----------------------------------------------------------------------------------------


def convert_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI function tools → ``{name, description, input_schema}``; Anthropic-native tool dicts
    (server tools such as web search) pass through unchanged."""
    out = []
    for tool in tools:
        fn = tool.get("function")
        if tool.get("type", "function") != "function" or not isinstance(fn, dict):
            out.append(tool)
            continue
        schema = dict(fn.get("parameters") or {})
        schema.setdefault("type", "object")
        if schema["type"] == "object":
            schema.setdefault("properties", {})
        converted: dict[str, Any] = {"name": fn["name"], "input_schema": schema}
        if fn.get("description"):
            converted["description"] = fn["description"]
        if fn.get("strict") is not None:
            converted["strict"] = bool(fn["strict"])
        if "cache_control" in tool:
            converted["cache_control"] = tool["cache_control"]
        out.append(converted)
    return out


def convert_tool_choice(tool_choice: str | dict[str, Any] | None, parallel: bool | None) -> dict[str, Any] | None:
    """auto/required/none/a named function → auto/any/none/tool; ``parallel_tool_calls=False`` →
    ``disable_parallel_tool_use``."""
    choice: dict[str, Any] | None
    if tool_choice is None:
        choice = None
    elif tool_choice in ("auto", "none"):
        choice = {"type": tool_choice}
    elif tool_choice in ("required", "any"):
        choice = {"type": "any"}
    elif isinstance(tool_choice, dict):
        fn = tool_choice.get("function")
        if tool_choice.get("type") == "function" and isinstance(fn, dict) and fn.get("name"):
            choice = {"type": "tool", "name": fn["name"]}
        elif tool_choice.get("type") in ("auto", "any", "tool", "none"):
            choice = dict(tool_choice)  # already Anthropic-shaped
        else:
            raise _bad(
                f"tool_choice {tool_choice!r} is not understood; use "
                '{"type": "function", "function": {"name": ...}}'
            )
    else:
        raise _bad(f'tool_choice must be "auto", "none", "required" or a dict naming a tool, got {tool_choice!r}')
    if parallel is False:
        if choice is None:
            choice = {"type": "auto"}
        if choice["type"] != "none":
            choice["disable_parallel_tool_use"] = True
    return choice


# -- structured output ----------------------------------------------------------------------------

# Keywords the structured-output grammar does not enforce: moved into the description (as the
# official SDKs do), so the model still sees them and validation on our side still checks them.
_UNSUPPORTED_KEYWORDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "propertyNames",
)
_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"})


def output_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` that the ``output_config.format`` grammar accepts: every object closed
    (``additionalProperties: false``), ``oneOf`` as ``anyOf``, unsupported constraints described."""
    schema = copy.deepcopy(schema)
    _tighten(schema)
    return schema


def _tighten(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _tighten(item)
        return
    if not isinstance(node, dict):
        return
    if "oneOf" in node and "anyOf" not in node:
        node["anyOf"] = node.pop("oneOf")
    if node.get("type") == "object" or "properties" in node:
        node["additionalProperties"] = False
    notes = [f"{k}: {node.pop(k)}" for k in _UNSUPPORTED_KEYWORDS if k in node]
    if node.get("format") is not None and node["format"] not in _FORMATS:
        notes.append(f"format: {node.pop('format')}")
    if isinstance(node.get("minItems"), int) and node["minItems"] > 1:
        notes.append(f"minItems: {node.pop('minItems')}")
    if notes:
        desc = node.get("description")
        node["description"] = (f"{desc}\n\n" if desc else "") + "{" + ", ".join(notes) + "}"
    for key, value in node.items():
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            for sub in value.values():
                _tighten(sub)
        elif key in ("items", "anyOf", "allOf", "prefixItems", "not", "additionalProperties"):
            _tighten(value)
