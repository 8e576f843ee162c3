"""OpenAI-shaped chat parameters → a Bedrock Converse request body.

Converse wants strictly alternating user/assistant turns, the system prompt apart, images and
documents as base64 bytes (or S3 URIs), tool results as ``toolResult`` blocks in a user turn, and
signed reasoning blocks replayed unchanged. Each mapping choice is written where it is made.
"""

from __future__ import annotations

import json
import re
from typing import Any

from any_llm import errors
from any_llm.provider import CompletionParams

PROVIDER = "bedrock"
JSON_TOOL = "json_response"
"""The tool a ``json_object`` response format is forced through (Converse has no JSON mode)."""
THINKING_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384, "xhigh": 32768}
"""Claude's thinking budget_tokens per reasoning_effort, as the anthropic plugin maps them."""
DEFAULT_MAX_TOKENS = 4096
_IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}
_DOC_FORMATS = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/html": "html",
    "text/plain": "txt",
    "text/markdown": "md",
}
_DOC_NAME = re.compile(r"[^A-Za-z0-9\s\-()\[\]]+")


def _bad(message: str) -> errors.ConfigurationError:
    return errors.ConfigurationError(message, provider=PROVIDER)


def is_claude(model: str) -> bool:
    return "anthropic." in model or "claude" in model


