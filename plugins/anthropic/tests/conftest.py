"""Shared fixtures: the trimmed Anthropic spec made exact (and current), MockServer, client cleanup.

``spec/anthropic-messages.json`` is a verbatim trim of the community-curated OpenAPI 3.0 file
(see spec/README.md). :func:`extend_spec` turns it into strict JSON Schema and brings it up to the
official SDK's types (anthropics/anthropic-sdk-python 0.121.0, commit 009b035, ``src/anthropic/types/``);
each extension names the SDK file it comes from.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from any_llm.testing.schema import schema_errors
from any_llm.testing.server import MockServer

SPEC = Path(__file__).parent / "spec" / "anthropic-messages.json"
EXAMPLES = Path(__file__).parent / "spec" / "examples.json"
KEY = "test-key-123456"

_NULLABLE_INT = {"type": ["integer", "null"]}
_CACHE = {"$ref": "#/components/schemas/CacheControlEphemeral"}


def _openapi30_to_jsonschema(node: Any) -> None:
    """``nullable: true`` → a type union; a discriminator ``mapping`` → a ``const`` in each variant
    (without it, oneOf is ambiguous, e.g. a tool_use block also matches ServerToolUseBlock)."""
    if isinstance(node, list):
        for item in node:
            _openapi30_to_jsonschema(item)
        return
    if not isinstance(node, dict):
        return
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        if isinstance(node.get("enum"), list):
            node["enum"] = [*node["enum"], None]
    for value in node.values():
        _openapi30_to_jsonschema(value)


def _discriminators(schemas: dict[str, Any]) -> None:
    for schema in schemas.values():
        disc = schema.get("discriminator")
        if not isinstance(disc, dict):
            continue
        prop = disc["propertyName"]
        for value, ref in disc.get("mapping", {}).items():
            target = schemas[ref.rsplit("/", 1)[1]]
            target.setdefault("properties", {})[prop] = {"const": value}
            if ref.endswith("/ToolCustom"):
                continue  # ToolParam.type is Optional[Literal["custom"]] (tool_param.py)
            if prop not in target.setdefault("required", []):
                target["required"].append(prop)


def _close(schema: dict[str, Any], *extra: str, **props: Any) -> None:
    """Add SDK-only properties, then forbid anything else, so a stray key fails validation."""
    schema.setdefault("properties", {})
    for name in extra:
        schema["properties"].setdefault(name, {})
    schema["properties"].update(props)
    schema["additionalProperties"] = False


def extend_spec(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    s = spec["components"]["schemas"]
    _openapi30_to_jsonschema(s)
    _discriminators(s)
    # message_create_params.py: system is str | list of TextBlockParam (the curated file also says type: string)
    s["CreateMessageRequest"]["properties"]["system"].pop("type")
    # output_config_param.py + json_output_format_param.py (GA structured output), service_tier, the rest of the body
    s["OutputConfig"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "effort": {"enum": ["low", "medium", "high", "xhigh", "max", None]},
            "format": {
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["type", "schema"],
                        "properties": {"type": {"const": "json_schema"}, "schema": {"type": "object"}},
                    },
                ]
            },
        },
    }
    _close(
        s["CreateMessageRequest"],
        "cache_control",
        "container",
        "inference_geo",
        "user_profile_id",
        output_config={"$ref": "#/components/schemas/OutputConfig"},
        service_tier={"enum": ["auto", "standard_only"]},
    )
    # metadata_param.py: user_id is Optional[str]
    _close(s["CreateMessageRequestMetadata"], user_id={"type": ["string", "null"]})
    # thinking_config_adaptive_param.py
    s["ThinkingConfig"]["oneOf"].append(
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {"type": {"const": "adaptive"}, "display": {}},
        }
    )
    _close(s["ThinkingConfigEnabled"], "display")
    # tool_choice_none_param.py
    s["ToolChoiceType"]["enum"].append("none")
    _close(s["ToolChoice"])
    # tool_param.py: strict, and the other optional fields of a custom tool
    _close(
        s["ToolCustom"],
        "allowed_callers",
        "defer_loading",
        "eager_input_streaming",
        "input_examples",
        strict={"type": "boolean"},
    )
    # stop_reason.py
    s["StopReason"]["enum"].insert(-1, "model_context_window_exceeded")
    # thinking_block.py / thinking_block_param.py: the signature is required both ways
    s["ThinkingBlock"]["required"].append("signature")
    # message.py / message_param.py and the block params: close the shapes this plugin sends and reads
    _close(s["Message"], "stop_details", "container")
    _close(s["TextBlock"], "citations")
    _close(s["ImageBlock"])
    _close(s["DocumentBlock"])
    _close(s["ToolUseBlock"], "caller")
    _close(s["ToolResultBlock"])
    _close(s["ThinkingBlock"])
    _close(s["RedactedThinkingBlock"])
    for name in ("Base64ImageSource", "UrlImageSource", "Base64PdfSource", "UrlPdfSource", "PlainTextSource"):
        _close(s[name])
    # usage.py and message_delta_usage.py (cumulative counts in message_delta)
    s["Usage"]["properties"].update(
        cache_creation={"type": ["object", "null"]},
        inference_geo={"type": ["string", "null"]},
        output_tokens_details={"type": ["object", "null"]},
    )
    s["MessageDeltaUsage"]["properties"].update(
        input_tokens=_NULLABLE_INT,
        cache_creation_input_tokens=_NULLABLE_INT,
        cache_read_input_tokens=_NULLABLE_INT,
        output_tokens_details={"type": ["object", "null"]},
    )
    # message.py / raw_message_delta_event.py: stop_sequence is Optional[str], stop_details is new
    for name in ("Message", "MessageDelta"):
        s[name]["properties"]["stop_sequence"]["type"] = ["string", "null"]
    s["MessageDelta"]["properties"].update(stop_details={"type": ["object", "null"]})
    # input_json_delta.py: partial_json is the required field (the curated file says "text", a typo)
    s["InputJsonBlockDelta"]["required"] = ["partial_json", "type"]
    # model_info.py
    s["ModelInfo"]["properties"].update(capabilities={}, max_input_tokens=_NULLABLE_INT, max_tokens=_NULLABLE_INT)
    return spec


@pytest.fixture(scope="session")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "anthropic-extended.json"
    path.write_text(json.dumps(extend_spec(json.loads(SPEC.read_text()))))
    return path


@pytest.fixture
def check(spec_path: Path) -> Any:
    """``check("Schema", instance)`` asserts the instance is valid against the extended spec."""

    def _check(schema: str, instance: Any) -> None:
        problems = schema_errors(spec_path, schema, instance)
        assert not problems, f"{schema}: {problems}\n{json.dumps(instance)[:2000]}"

    return _check


@pytest.fixture
def examples() -> dict[str, Any]:
    """Fresh copies of the responses and stream transcripts in spec/examples.json."""
    data: dict[str, Any] = json.loads(EXAMPLES.read_text())
    return data


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _close_pooled_clients() -> Iterator[None]:
    """The module-level API pools clients; drop them so no socket outlives its test."""
    yield
    from any_llm.api import close_clients

    close_clients()
