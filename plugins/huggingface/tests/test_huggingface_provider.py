"""Hugging Face: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_huggingface import HuggingfaceProvider

import any_llm
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.provider import StreamEvent
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import KEY, MESSAGES, TEXT, openai_exchanges, run_scenario

MODEL = "deepseek-ai/DeepSeek-R1:novita"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("huggingface") is HuggingfaceProvider
    assert HuggingfaceProvider.api_key_env == ("HF_TOKEN",)
    assert HuggingfaceProvider.api_base_env == ("HUGGINGFACE_API_BASE",)
    assert HuggingfaceProvider.default_api_base == "https://router.huggingface.co/v1"
    assert HuggingfaceProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": False,
        "documents": False,
        "embedding": False,
        "list_models": True,
        "count_tokens": False,
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


def test_provider_suffix_is_kept() -> None:
    with MockServer() as server:
        server.queue(openai_exchanges()["plain"])
        any_llm.completion(model=f"huggingface:{MODEL}", api_base=server.url + "/v1", api_key=KEY, messages=MESSAGES)
        any_llm.api.close_clients("huggingface")
    assert server.requests[0].json["model"] == MODEL


@pytest.mark.parametrize(
    ("message", "pieces"),
    [
        ({"content": TEXT, "reasoning_content": "Think."}, ({"reasoning_content": "Think."}, {"content": TEXT})),
        ({"content": f"<think>Think.</think>{TEXT}"}, ({"content": f"<think>Think.</think>{TEXT}"},)),
    ],
)
def test_reasoning_shapes(message: dict[str, Any], pieces: tuple[dict[str, Any], ...]) -> None:
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
    }
    got = run_scenario(HuggingfaceProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (got.reasoning.content, got.content) == ("Think.", TEXT)
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(HuggingfaceProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


@pytest.mark.parametrize(("arguments", "expected"), [(None, "{}"), ({"location": "Paris"}, '{"location": "Paris"}')])
def test_odd_tool_arguments(arguments: Any, expected: str) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}
    answer = {
        **COMPLETION,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls",
            }
        ],
    }
    message = (
        run_scenario(HuggingfaceProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    )
    assert message.tool_calls[0].function.arguments == expected
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [{"index": 0, **call}]}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]
    chunks = run_scenario(HuggingfaceProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    streamed = "".join(t.function.arguments or "" for c in chunks for t in c.choices[0].delta.tool_calls or ())
    assert streamed == ("" if arguments is None else expected)


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "deepseek-ai/DeepSeek-R1", "object": "model", "created": 1737331200, '
        b'"owned_by": "deepseek-ai", "providers": [{"provider": "novita", "status": "live"}]}]}'
    )
    assert HuggingfaceProvider(KEY).parse_list_models(payload)[0].providers[0]["provider"] == "novita"


def _feed(events: list[dict[str, Any]], compact: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """Events as compact or spaced JSON through one stream parser: (chunks, how many were normalized)."""
    calls: list[Any] = []
    original = HuggingfaceProvider.normalize_chunk

    def counting(self: HuggingfaceProvider, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload)
        return original(self, payload)

    monkeypatch.setattr(HuggingfaceProvider, "normalize_chunk", counting)
    params = build_params(MODEL, [{"role": "user", "content": "Hi"}], {"stream": True}, {})
    parser = HuggingfaceProvider(KEY).stream_parser(params)
    separators = (",", ":") if compact else (", ", ": ")
    chunks = [c for e in events for c in parser.feed(StreamEvent(json.dumps(e, separators=separators).encode()))]
    return chunks, len(calls)


@pytest.mark.parametrize("compact", [True, False])
def test_only_tool_argument_chunks_leave_the_fast_path(compact: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = {**CHUNK, "choices": [{"index": 0, "delta": {"content": TEXT}, "finish_reason": None}]}
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": {"location": "Paris"}},
    }
    tool = {**CHUNK, "choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": None}]}
    provider = HuggingfaceProvider(KEY)
    assert not provider.chunk_needs_normalize(json.dumps(plain, separators=(",", ":")).encode())
    assert provider.chunk_needs_normalize(json.dumps(tool, separators=(",", ":")).encode())
    chunks, normalized = _feed([plain, tool, plain], compact, monkeypatch)
    assert normalized == 1
    assert chunks[1].choices[0].delta.tool_calls[0].function.arguments == '{"location": "Paris"}'
    assert [c.choices[0].delta.content for c in chunks] == [TEXT, None, TEXT]