def build_body(params: CompletionParams) -> dict[str, Any]:
    """The Converse / ConverseStream body (the model id goes in the URL)."""
    system, messages = convert_messages(params.messages)
    body: dict[str, Any] = {"messages": messages}
    if system:
        body["system"] = system
    inference: dict[str, Any] = {}
    limit = params.max_completion_tokens or params.max_tokens
    if limit is not None:
        inference["maxTokens"] = limit
    if params.temperature is not None:
        inference["temperature"] = params.temperature
    if params.top_p is not None:
        inference["topP"] = params.top_p
    if params.stop is not None:
        inference["stopSequences"] = params.stop_sequences
    additional: dict[str, Any] = {}
    effort = params.reasoning_effort
    if effort not in (None, "auto", "none"):
        if is_claude(params.model):
            budget = THINKING_BUDGETS.get(str(effort), 4096)
            additional["thinking"] = {"type": "enabled", "budget_tokens": budget}
            # Claude needs room for the answer above the budget: the caller's limit is the answer's
            inference["maxTokens"] = budget + (limit or DEFAULT_MAX_TOKENS)
        else:  # gpt-oss and others take OpenAI's field through the model-specific passthrough
            additional["reasoning_effort"] = effort
    if inference:
        body["inferenceConfig"] = inference
    tools = [convert_tool(t) for t in params.tools or ()]
    choice = convert_tool_choice(params.tool_choice) if params.tools else None
    rf = params.response_format
    if rf and rf.get("type") == "json_schema":
        spec = rf.get("json_schema") or {}
        schema = {
            "schema": json.dumps(spec.get("schema", {}), separators=(",", ":")),
            "name": spec.get("name", "response"),
        }
        if spec.get("description"):
            schema["description"] = spec["description"]
        body["outputConfig"] = {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": schema}}}
    elif rf and rf.get("type") == "json_object":
        tools.append(
            {
                "toolSpec": {
                    "name": JSON_TOOL,
                    "description": "Answer with a JSON object.",
                    "inputSchema": {"json": {"type": "object"}},
                }
            }
        )
        choice = {"tool": {"name": JSON_TOOL}}
    if tools or _has_tool_blocks(messages):
        config: dict[str, Any] = {"tools": tools or [_placeholder_tool()]}
        if choice is not None:
            config["toolChoice"] = choice
        body["toolConfig"] = config
    if params.service_tier is not None:
        body["serviceTier"] = {"type": params.service_tier}
    if params.user is not None:
        body["requestMetadata"] = {"user": params.user}  # shows in Bedrock's model invocation logs
    if additional:
        body["additionalModelRequestFields"] = additional
    for key, value in params.extra.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


def _has_tool_blocks(messages: list[dict[str, Any]]) -> bool:
    return any("toolUse" in b or "toolResult" in b for m in messages for b in m["content"])


def _placeholder_tool() -> dict[str, Any]:
    """Converse refuses toolUse/toolResult blocks without a toolConfig; a history replayed without
    tools still needs one."""
    return {"toolSpec": {"name": "unused", "inputSchema": {"json": {"type": "object", "properties": {}}}}}


def convert_tool(tool: dict[str, Any]) -> dict[str, Any]:
    fn = tool.get("function") if isinstance(tool, dict) else None
    if tool.get("type") != "function" or not isinstance(fn, dict) or not fn.get("name"):
        raise _bad(f"tools must be OpenAI function tools with a name, got {tool!r:.200}")
    spec: dict[str, Any] = {
        "name": fn["name"],
        "inputSchema": {"json": fn.get("parameters") or {"type": "object", "properties": {}}},
    }
    if fn.get("description"):
        spec["description"] = fn["description"]
    if fn.get("strict") is not None:
        spec["strict"] = bool(fn["strict"])
    return {"toolSpec": spec}


def convert_tool_choice(choice: Any) -> dict[str, Any] | None:
    if choice is None or choice == "auto":
        return {"auto": {}} if choice == "auto" else None
    if choice == "required":
        return {"any": {}}
    if choice == "none":
        raise errors.UnsupportedParameterError(
            "tool_choice",
            PROVIDER,
            "Converse cannot forbid tool use; leave the tools out instead of tool_choice='none'",
        )
    if isinstance(choice, dict):
        fn = choice.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            return {"tool": {"name": fn["name"]}}
    raise _bad(f"tool_choice must be 'auto', 'required' or a named function, got {choice!r}")


# -- messages -------------------------------------------------------------------------------------


def convert_messages(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(system blocks, alternating user/assistant messages); consecutive same-role turns merged."""
    system: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for i, msg in enumerate(messages):
        role = msg.get("role")
        if role in ("system", "developer"):
            for block in _content(msg.get("content"), i):
                if "text" not in block and "cachePoint" not in block:
                    raise _bad(f"messages[{i}]: a system message takes text (and cache points) only")
                system.append(block)
            continue
        if role == "user":
            blocks = _content(msg.get("content"), i)
            turn = "user"
        elif role == "assistant":
            blocks = _assistant(msg, i)
            turn = "assistant"
        elif role == "tool":
            blocks = [_tool_result(msg, i)]
            turn = "user"
        else:
            raise _bad(f"messages[{i}] has role {role!r}; Bedrock takes system, user, assistant and tool")
        if not blocks:
            continue
        if out and out[-1]["role"] == turn:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": turn, "content": blocks})
    return system, out


def _content(content: Any, i: int) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if not isinstance(content, list):
        raise _bad(f"messages[{i}].content must be a string or a list of content parts")
    return [_part(part, i) for part in content]


def _part(part: Any, i: int) -> dict[str, Any]:
    if isinstance(part, str):
        return {"text": part}
    if not isinstance(part, dict):
        raise _bad(f"messages[{i}].content has a {type(part).__name__} part; parts must be dicts")
    kind = part.get("type")
    if kind == "text":
        return {"text": part.get("text", "")}
    if kind == "image_url":
        return _image(part, i)
    if kind == "file":
        return _document(part, i)
    if kind == "cache_point" or "cachePoint" in part:
        return {"cachePoint": part.get("cachePoint", {"type": "default"})}
    raise _bad(f"messages[{i}] has a content part of type {kind!r}; Bedrock takes text, image_url and file")


def _data_url(url: str, i: int) -> tuple[str, str]:
    head, sep, data = url.partition(",")
    if not sep or not head.endswith(";base64"):
        raise _bad(f"messages[{i}]: data URLs must be base64 encoded (data:<type>;base64,<data>)")
    return head[5:-7].lower(), data


def _image(part: dict[str, Any], i: int) -> dict[str, Any]:
    ref = part.get("image_url")
    url = ref.get("url") if isinstance(ref, dict) else ref
    if not isinstance(url, str) or not url:
        raise _bad(f'messages[{i}]: an image_url part needs {{"image_url": {{"url": ...}}}}')
    if url.startswith("s3://"):
        fmt = _IMAGE_FORMATS.get(f"image/{url.rpartition('.')[2].lower()}")
        if fmt is None:
            raise _bad(f"messages[{i}]: cannot tell the image format of {url!r} (png, jpeg, gif, webp)")
        return {"image": {"format": fmt, "source": {"s3Location": {"uri": url}}}}
    if not url.startswith("data:"):
        raise _bad(f"messages[{i}]: Bedrock takes images inline (a data: URL) or from S3 (s3://...), not {url[:40]!r}")
    media, data = _data_url(url, i)
    fmt = _IMAGE_FORMATS.get(media)
    if fmt is None:
        raise _bad(f"messages[{i}]: Bedrock images are png, jpeg, gif or webp, not {media!r}")
    return {"image": {"format": fmt, "source": {"bytes": data}}}


def _document(part: dict[str, Any], i: int) -> dict[str, Any]:
    file = part.get("file")
    if not isinstance(file, dict) or not isinstance(file.get("file_data"), str):
        raise _bad(f'messages[{i}]: a file part needs {{"file": {{"file_data": "data:application/pdf;base64,..."}}}}')
    media, data = _data_url(file["file_data"], i)
    fmt = _DOC_FORMATS.get(media)
    if fmt is None:
        raise _bad(
            f"messages[{i}]: Bedrock documents are {', '.join(sorted(set(_DOC_FORMATS.values())))}, not {media!r}"
        )
    # Converse names must be letters, digits, spaces, hyphens, parentheses and brackets
    name = _DOC_NAME.sub(" ", str(file.get("filename") or f"document {i}").rsplit(".", 1)[0]).strip() or "document"
    return {"document": {"format": fmt, "name": name[:200], "source": {"bytes": data}}}


def _assistant(msg: dict[str, Any], i: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for block in msg.get("thinking_blocks") or ():  # signed reasoning first, replayed as received
        if not isinstance(block, dict):
            continue
        if block.get("type") == "thinking" and isinstance(block.get("signature"), str):
            text = {"text": block.get("thinking", ""), "signature": block["signature"]}
            blocks.append({"reasoningContent": {"reasoningText": text}})
        elif block.get("type") == "redacted_thinking":
            blocks.append({"reasoningContent": {"redactedContent": block.get("data", "")}})
    content = msg.get("content")
    if isinstance(content, str):
        if content:
            blocks.append({"text": content})
    elif content is not None:
        blocks.extend(_part(p, i) for p in content if not (isinstance(p, dict) and p.get("type") == "refusal"))
    for call in msg.get("tool_calls") or ():
        call = call if isinstance(call, dict) else call.model_dump()
        fn = call.get("function") or {}
        try:
            args = json.loads(fn.get("arguments") or "{}")
        except ValueError:
            raise _bad(f"messages[{i}]: tool call arguments are not JSON: {fn.get('arguments')!r:.100}") from None
        blocks.append({"toolUse": {"toolUseId": call.get("id", ""), "name": fn.get("name", ""), "input": args}})
    return blocks


def _tool_result(msg: dict[str, Any], i: int) -> dict[str, Any]:
    call_id = msg.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        raise _bad(f"messages[{i}]: a tool message needs the tool_call_id it answers")
    content = msg.get("content")
    parts: list[dict[str, Any]]
    if isinstance(content, str):
        parts = [{"text": content}]
    else:
        parts = [b for b in _content(content, i) if "text" in b or "image" in b or "document" in b]
    return {"toolResult": {"toolUseId": call_id, "content": parts or [{"text": ""}]}}
