"""Test helpers: spec validation, request building, and a MockServer handler that speaks (and checks) Mistral's wire format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from anyllm_mistral import MistralProvider

from any_llm.params import SEED_PARAM_NAMES, build_params
from any_llm.testing import RecordedRequest, Reply, build_request
from any_llm.testing.schema import schema_errors

SPEC_DIR = Path(__file__).parent / "spec"
SPEC = SPEC_DIR / "mistral-openapi.json"
SPEC_DOC = SPEC_DIR / "mistral-openapi-public-doc.json"
EXAMPLES: dict[str, Any] = json.loads((SPEC_DIR / "examples.json").read_text())
KEY = "test-key-123456"
SEED_NAMES = frozenset(SEED_PARAM_NAMES)
# The spec's own defect: ChatCompletionResponse requires a "data" field that no chat response has.
DATA_DEFECT = "<root>: 'data' is a required property"
TOOL_CALL_ID = re.compile(r"[a-zA-Z0-9]{9}")


def spec_properties(schema: str, spec: Path = SPEC) -> dict[str, Any]:
    props: dict[str, Any] = json.loads(spec.read_text())["components"]["schemas"][schema]["properties"]
    return props


def request_errors(body: Any, schema: str = "ChatCompletionRequest") -> list[str]:
    """Errors of a request body against both official Mistral specs (empty when valid under both)."""
    return schema_errors(SPEC, schema, body) + [f"[public-doc] {e}" for e in schema_errors(SPEC_DOC, schema, body)]


def response_errors(instance: Any, schema: str = "ChatCompletionResponse") -> list[str]:
    """Errors of a response against the spec, minus the spec's own ``data`` defect."""
    return [e for e in schema_errors(SPEC, schema, instance) if e != DATA_DEFECT]


def build(**kwargs: Any) -> Any:
    """The HTTPRequest the provider builds for completion(**kwargs) (seed params split from **kwargs as the client does)."""
    model = kwargs.pop("model", "mistral-small-latest")
    messages = kwargs.pop("messages", [{"role": "user", "content": "Hi"}])
    args = {k: kwargs.pop(k) for k in list(kwargs) if k in SEED_NAMES}
    params = build_params(model, messages, args, kwargs)
    return build_request(MistralProvider(api_key=KEY), params)


def body_for(**kwargs: Any) -> dict[str, Any]:
    body: dict[str, Any] = build(**kwargs).json
    return body


# -- Mistral-shaped responses -------------------------------------------------------------------------


def usage(prompt: int = 10, completion: int = 5, cached: int = 0) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "total_tokens": prompt + completion,
        "completion_tokens": completion,
        "prompt_tokens_details": {"cached_tokens": cached},
    }


def chat_json(
    content: Any,
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    finish: str = "stop",
    model: str = "mistral-small-latest",
) -> dict[str, Any]:
    """A chat response as api.mistral.ai sends it (``tool_calls: null``, no ``refusal``)."""
    return {
        "id": "0d93cd053f4c4b3ca627ccd07cf2f18c",
        "object": "chat.completion",
        "created": 1773842038,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish,
                "message": {"role": "assistant", "tool_calls": tool_calls, "content": content},
            }
        ],
        "usage": usage(),
    }


def tool_call(name: str, arguments: Any, call_id: str = "D681PevKs", index: int = 0) -> dict[str, Any]:
    return {"id": call_id, "function": {"name": name, "arguments": arguments}, "index": index}


