"""``response_format`` → the OpenAI wire form, and completions → ``ParsedChatCompletion``.

A pydantic model or dataclass becomes a strict JSON schema (every property required, no extra
properties) so providers that enforce schemas can; the answer is validated back into that type.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from any_llm import errors

__all__ = ["normalize_response_format", "parse_structured", "strict_schema"]


def normalize_response_format(response_format: Any) -> tuple[dict[str, Any] | None, type | None]:
    """(wire form, output type). Raises ConfigurationError for anything else."""
    if response_format is None:
        return None, None
    if isinstance(response_format, dict):
        kind = response_format.get("type")
        if kind in ("text", "json_object"):
            return response_format, None
        if kind == "json_schema":
            spec = response_format.get("json_schema")
            if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict) or not spec.get("name"):
                raise errors.ConfigurationError(
                    'response_format json_schema needs {"type": "json_schema", "json_schema": '
                    '{"name": ..., "schema": {...}}}'
                )
            return response_format, None
        raise errors.ConfigurationError(
            f"response_format type {kind!r} is unknown; use 'text', 'json_object', 'json_schema', "
            "or pass a pydantic model class or dataclass"
        )
    if isinstance(response_format, type) and (
        _is_pydantic(response_format) or dataclasses.is_dataclass(response_format)
    ):
        schema = strict_schema(_json_schema(response_format))
        return {
            "type": "json_schema",
            "json_schema": {"name": _schema_name(response_format), "schema": schema, "strict": True},
        }, response_format
    raise errors.ConfigurationError(
        f"response_format must be a dict, a pydantic model class or a dataclass, got {response_format!r}"
    )


def _is_pydantic(tp: type) -> bool:
    from pydantic import BaseModel

    return issubclass(tp, BaseModel)


def _json_schema(tp: type) -> dict[str, Any]:
    from pydantic import BaseModel, TypeAdapter

    if issubclass(tp, BaseModel):
        return tp.model_json_schema()
    return TypeAdapter(tp).json_schema()


def _schema_name(tp: type) -> str:
    import re

    return re.sub(r"[^a-zA-Z0-9_-]", "_", tp.__name__)[:64] or "output"


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy where every object lists all its properties as required and allows no others."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" or "properties" in node:
                props = node.get("properties", {})
                node["required"] = list(props)
                node.setdefault("additionalProperties", False)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return schema


def parse_structured(completion: Any, output_type: type, provider: str) -> Any:
    """Turn a ChatCompletion into a ParsedChatCompletion with ``.parsed`` filled on every choice."""
    from pydantic import TypeAdapter, ValidationError

    from any_llm.types.completion import ParsedChatCompletion

    adapter: TypeAdapter[Any] = TypeAdapter(output_type)
    data = completion.model_dump()
    for choice in data["choices"]:
        message = choice["message"]
        finish = choice.get("finish_reason")
        if finish == "length":
            raise errors.LengthFinishReasonError(
                "the answer was cut at the token limit, so its JSON is incomplete; raise max_tokens",
                completion=completion,
                provider=provider,
            )
        if finish == "content_filter":
            raise errors.ContentFilterFinishReasonError(
                "the provider's content filter stopped the answer", completion=completion, provider=provider
            )
        content = message.get("content")
        if message.get("refusal") or content is None:
            message["parsed"] = None
            continue
        try:
            message["parsed"] = adapter.validate_json(content)
        except ValidationError as exc:
            raise errors.StructuredOutputError(
                f"the answer is not valid {output_type.__name__} JSON: {_short(exc)}; raw content: {content[:500]!r}",
                raw=content,
                completion=completion,
                provider=provider,
            ) from None
    parsed: ParsedChatCompletion[Any] = ParsedChatCompletion.model_validate(data)
    # validation of Any keeps the object; re-attach exact instances (model_validate may copy)
    for choice, raw in zip(parsed.choices, data["choices"], strict=False):
        choice.message.parsed = raw["message"]["parsed"]
    return parsed


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()
    return "; ".join(t.strip() for t in text[:3])
