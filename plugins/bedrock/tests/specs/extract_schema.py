"""Derive JSON Schema from botocore's Bedrock Runtime service model (``service-2.json``).

Run with the service model of a botocore wheel (e.g. ``pip download botocore --no-deps -d /tmp/bc``,
unzip, ``botocore/data/bedrock-runtime/2023-09-30/service-2.json.gz``)::

    python extract_schema.py service-2.json.gz bedrock-runtime.json

Only the shapes reachable from the request bodies we send are kept; HTTP-bound members (URI path,
headers) and documentation are dropped. Unions become "exactly one member"; blobs are base64 strings;
``Document`` values are any JSON.
"""

from __future__ import annotations

import gzip
import json
import sys
from typing import Any

ROOTS = ("ConverseRequest", "ConverseStreamRequest", "ConverseResponse")


def convert(shapes: dict[str, Any], name: str, out: dict[str, Any]) -> None:
    if name in out:
        return
    shape = shapes[name]
    kind = shape["type"]
    schema: dict[str, Any]
    if shape.get("document"):
        schema = {}
    elif kind == "structure":
        props = {}
        for member, spec in shape.get("members", {}).items():
            if spec.get("location") in ("uri", "header", "headers", "querystring"):
                continue
            props[member] = {"$ref": f"#/components/schemas/{spec['shape']}"}
            convert(shapes, spec["shape"], out)
        schema = {"type": "object", "properties": props, "additionalProperties": False}
        required = [r for r in shape.get("required", []) if r in props]
        if required:
            schema["required"] = required
        if shape.get("union"):
            schema["minProperties"] = schema["maxProperties"] = 1
    elif kind == "list":
        convert(shapes, shape["member"]["shape"], out)
        schema = {"type": "array", "items": {"$ref": f"#/components/schemas/{shape['member']['shape']}"}}
        if "min" in shape:
            schema["minItems"] = shape["min"]
        if "max" in shape:
            schema["maxItems"] = shape["max"]
    elif kind == "map":
        convert(shapes, shape["value"]["shape"], out)
        schema = {"type": "object", "additionalProperties": {"$ref": f"#/components/schemas/{shape['value']['shape']}"}}
    elif kind == "string":
        schema = {"type": "string"}
        if "enum" in shape:
            schema["enum"] = shape["enum"]
        if "min" in shape:
            schema["minLength"] = shape["min"]
        if "max" in shape:
            schema["maxLength"] = shape["max"]
    elif kind in ("integer", "long"):
        schema = {"type": "integer"}
        if "min" in shape:
            schema["minimum"] = shape["min"]
        if "max" in shape:
            schema["maximum"] = shape["max"]
    elif kind in ("float", "double"):
        schema = {"type": "number"}
        if "min" in shape:
            schema["minimum"] = shape["min"]
        if "max" in shape:
            schema["maximum"] = shape["max"]
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "blob":
        schema = {"type": "string", "contentEncoding": "base64"}
    elif kind == "timestamp":
        schema = {"type": ["string", "number"]}
    else:
        raise ValueError(f"unhandled shape type {kind} ({name})")
    out[name] = schema


def main(source: str, target: str) -> None:
    opener = gzip.open if source.endswith(".gz") else open
    with opener(source, "rt") as fh:
        model = json.load(fh)
    out: dict[str, Any] = {}
    for root in ROOTS:
        convert(model["shapes"], root, out)
    doc = {
        "info": {
            "title": "Amazon Bedrock Runtime request and response bodies (derived)",
            "source": f"botocore service model bedrock-runtime {model['metadata']['apiVersion']}",
        },
        "components": {"schemas": dict(sorted(out.items()))},
    }
    with open(target, "w") as fh:
        json.dump(doc, fh, indent=1, sort_keys=False)
        fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
