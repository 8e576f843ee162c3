"""Extract the OpenAI spec's documented Responses examples into core/tests/data (run when the spec changes).

Loading the 3 MB spec takes ~20 s; the round-trip test reads the small extract instead.
Usage: python scripts/extract_responses_examples.py [path/to/openai-openapi.yaml]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

SPEC = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/specs/openai-openapi.yaml")
OUT = Path(__file__).resolve().parent.parent / "core" / "tests" / "data" / "openai_responses_examples.json"
EVENTS = (
    "ResponseCreatedEvent",
    "ResponseInProgressEvent",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseReasoningTextDeltaEvent",
    "ResponseReasoningTextDoneEvent",
    "ResponseCompletedEvent",
    "ResponseIncompleteEvent",
    "ResponseFailedEvent",
    "ResponseErrorEvent",
)


def main() -> None:
    spec = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    out: dict[str, object] = {"source": "openai/openai-openapi openapi.yaml (MIT)", "responses": {}, "events": {}}
    for example in spec["paths"]["/responses"]["post"]["x-oaiMeta"]["examples"]:
        body = example["response"]
        if isinstance(body, dict):
            body = next(iter(body.values()))
        if example["title"] == "Streaming":
            events = []
            for block in body.strip().split("\n\n"):
                data = [line[6:] for line in block.splitlines() if line.startswith("data: ")]
                if data:
                    events.append(json.loads("\n".join(data)))
            out["stream"] = events
            continue
        out["responses"][example["title"]] = json.loads(body)  # type: ignore[index]
    for name in EVENTS:
        meta = spec["components"]["schemas"].get(name, {}).get("x-oaiMeta", {})
        if "example" not in meta:
            continue
        try:
            out["events"][name] = json.loads(meta["example"])  # type: ignore[index]
        except ValueError as exc:  # the spec's own example is not JSON: record why it is left out
            out.setdefault("invalid_examples", {})[name] = str(exc)  # type: ignore[union-attr]
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
