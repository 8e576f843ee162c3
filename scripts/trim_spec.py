"""Cut an OpenAPI spec down to the named component schemas and everything they reference.

    python scripts/trim_spec.py SPEC OUT.json SchemaA SchemaB ...

The result keeps ``components.schemas`` (and ``info`` for provenance) so tests can validate
against the provider's own schemas from a plain clone, without the multi-megabyte original.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def load(path: str) -> dict[str, Any]:
    text = Path(path).read_text()
    if path.endswith((".yaml", ".yml")):
        import yaml

        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return json.loads(text)


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            found |= refs(v)
    elif isinstance(node, list):
        for v in node:
            found |= refs(v)
    return found


def trim(spec: dict[str, Any], names: list[str]) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    keep: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        if name not in schemas:
            raise SystemExit(f"no schema {name!r} in the spec")
        keep.add(name)
        todo.extend(refs(schemas[name]) - keep)
    return {
        "openapi": spec.get("openapi"),
        "info": {**spec.get("info", {}), "x-trimmed-to": sorted(names)},
        "components": {"schemas": {k: schemas[k] for k in sorted(keep)}},
    }


if __name__ == "__main__":
    src, out, *wanted = sys.argv[1:]
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(trim(load(src), wanted), indent=1, sort_keys=True) + "\n")
    print(f"{out}: {len(json.loads(Path(out).read_text())['components']['schemas'])} schemas")
