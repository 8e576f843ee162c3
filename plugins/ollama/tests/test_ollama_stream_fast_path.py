"""Stream chunks are validated once from plain values: which fields they set must stay what the
attribute-by-attribute construction set (role on the first chunk only; content and reasoning always)."""

from __future__ import annotations

import json
from typing import Any

from anyllm_ollama import OllamaProvider

from any_llm.params import build_params
from any_llm.provider import StreamEvent

PARAMS = build_params("llama3.2", [{"role": "user", "content": "hi"}], {"stream": True}, {})


def line(content: str = "", done: bool = False, **message: Any) -> bytes:
    out: dict[str, Any] = {
        "model": "llama3.2",
        "created_at": "2025-07-07T20:22:19.184789Z",
        "message": {"role": "assistant", "content": content, **message},
        "done": done,
    }
    if done:
        out.update(done_reason="stop", prompt_eval_count=10, eval_count=3, total_duration=5)
    return json.dumps(out).encode()


def test_fields_set_per_chunk() -> None:
    parser = OllamaProvider().stream_parser(PARAMS)
    first, second, call, last = (
        next(iter(parser.feed(StreamEvent(raw))))
        for raw in (
            line("Hel"),
            line("lo", thinking="t"),
            line(tool_calls=[{"function": {"name": "f", "arguments": {"a": 1}}}]),
            line(done=True),
        )
    )
    assert first.model_dump(exclude_unset=True)["choices"] == [
        {
            "index": 0,
            "delta": {"role": "assistant", "content": "Hel", "reasoning": None},
            "finish_reason": None,
            "logprobs": None,
        }
    ]
    assert second.choices[0].delta.model_dump(exclude_unset=True) == {"content": "lo", "reasoning": {"content": "t"}}
    delta = call.choices[0].delta.model_dump(exclude_unset=True)
    assert delta["tool_calls"][0]["function"] == {"name": "f", "arguments": '{"a": 1}'}
    assert set(delta["tool_calls"][0]) == {"index", "id", "type", "function"}
    assert set(first.model_fields_set) == {"id", "created", "model", "choices", "usage"}
    assert last.choices[0].finish_reason == "tool_calls"
    assert last.usage is not None and (last.usage.prompt_tokens, last.usage.total_tokens) == (10, 13)
    assert last.usage.model_dump(exclude_unset=True)["total_duration"] == 5


def test_lines_json_loads_accepts_still_parse() -> None:
    """A lone surrogate escape (rejected by pydantic-core's JSON parser) parses as with json.loads."""
    parser = OllamaProvider().stream_parser(PARAMS)
    raw = b'{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"\\ud800"},"done":false}'
    assert next(iter(parser.feed(StreamEvent(raw)))).choices[0].delta.content == "\ud800"
