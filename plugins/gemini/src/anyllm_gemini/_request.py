"""OpenAI-shaped :class:`CompletionParams` → a Gemini ``GenerateContentRequest`` body (pure functions).

Field names follow the v1beta REST surface (camelCase JSON of google/ai/generativelanguage/v1beta protos).
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
from typing import Any
from urllib.parse import quote, urlsplit

from any_llm import errors
from any_llm.provider import CompletionParams

__all__ = [
    "SKIP_SIGNATURE",
    "SYNTH_ID_PREFIX",
    "build_body",
    "convert_messages",
    "function_calling_config",
    "model_path",
    "schema_for_gemini",
    "thinking_config",
]

SYNTH_ID_PREFIX = "call_gemini_"
"""Tool-call ids we make up when Gemini sends none; they are never sent back as ``functionCall.id``."""

SKIP_SIGNATURE = "skip_thought_signature_validator"
"""Google's documented stand-in signature for function calls that have no real one (history from elsewhere)."""

THINKING_BUDGETS = {"minimal": 256, "low": 1024, "medium": 8192, "high": 24576, "xhigh": 32768}
"""Token budgets for Gemini 2.x (same numbers as any-llm, so behaviour matches)."""
THINKING_LEVELS = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH", "xhigh": "HIGH"}
"""``thinkingLevel`` for Gemini 3+, which recommends levels over budgets (and 2.x rejects levels)."""

_GEMINI_MAJOR = re.compile(r"^(?:models/)?gemini-(\d+)")


def model_path(model: str) -> str:
    """``models/<id>`` (or a ``tunedModels/…`` name as given), quoted for use in a URL path."""
    name = model.strip()
    if not name.startswith(("models/", "tunedModels/")):
        name = f"models/{name}"
    return quote(name, safe="/-._~")


def build_body(params: CompletionParams, provider: str) -> dict[str, Any]:
    contents, system_parts = convert_messages(params.messages)
    body: dict[str, Any] = {"contents": contents}
    if system_parts:
        body["systemInstruction"] = {"parts": system_parts}
    if params.tools:
        body["tools"] = [{"functionDeclarations": [_declaration(t, i, provider) for i, t in enumerate(params.tools)]}]
    if params.tool_choice is not None:
        body["toolConfig"] = {"functionCallingConfig": function_calling_config(params.tool_choice, provider)}
    config = _generation_config(params)
    if config:
        body["generationConfig"] = config
    for key, value in params.extra.items():
        # generationConfig from **kwargs (e.g. topK) merges with ours instead of replacing it
        if key == "generationConfig" and isinstance(value, dict):
            body.setdefault("generationConfig", {}).update(value)
        else:
            body[key] = value
    return body


# -- generation config ----------------------------------------------------------------------------


def _generation_config(params: CompletionParams) -> dict[str, Any]:
    cfg: dict[str, Any] = {}
    if params.temperature is not None:
        cfg["temperature"] = params.temperature
    if params.top_p is not None:
        cfg["topP"] = params.top_p
    limit = params.output_limit
    if limit is not None:
        cfg["maxOutputTokens"] = limit
    if params.stop is not None:
        cfg["stopSequences"] = params.stop_sequences
    if params.n is not None:
        cfg["candidateCount"] = params.n
    if params.seed is not None:
        cfg["seed"] = params.seed
    if params.presence_penalty is not None:
        cfg["presencePenalty"] = params.presence_penalty
    if params.frequency_penalty is not None:
        cfg["frequencyPenalty"] = params.frequency_penalty
    if params.logprobs is not None:
        cfg["responseLogprobs"] = params.logprobs
    if params.top_logprobs is not None:
        cfg["logprobs"] = params.top_logprobs
    fmt = params.response_format
    if fmt is not None and fmt.get("type") in ("json_object", "json_schema"):
        cfg["responseMimeType"] = "application/json"
        if fmt["type"] == "json_schema":
            cfg["responseJsonSchema"] = schema_for_gemini(fmt["json_schema"]["schema"])
    thinking = thinking_config(params.reasoning_effort, params.model)
    if thinking is not None:
        cfg["thinkingConfig"] = thinking
    return cfg


def thinking_config(effort: str | None, model: str) -> dict[str, Any] | None:
    """``reasoning_effort`` → ``thinkingConfig``; "auto" (or None) sends nothing, "none" a zero budget."""
    if effort is None or effort == "auto":
        return None
    if effort == "none":
        return {"thinkingBudget": 0}
    match = _GEMINI_MAJOR.match(model.strip())
    if match and int(match.group(1)) >= 3:
        return {"includeThoughts": True, "thinkingLevel": THINKING_LEVELS[effort]}
    return {"includeThoughts": True, "thinkingBudget": THINKING_BUDGETS[effort]}


