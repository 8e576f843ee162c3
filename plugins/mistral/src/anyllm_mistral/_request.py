"""OpenAI-shaped request pieces → Mistral's ``ChatCompletionRequest`` pieces (pure functions).

Mistral's request schema sets ``additionalProperties: false`` on every object, so each message, content
part, tool and tool choice is rebuilt from the fields Mistral defines rather than forwarded: an
OpenAI-only field (``name`` on a user message, ``refusal`` on an assistant turn...) would get a 422.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Mapping
from typing import Any

from any_llm import errors

__all__ = [
    "convert_messages",
    "convert_response_format",
    "convert_tool_choice",
    "convert_tools",
    "mistral_tool_call_id",
]

PROVIDER = "mistral"
_TOOL_CALL_ID = re.compile(r"[a-zA-Z0-9]{9}")
_BASE62 = string.digits + string.ascii_letters
_IMAGE_DETAILS = frozenset({"low", "auto", "high"})
# Content-part types Mistral defines that have no OpenAI counterpart: sent verbatim.
_NATIVE_PARTS = frozenset({"document_url", "reference", "thinking"})


def mistral_tool_call_id(call_id: str) -> str:
    """The id as Mistral accepts it: exactly 9 characters of ``[a-zA-Z0-9]``.

    Valid ids pass unchanged; any other id (``call_abc…`` from another provider) maps to 9 base-62
    digits of its SHA-256, so an assistant ``tool_calls[].id`` and the ``tool_call_id`` answering it
    map to the same value in every request of a conversation.
    """
    if _TOOL_CALL_ID.fullmatch(call_id):
        return call_id
    number = int.from_bytes(hashlib.sha256(call_id.encode()).digest()[:8], "big")
    digits = []
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(digits)


def _unsupported(what: str, hint: str) -> errors.UnsupportedParameterError:
    return errors.UnsupportedParameterError(what, PROVIDER, hint)


def _text_of(part: Mapping[str, Any], where: str) -> str:
    text = part.get("text")
    if not isinstance(text, str):
        raise errors.ConfigurationError(f'{where}: a text part needs "text" as a string, got {text!r}')
    return text


def _convert_part(part: Any, where: str) -> dict[str, Any]:
    """One OpenAI content part → Mistral's ContentChunk."""
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if not isinstance(part, Mapping):
        raise errors.ConfigurationError(f"{where} is a {type(part).__name__}; content parts are dicts")
    kind = part.get("type")
    if kind == "text":
        return {"type": "text", "text": _text_of(part, where)}
    if kind == "refusal" and isinstance(part.get("refusal"), str):
        return {"type": "text", "text": part["refusal"]}
    if kind == "image_url":
        image = part.get("image_url")
        if isinstance(image, str):
            return {"type": "image_url", "image_url": image}
        if not isinstance(image, Mapping) or not isinstance(image.get("url"), str):
            raise errors.ConfigurationError(f'{where}: an image_url part needs {{"image_url": {{"url": ...}}}}')
        out: dict[str, Any] = {"url": image["url"]}
        if image.get("detail") in _IMAGE_DETAILS:
            out["detail"] = image["detail"]
        return {"type": "image_url", "image_url": out}
    if kind == "input_audio":
        audio = part.get("input_audio")
        data = audio.get("data") if isinstance(audio, Mapping) else audio
        if not isinstance(data, str):
            raise errors.ConfigurationError(f'{where}: an input_audio part needs base64 "data"')
        return {"type": "input_audio", "input_audio": data}
    if kind == "file":
        file = part.get("file")
        file_id = file.get("file_id") if isinstance(file, Mapping) else part.get("file_id")
        if isinstance(file_id, str):
            return {"type": "file", "file_id": file_id}
        raise _unsupported(
            f"{where} (inline file data)", "Mistral takes files by id (upload first) or as a document_url part"
        )
    if kind in _NATIVE_PARTS:
        return dict(part)
    raise _unsupported(
        f"{where} (content part type {kind!r})",
        "Mistral accepts text, image_url, input_audio, file, document_url and thinking parts",
    )


def _convert_content(content: Any, where: str) -> Any:
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        return [_convert_part(part, f"{where}[{i}]") for i, part in enumerate(content)]
    raise errors.ConfigurationError(
        f"{where} must be a string or a list of content parts, got {type(content).__name__}"
    )


def _system_content(content: Any, where: str) -> Any:
    converted = _convert_content(content, where)
    if isinstance(converted, list):
        for i, part in enumerate(converted):
            if part["type"] not in ("text", "thinking"):
                raise _unsupported(
                    f"{where}[{i}] (a {part['type']} part in a system message)",
                    "Mistral system messages take only text",
                )
    return converted


def _reasoning_chunk(reasoning: Any) -> dict[str, Any] | None:
    """Our ``message.reasoning`` as Mistral's ThinkChunk (Mistral asks for it back on later turns)."""
    if isinstance(reasoning, Mapping):
        text, signature = reasoning.get("content"), reasoning.get("signature")
    else:
        text, signature = getattr(reasoning, "content", None), getattr(reasoning, "signature", None)
    if not isinstance(text, str) or not text:
        return None
    chunk: dict[str, Any] = {"type": "thinking", "thinking": [{"type": "text", "text": text}]}
    if isinstance(signature, str) and signature:
        chunk["signature"] = signature
    return chunk


