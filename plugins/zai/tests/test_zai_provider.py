"""Z.ai: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_zai import ZaiProvider
from pydantic import BaseModel

from any_llm import AnyLLM, errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.provider import StreamEvent
from any_llm.testing import MockServer, Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, check_reasoning, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "glm-4.6"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("zai") is ZaiProvider
    assert ZaiProvider.api_key_env == ("ZAI_API_KEY",)
    assert ZaiProvider.api_base_env == ("ZAI_BASE_URL",)
    assert ZaiProvider.default_api_base == "https://api.z.ai/api/paas/v4"
    assert ZaiProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": False,
        "reasoning": True,
        "images": False,
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


def test_json_schema_is_refused_json_mode_is_sent() -> None:
    class City(BaseModel):
        name: str

    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(ZaiProvider(KEY), build_params(MODEL, MESSAGES, {"response_format": City}, {}))
    assert info.value.parameter_name == "response_format"
    content = '{"name": "Paris"}'
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    }
    with MockServer() as server:
        server.queue(Reply.json(answer))
        client = AnyLLM.create("zai", api_key=KEY, api_base=server.url, max_retries=0)
        completion = client.completion(MODEL, MESSAGES, response_format={"type": "json_object"})
        client.close()
    assert completion.choices[0].message.content == content
    assert server.requests[0].json["response_format"] == {"type": "json_object"}
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", server.requests[0].json) == []


@pytest.mark.parametrize(
    ("args", "sent", "absent"),
    [
        ({"reasoning_effort": "none"}, {"thinking": {"type": "disabled"}}, "reasoning_effort"),
        ({"reasoning_effort": "high"}, {"thinking": {"type": "enabled"}, "reasoning_effort": "high"}, None),
        ({"max_completion_tokens": 1024}, {"max_tokens": 1024}, "max_completion_tokens"),
    ],
)
def test_request_body(args: dict[str, Any], sent: dict[str, Any], absent: str | None) -> None:
    body = build_request(ZaiProvider(KEY), build_params(MODEL, MESSAGES, args, {})).json
    assert {k: body.get(k) for k in sent} == sent and absent not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_reasoning_content() -> None:
    check_reasoning(
        ZaiProvider,
        {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
    )


def _finishing(reason: str) -> tuple[Reply, Reply]:
    """The same partial answer ending with ``reason``, as a completion and as a stream."""
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Partial"}, "finish_reason": reason}],
    }
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Partial"}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]},
    ]
    return Reply.json(answer), Reply.sse(events)


@pytest.mark.parametrize(
    ("zai", "ours"), [("sensitive", "content_filter"), ("model_context_window_exceeded", "length")]
)
def test_finish_reasons(zai: str, ours: str) -> None:
    answer, stream = _finishing(zai)
    assert run_scenario(ZaiProvider, "plain", [answer], use_async=False).result.choices[0].finish_reason == ours
    chunks = run_scenario(ZaiProvider, "stream", [stream], use_async=False).chunks or []
    assert [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason] == [ours]


def test_network_error_finish_raises() -> None:
    answer, stream = _finishing("network_error")
    error = run_scenario(ZaiProvider, "plain", [answer], use_async=False).error
    assert isinstance(error, errors.APIConnectionError) and "network error" in str(error)
    assert isinstance(run_scenario(ZaiProvider, "stream", [stream], use_async=False).error, errors.APIConnectionError)


def test_unknown_finish_reason_still_fails() -> None:
    answer, _ = _finishing("something_new")
    assert isinstance(
        run_scenario(ZaiProvider, "plain", [answer], use_async=False).error, errors.ResponseValidationError
    )


def test_object_tool_arguments_become_strings() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris"}}}
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
    message = run_scenario(ZaiProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert json.loads(message.tool_calls[0].function.arguments) == {"location": "Paris"}


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "glm-4.6", "object": "model", "created": 1759190400, "owned_by": "z-ai"}]}'
    )
    assert [m.id for m in ZaiProvider(KEY).parse_list_models(payload)] == ["glm-4.6"]


def _feed(events: list[dict[str, Any]], compact: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """Events as compact or spaced JSON through one stream parser: (chunks, how many were normalized)."""
    calls: list[Any] = []
    original = ZaiProvider.normalize_chunk

    def counting(self: ZaiProvider, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload)
        return original(self, payload)

    monkeypatch.setattr(ZaiProvider, "normalize_chunk", counting)
    params = build_params(MODEL, [{"role": "user", "content": "Hi"}], {"stream": True}, {})
    parser = ZaiProvider(KEY).stream_parser(params)
    separators = (",", ":") if compact else (", ", ": ")
    chunks = [c for e in events for c in parser.feed(StreamEvent(json.dumps(e, separators=separators).encode()))]
    return chunks, len(calls)


@pytest.mark.parametrize("compact", [True, False])
def test_only_tool_call_and_finishing_chunks_leave_the_fast_path(
    compact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = {**CHUNK, "choices": [{"index": 0, "delta": {"content": TEXT}, "finish_reason": None}]}
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": {"location": "Paris"}},
    }
    tool = {**CHUNK, "choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": None}]}
    last = {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "sensitive"}]}
    provider = ZaiProvider(KEY)
    assert not provider.chunk_needs_normalize(json.dumps(plain, separators=(",", ":")).encode())
    assert all(provider.chunk_needs_normalize(json.dumps(e, separators=(",", ":")).encode()) for e in (tool, last))
    chunks, normalized = _feed([plain, tool, plain, last], compact, monkeypatch)
    assert normalized == 2
    assert json.loads(chunks[1].choices[0].delta.tool_calls[0].function.arguments) == {"location": "Paris"}
    assert [c.choices[0].finish_reason for c in chunks] == [None, None, None, "content_filter"]