def schema_for_gemini(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema as ``responseJsonSchema``/``parametersJsonSchema`` take it.

    Gemini documents that a sub-schema with ``$ref`` may carry no other keys except ``$``-keys, while
    pydantic puts ``description`` (and ``default``) next to ``$ref``; those siblings are dropped.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return {k: walk(v) for k, v in node.items() if k.startswith("$")}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(copy.deepcopy(schema))
    return result


# -- tools ----------------------------------------------------------------------------------------


def _declaration(tool: dict[str, Any], i: int, provider: str) -> dict[str, Any]:
    kind = tool.get("type", "function")
    if kind != "function":
        raise errors.UnsupportedParameterError(
            "tools", provider, f"tools[{i}] has type {kind!r}; Gemini takes function tools only"
        )
    fn = tool["function"]
    decl: dict[str, Any] = {"name": fn["name"]}
    if fn.get("description"):
        decl["description"] = fn["description"]
    schema = fn.get("parameters")
    if isinstance(schema, dict) and not _is_empty_object(schema):
        decl["parametersJsonSchema"] = schema_for_gemini(schema)
    return decl


def _is_empty_object(schema: dict[str, Any]) -> bool:
    """A no-argument function: Gemini wants the parameters left out rather than an empty object."""
    return not schema.get("properties") and set(schema) <= {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "title",
    }


def function_calling_config(choice: str | dict[str, Any], provider: str) -> dict[str, Any]:
    """OpenAI ``tool_choice`` → ``functionCallingConfig``: auto→AUTO, required→ANY, none→NONE, named→ANY+names."""
    if isinstance(choice, str):
        mode = {"auto": "AUTO", "required": "ANY", "none": "NONE"}.get(choice)
        if mode is None:
            raise errors.UnsupportedParameterError(
                "tool_choice", provider, f'{choice!r} is not one of "auto", "required", "none" or a named tool'
            )
        return {"mode": mode}
    kind = choice.get("type")
    if kind == "function":
        fn = choice.get("function")
        name = fn.get("name") if isinstance(fn, dict) else None
        if isinstance(name, str) and name:
            return {"mode": "ANY", "allowedFunctionNames": [name]}
    elif kind == "allowed_tools":
        allowed = choice.get("allowed_tools")
        allowed = allowed if isinstance(allowed, dict) else {}
        tools = allowed.get("tools") or []
        names = [
            t["function"]["name"]
            for t in tools
            if isinstance(t, dict) and isinstance(t.get("function"), dict) and t["function"].get("name")
        ]
        if tools and len(names) == len(tools):
            # ANY/VALIDATED are the modes that honour allowedFunctionNames; VALIDATED still allows text
            mode = "ANY" if allowed.get("mode") == "required" else "VALIDATED"
            return {"mode": mode, "allowedFunctionNames": names}
    raise errors.UnsupportedParameterError("tool_choice", provider, f"cannot express {choice!r} for Gemini")


# -- messages -------------------------------------------------------------------------------------


def convert_messages(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(contents, systemInstruction parts). Tool results become ``functionResponse`` parts of a user turn."""
    contents: list[dict[str, Any]] = []
    system_parts: list[dict[str, Any]] = []
    tool_names: dict[str, str] = {}  # tool_call id -> function name, from earlier assistant turns
    for i, message in enumerate(messages):
        role = message["role"]
        if role in ("system", "developer"):
            text = _text(message.get("content"), i)
            if text:
                system_parts.append({"text": text})
        elif role == "user":
            contents.append({"role": "user", "parts": _user_parts(message.get("content"), i)})
        elif role == "assistant":
            parts = _assistant_parts(message, i, tool_names)
            if parts:
                contents.append({"role": "model", "parts": parts})
        else:  # tool / function
            part = _function_response(message, i, tool_names)
            last = contents[-1] if contents else None
            if last and last["role"] == "user" and all("functionResponse" in p for p in last["parts"]):
                last["parts"].append(part)  # results of parallel calls share one turn
            else:
                contents.append({"role": "user", "parts": [part]})
    if not contents and system_parts:
        # a lone system prompt: Gemini requires contents, so it becomes the user's turn
        return [{"role": "user", "parts": system_parts}], []
    return contents, system_parts


def _text(content: Any, i: int) -> str:
    """Text of a message whose content is a string or a list of text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        pieces = []
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text":
                pieces.append(str(part.get("text", "")))
            elif isinstance(part, str):
                pieces.append(part)
            else:
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise errors.ConfigurationError(f"messages[{i}]: a {kind!r} part is only allowed in user messages")
        return "".join(pieces)
    raise errors.ConfigurationError(f"messages[{i}].content must be a string or a list of parts")


def _user_parts(content: Any, i: int) -> list[dict[str, Any]]:
    if content is None or isinstance(content, str):
        return [{"text": content or ""}]
    if not isinstance(content, list):
        raise errors.ConfigurationError(f"messages[{i}].content must be a string or a list of parts")
    parts: list[dict[str, Any]] = []
    for j, item in enumerate(content):
        kind = item.get("type") if isinstance(item, dict) else None
        where = f"messages[{i}].content[{j}]"
        if kind == "text":
            parts.append({"text": str(item.get("text", ""))})
        elif kind == "image_url":
            image = item.get("image_url")
            url = image.get("url") if isinstance(image, dict) else image
            if not isinstance(url, str) or not url:
                raise errors.ConfigurationError(f"{where}: image_url needs a url")
            parts.append(_media_part(url, where, "image/jpeg"))
        elif kind == "input_audio":
            audio = item.get("input_audio") or {}
            if not audio.get("data") or not audio.get("format"):
                raise errors.ConfigurationError(f"{where}: input_audio needs data and format")
            parts.append({"inlineData": {"mimeType": f"audio/{audio['format']}", "data": audio["data"]}})
        elif kind == "file":
            file = item.get("file") or {}
            ref = file.get("file_data") or file.get("file_id")
            if not isinstance(ref, str) or not ref:
                raise errors.ConfigurationError(f"{where}: file needs file_data or file_id")
            guess = mimetypes.guess_type(file.get("filename") or "")[0] or "application/octet-stream"
            parts.append(_media_part(ref, where, guess))
        else:
            raise errors.ConfigurationError(f"{where}: content part type {kind!r} is not supported by Gemini")
    return parts


def _media_part(url: str, where: str, default_mime: str) -> dict[str, Any]:
    """A data URL becomes ``inlineData`` (base64 kept as is); any other URI a ``fileData`` reference."""
    if url.startswith("data:"):
        header, sep, data = url[5:].partition(",")
        mime = header.split(";", 1)[0]
        if not sep or not header.endswith(";base64") or not mime or not data:
            raise errors.ConfigurationError(f"{where}: expected a data URL like data:image/png;base64,<data>")
        return {"inlineData": {"mimeType": mime, "data": data}}
    mime = mimetypes.guess_type(urlsplit(url).path)[0] or default_mime
    return {"fileData": {"mimeType": mime, "fileUri": url}}


def _signature(container: dict[str, Any]) -> str | None:
    """The thought signature we stored as ``extra_content.google.thought_signature`` (Google's OpenAI spelling)."""
    extra = container.get("extra_content")
    google = extra.get("google") if isinstance(extra, dict) else None
    sig = google.get("thought_signature") if isinstance(google, dict) else None
    return sig if isinstance(sig, str) and sig else None


def _assistant_parts(message: dict[str, Any], i: int, tool_names: dict[str, str]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    text = _text(message.get("content"), i)
    signature = _signature(message)
    if text or signature:
        part: dict[str, Any] = {"text": text}
        if signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    for k, call in enumerate(message.get("tool_calls") or ()):
        fn = call.get("function") or {}
        name = fn.get("name")
        if not name:
            raise errors.ConfigurationError(f"messages[{i}].tool_calls[{k}] has no function name")
        arguments = fn.get("arguments")
        try:
            args = json.loads(arguments) if isinstance(arguments, str) and arguments.strip() else (arguments or {})
        except ValueError:
            raise errors.ConfigurationError(
                f"messages[{i}].tool_calls[{k}].function.arguments is not valid JSON: {str(arguments)[:200]!r}"
            ) from None
        if not isinstance(args, dict):
            raise errors.ConfigurationError(f"messages[{i}].tool_calls[{k}]: Gemini needs arguments as a JSON object")
        function_call: dict[str, Any] = {"name": name, "args": args}
        call_id = call.get("id")
        if isinstance(call_id, str) and call_id:
            tool_names[call_id] = name
            if not call_id.startswith(SYNTH_ID_PREFIX):
                function_call["id"] = call_id
        call_part: dict[str, Any] = {"functionCall": function_call}
        sig = _signature(call) or (SKIP_SIGNATURE if k == 0 else None)
        if sig:
            call_part["thoughtSignature"] = sig
        parts.append(call_part)
    return parts


def _function_response(message: dict[str, Any], i: int, tool_names: dict[str, str]) -> dict[str, Any]:
    call_id = message.get("tool_call_id")
    name = message.get("name") or (tool_names.get(call_id) if isinstance(call_id, str) else None)
    if not name:
        raise errors.ConfigurationError(
            f"messages[{i}] (role {message['role']!r}) has tool_call_id {call_id!r}, which matches no tool call of "
            "an earlier assistant message; Gemini needs the function name, so include that assistant message "
            "(or give the tool message a 'name')"
        )
    content = message.get("content")
    if isinstance(content, dict):
        value: Any = content
    else:
        text = _text(content, i)
        try:
            value = json.loads(text)
        except ValueError:
            value = text
    response: dict[str, Any] = {"name": name, "response": value if isinstance(value, dict) else {"result": value}}
    if isinstance(call_id, str) and call_id and not call_id.startswith(SYNTH_ID_PREFIX):
        response["id"] = call_id
    return {"functionResponse": response}