def _convert_tool_call(call: Any, where: str) -> dict[str, Any]:
    if not isinstance(call, Mapping) or not isinstance(call.get("function"), Mapping):
        raise errors.ConfigurationError(
            f'{where} must look like {{"id": ..., "function": {{"name": ..., "arguments": ...}}}}'
        )
    fn = call["function"]
    arguments = fn.get("arguments", "{}")
    if not isinstance(arguments, (str, Mapping)):
        raise errors.ConfigurationError(f"{where}.function.arguments must be a JSON string, got {arguments!r}")
    out: dict[str, Any] = {"type": "function", "function": {"name": fn.get("name"), "arguments": arguments}}
    if isinstance(call.get("id"), str):
        out["id"] = mistral_tool_call_id(call["id"])
    return out


def convert_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI-shaped messages → Mistral's SystemMessage/UserMessage/AssistantMessage/ToolMessage."""
    out: list[dict[str, Any]] = []
    call_names: dict[str, str] = {}
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        role = message.get("role")
        if role in ("system", "developer"):
            out.append({"role": "system", "content": _system_content(message.get("content"), f"{where}.content")})
        elif role == "user":
            out.append({"role": "user", "content": _convert_content(message.get("content"), f"{where}.content")})
        elif role == "assistant":
            out.append(_convert_assistant(message, where, call_names))
        elif role == "tool":
            out.append(_convert_tool_message(message, where, call_names))
        else:
            raise _unsupported(f"{where}.role={role!r}", "use tool_calls on the assistant turn and role 'tool' replies")
    return out


def _convert_assistant(message: dict[str, Any], where: str, call_names: dict[str, str]) -> dict[str, Any]:
    if message.get("function_call"):
        raise _unsupported(f"{where}.function_call", "send tool_calls instead of the legacy function_call")
    content = _convert_content(message.get("content"), f"{where}.content")
    out: dict[str, Any] = {"role": "assistant"}
    think = _reasoning_chunk(message.get("reasoning"))
    if think is not None:
        text_parts = content if isinstance(content, list) else ([{"type": "text", "text": content}] if content else [])
        content = [think, *text_parts]
    calls = message.get("tool_calls")
    if calls:
        converted = []
        for j, call in enumerate(calls):
            converted.append(_convert_tool_call(call, f"{where}.tool_calls[{j}]"))
            name = call["function"].get("name")
            if isinstance(call.get("id"), str) and isinstance(name, str):
                call_names[call["id"]] = name
        out["content"] = "" if content is None else content
        out["tool_calls"] = converted
    else:
        out["content"] = content
    if isinstance(message.get("prefix"), bool):
        out["prefix"] = message["prefix"]
    return out


def _convert_tool_message(message: dict[str, Any], where: str, call_names: dict[str, str]) -> dict[str, Any]:
    content = message.get("content")
    if content is not None and not isinstance(content, (str, list)):
        content = json.dumps(content)  # a tool returned a dict: send its JSON text
    out: dict[str, Any] = {"role": "tool", "content": _convert_content(content, f"{where}.content")}
    call_id = message.get("tool_call_id")
    if isinstance(call_id, str):
        out["tool_call_id"] = mistral_tool_call_id(call_id)
    name = message.get("name") or (call_names.get(call_id) if isinstance(call_id, str) else None)
    if isinstance(name, str):
        out["name"] = name
    return out


def convert_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI function tools → Mistral ``Tool`` (``parameters`` is required there, so an absent one is empty)."""
    out = []
    for i, tool in enumerate(tools):
        kind = tool.get("type", "function")
        if kind != "function":
            raise _unsupported(f"tools[{i}] (type {kind!r})", "Mistral chat completions take function tools only")
        fn = tool["function"]
        function: dict[str, Any] = {
            "name": fn["name"],
            "parameters": fn.get("parameters") or {"type": "object", "properties": {}},
        }
        if isinstance(fn.get("description"), str):
            function["description"] = fn["description"]
        if isinstance(fn.get("strict"), bool):
            function["strict"] = fn["strict"]
        out.append({"type": "function", "function": function})
    return out


_TOOL_CHOICE_HINT = (
    "Mistral accepts 'auto', 'none', 'any', 'required' or {'type': 'function', 'function': {'name': ...}}"
)


def convert_tool_choice(choice: str | dict[str, Any]) -> str | dict[str, Any]:
    """OpenAI's tool_choice → Mistral's: "required" is Mistral's "any" (the form every Mistral release accepts)."""
    if isinstance(choice, str):
        if choice == "required":
            return "any"
        if choice in ("auto", "none", "any"):
            return choice
        raise _unsupported(f"tool_choice={choice!r}", _TOOL_CHOICE_HINT)
    fn = choice.get("function")
    if choice.get("type", "function") == "function" and isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
        return {"type": "function", "function": {"name": fn["name"]}}
    raise _unsupported(f"tool_choice={choice!r}", _TOOL_CHOICE_HINT)


def convert_response_format(response_format: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's response_format → Mistral's ResponseFormat (json_schema has the same four fields)."""
    kind = response_format.get("type")
    if kind in ("text", "json_object"):
        return {"type": kind}
    if kind == "json_schema":
        spec = response_format["json_schema"]
        schema = {k: spec[k] for k in ("name", "description", "schema", "strict") if spec.get(k) is not None}
        return {"type": "json_schema", "json_schema": schema}
    raise _unsupported(f"response_format type {kind!r}", "Mistral accepts text, json_object and json_schema")