def think(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


def chunk(
    delta: dict[str, Any],
    finish: str | None = None,
    *,
    with_usage: dict[str, Any] | None = None,
    model: str = "mistral-small-latest",
) -> dict[str, Any]:
    """One stream event as Mistral sends it (usage rides on the last chunk, next to finish_reason)."""
    event: dict[str, Any] = {
        "id": "cmpl-stream-1",
        "object": "chat.completion.chunk",
        "created": 1773842038,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if with_usage is not None:
        event["usage"] = with_usage
    return event


def text_stream(words: list[str]) -> list[dict[str, Any]]:
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": w}) for w in words]
    events.append(chunk({"content": ""}, "stop", with_usage=usage(7, len(words))))
    return events


def thinking_stream() -> list[dict[str, Any]]:
    """The documented reasoning stream: chunk lists while thinking, a closing list, then plain strings."""
    return [
        chunk({"role": "assistant", "content": [think("17*23: ")]}),
        chunk({"content": [think("340 + 51 = 391.")]}),
        chunk({"content": [{**think(""), "closed": True}, {"type": "text", "text": "17 * 23"}]}),
        chunk({"content": " = 391."}),
        chunk({"content": ""}, "stop", with_usage=usage(12, 40)),
    ]


def tool_stream() -> list[dict[str, Any]]:
    """A tool call whose arguments arrive in pieces (id and name on the first piece only)."""
    return [
        chunk({"role": "assistant", "content": ""}),
        chunk({"tool_calls": [tool_call("get_weather", '{"location": ', "a1B2c3D4e")]}),
        chunk({"tool_calls": [{"id": "null", "function": {"name": "", "arguments": '"Paris"}'}, "index": 0}]}),
        chunk({"content": ""}, "tool_calls", with_usage=usage(30, 12)),
    ]


def mistral_error(status: int, message: Any, type_: str = "invalid_request_error", code: Any = None) -> Reply:
    return Reply.json(
        {"object": "error", "message": message, "type": type_, "param": None, "code": code}, status=status
    )


def _id_errors(messages: list[dict[str, Any]]) -> list[str]:
    """mistral-common's rule: tool call ids are exactly 9 characters of [a-zA-Z0-9]."""
    bad = []
    for i, m in enumerate(messages):
        ids = [c.get("id") for c in m.get("tool_calls") or ()] + ([m["tool_call_id"]] if "tool_call_id" in m else [])
        bad += [f"messages[{i}]: tool call id {x!r}" for x in ids if not TOOL_CALL_ID.fullmatch(str(x))]
    return bad


def mistral_server(request: RecordedRequest) -> Reply:
    """Answers like api.mistral.ai: 401 without the key, 422 for a body its schema rejects, else a scripted answer."""
    if request.headers.get("authorization") != f"Bearer {KEY}":
        return Reply.json({"message": "Unauthorized", "request_id": "req-401"}, status=401)
    if request.method == "GET" and request.path.startswith("/v1/models"):
        return Reply.json(
            {
                "object": "list",
                "data": [
                    {
                        "id": "mistral-small-latest",
                        "object": "model",
                        "created": 1756746619,
                        "owned_by": "mistralai",
                        "capabilities": {"completion_chat": True, "function_calling": True, "vision": True},
                        "max_context_length": 131072,
                        "aliases": ["mistral-small-2603"],
                        "type": "base",
                    },
                    {
                        "id": "mistral-embed",
                        "object": "model",
                        "created": 1756746619,
                        "owned_by": "mistralai",
                        "capabilities": {"completion_chat": False},
                        "type": "base",
                    },
                ],
            }
        )
    body = request.json
    if request.path == "/v1/embeddings":
        errs = request_errors(body, "EmbeddingRequest")
        if errs:
            return Reply.json({"detail": [{"loc": ["body"], "msg": e, "type": "value_error"} for e in errs]}, 422)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        return Reply.json(
            {
                "id": "emb-1",
                "object": "list",
                "model": body["model"],
                "usage": usage(len(inputs), 0),
                "data": [
                    {"object": "embedding", "index": i, "embedding": [0.1 * (i + 1), -0.2, 0.3]}
                    for i in range(len(inputs))
                ],
            }
        )
    assert request.path == "/v1/chat/completions", request.path
    errs = request_errors(body)
    if errs:
        detail = [{"type": "extra_forbidden", "loc": ["body"], "msg": e} for e in errs]
        return mistral_error(422, {"detail": detail})
    bad_ids = _id_errors(body["messages"])
    if bad_ids:
        return mistral_error(400, "; ".join(bad_ids))
    if body.get("stream"):
        if body.get("reasoning_effort") == "high":
            return Reply.sse(thinking_stream())
        return Reply.sse(tool_stream() if body.get("tools") else text_stream(["Once", " upon", " a", " time."]))
    if body.get("tools"):
        if body["messages"][-1]["role"] == "tool":
            return Reply.json(chat_json("It is sunny in Paris."))
        call = tool_call("get_weather", '{"location": "Paris"}')
        return Reply.json(chat_json("", tool_calls=[call], finish="tool_calls"))
    fmt = body.get("response_format")
    if fmt and fmt["type"] == "json_schema":
        return Reply.json(chat_json(json.dumps({"name": "Paris", "country": "France", "population": 2102650})))
    if body.get("reasoning_effort") == "high":
        return Reply.json(chat_json([think("Paris is the capital."), {"type": "text", "text": "Paris."}]))
    return Reply.json(chat_json("The capital of France is Paris."))
