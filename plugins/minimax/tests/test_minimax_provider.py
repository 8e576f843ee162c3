"""MiniMax: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_minimax import MinimaxProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.provider import StreamEvent
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "MiniMax-M2"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}
DETAILS = {"type": "reasoning.text", "id": "r1", "format": "MiniMax-response-v1", "index": 0, "text": "Think."}


def test_declarations() -> None:
    assert get_provider_class("minimax") is MinimaxProvider
    assert MinimaxProvider.api_key_env == ("MINIMAX_API_KEY",)
    assert MinimaxProvider.api_base_env == ("MINIMAX_API_BASE",)
    assert MinimaxProvider.default_api_base == "https://api.minimax.io/v1"
    assert MinimaxProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": False,
        "reasoning": True,
        "images": False,
        "audio": False,
        "documents": False,
        "embedding": False,
        "list_models": False,
        "count_tokens": False,
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


@pytest.mark.parametrize(
    ("param", "args"),
    [
        ("response_format", {"response_format": {"type": "json_object"}}),
        ("reasoning_effort", {"reasoning_effort": "low"}),
    ],
)
def test_refused_params(param: str, args: dict[str, Any]) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(MinimaxProvider(KEY), build_params(MODEL, MESSAGES, args, {}))
    assert info.value.parameter_name == param


@pytest.mark.parametrize(
    ("message", "pieces", "thought"),
    [
        (
            {"content": f"<think>\nThink.\n</think>\n\n{TEXT}"},
            ({"content": "<think>\nThink.\n"}, {"content": f"</think>\n\n{TEXT}"}),
            "\nThink.\n",
        ),
        (
            {"content": TEXT, "reasoning_details": [DETAILS]},
            (
                {"reasoning_details": [{**DETAILS, "text": "Thi"}]},
                {"reasoning_details": [{**DETAILS, "text": "nk."}]},
                {"content": TEXT},
            ),
            "Think.",
        ),
    ],
)
def test_think_tags_and_reasoning_details(
    message: dict[str, Any], pieces: tuple[dict[str, Any], ...], thought: str
) -> None:
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
    }
    got = run_scenario(MinimaxProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (got.reasoning.content, got.content) == (thought, TEXT)
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(MinimaxProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == thought
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_reasoning_split_is_sent() -> None:
    params = build_params(MODEL, MESSAGES, {"stream": True}, {"reasoning_split": True})
    body = build_request(MinimaxProvider(KEY), params).json
    assert body["reasoning_split"] is True
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_thinking_is_sent_back_in_think_tags() -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
    }
    answer = {
        **COMPLETION,
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "<think>I should call the tool.</think>\n\n",
                    "tool_calls": [call],
                },
            }
        ],
    }
    first = run_scenario(MinimaxProvider, "tool_call", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (first.reasoning.content, first.content) == ("I should call the tool.", "")
    history = [
        {"role": "user", "content": "Weather in Paris?"},
        first,
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    body = build_request(MinimaxProvider(KEY), build_params(MODEL, history, {"tools": [TOOL]}, {})).json
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []
    sent = body["messages"][1]
    assert sent["content"] == "<think>I should call the tool.</think>\n\n" and "reasoning" not in sent
    assert sent["tool_calls"][0]["id"] == "call_1"


def test_usage_chunk_without_delta() -> None:
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {
            **CHUNK,
            "choices": [{"index": 0, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        },
    ]
    chunks = run_scenario(MinimaxProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    assert ("".join(c.choices[0].delta.content or "" for c in chunks), chunks[-1].usage.total_tokens) == ("Hi", 4)


def _feed(events: list[dict[str, Any]], compact: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """Events as compact or spaced JSON through one stream parser: (chunks, how many were normalized)."""
    calls: list[Any] = []
    original = MinimaxProvider.normalize_chunk

    def counting(self: MinimaxProvider, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload)
        return original(self, payload)

    monkeypatch.setattr(MinimaxProvider, "normalize_chunk", counting)
    params = build_params(MODEL, [{"role": "user", "content": "Hi"}], {"stream": True}, {})
    parser = MinimaxProvider(KEY).stream_parser(params)
    separators = (",", ":") if compact else (", ", ": ")
    chunks = [c for e in events for c in parser.feed(StreamEvent(json.dumps(e, separators=separators).encode()))]
    return chunks, len(calls)


@pytest.mark.parametrize("compact", [True, False])
def test_only_reasoning_details_chunks_leave_the_fast_path(compact: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = {**CHUNK, "choices": [{"index": 0, "delta": {"content": TEXT}, "finish_reason": None}]}
    details = {**CHUNK, "choices": [{"index": 0, "delta": {"reasoning_details": [DETAILS]}, "finish_reason": None}]}
    provider = MinimaxProvider(KEY)
    assert not provider.chunk_needs_normalize(json.dumps(plain, separators=(",", ":")).encode())
    assert provider.chunk_needs_normalize(json.dumps(details).encode())  # it validates as is: picked by bytes
    chunks, normalized = _feed([plain, details, plain], compact, monkeypatch)
    assert normalized == 1
    assert chunks[1].choices[0].delta.reasoning.content == "Think."
    assert [c.choices[0].delta.content for c in chunks] == [TEXT, None, TEXT]
