"""Validate request bodies and responses against a (trimmed) OpenAPI spec with ``jsonschema``.

Needs ``jsonschema`` (and ``pyyaml`` for YAML specs), which are test dependencies, not runtime ones.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = ["OPENAI_FAMILIES_SPEC", "OPENAI_RESPONSES_SPEC", "OPENAI_SPEC", "schema_errors", "validator"]

_SPECS = Path(__file__).parent / "specs"
OPENAI_SPEC = _SPECS / "openai-chat.json"
"""OpenAI's official schemas for chat completions, embeddings and models (trimmed; specs/README.md)."""
OPENAI_RESPONSES_SPEC = _SPECS / "openai-responses.json"
"""OpenAI's official schemas for ``POST /responses``: CreateResponse, Response, ResponseStreamEvent (trimmed)."""
OPENAI_FAMILIES_SPEC = _SPECS / "openai-families.json"
"""OpenAI's official schemas for batch, files, moderation, images, speech and transcription (trimmed)."""


@functools.cache
def _load(path: str) -> dict[str, Any]:
    text = Path(path).read_text()
    if path.endswith((".yaml", ".yml")):
        import yaml  # type: ignore[import-untyped]

        data: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return data
    parsed: dict[str, Any] = json.loads(text)
    return parsed


@functools.cache
def validator(spec_path: str | Path, schema_name: str) -> Any:
    """A Draft 2020-12 validator for ``#/components/schemas/<schema_name>`` of the spec file."""
    import jsonschema  # type: ignore[import-untyped]
    import referencing
    from referencing.jsonschema import DRAFT202012

    spec = _load(str(spec_path))
    registry = referencing.Registry().with_resource("spec", DRAFT202012.create_resource(spec))
    return jsonschema.Draft202012Validator({"$ref": f"spec#/components/schemas/{schema_name}"}, registry=registry)


def schema_errors(spec_path: str | Path, schema_name: str, instance: Any) -> list[str]:
    """Every validation error as 'path: message' (empty when the instance is valid)."""
    return [
        f"{'/'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message}"
        for err in validator(spec_path, schema_name).iter_errors(instance)
    ]
