"""Groq: declarations and Groq's documented quirks the conformance kit does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_groq import GroqProvider
from pydantic import BaseModel

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, openai_exchanges, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "llama-3.3-70b-versatile"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


class City(BaseModel):
    name: str


def test_declarations() -> None:
    assert get_provider_class("groq") is GroqProvider
    assert GroqProvider.api_key_env == ("GROQ_API_KEY",)
    assert GroqProvider.api_base_env == ("GROQ_BASE_URL",)
    assert GroqProvider.default_api_base == "https://api.groq.com/openai/v1"
    caps = GroqProvider.capabilities()
    assert caps["reasoning"] and caps["list_models"] and caps["tools"] and not caps["embedding"]


@pytest.mark.parametrize(
    ("args", "sent", "absent"),
    [
        ({"max_tokens": 50, "temperature": 0.2}, {"max_completion_tokens": 50, "temperature": 0.2}, "max_tokens"),
        ({"stream": True}, {"stream_options": {"include_usage": True}}, None),
        ({"n": 1, "reasoning_effort": "none"}, {"n": 1, "reasoning_effort": "none"}, None),
        ({"stream": True, "reasoning_effort": "low"}, {"reasoning_effort": "low"}, None),
    ],
)
def test_request_body(args: dict[str, Any], sent: dict[str, Any], absent: str | None) -> None:
    body = build_request(GroqProvider(KEY), build_params(MODEL, MESSAGES, args, {})).json
    assert {k: body.get(k) for k in sent} == sent and absent not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_structured_output_is_sent_as_a_json_schema() -> None:
    body = build_request(GroqProvider(KEY), build_params(MODEL, MESSAGES, {"response_format": City}, {})).json
    assert body["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize(
    ("param", "args"),
    [
        ("logprobs", {"logprobs": True}),
        ("top_logprobs", {"top_logprobs": 2}),
        ("logit_bias", {"logit_bias": {"50256": -100}}),
        ("n", {"n": 2}),
        ("reasoning_effort", {"reasoning_effort": "minimal"}),
    ],
)
def test_refused_params(param: str, args: dict[str, Any]) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(GroqProvider(KEY), build_params(MODEL, MESSAGES, args, {}))
    assert info.value.parameter_name == param


def test_message_name_is_left_out() -> None:
    question = [{"role": "user", "content": "hi", "name": "bob"}]
    body = build_request(GroqProvider(KEY), build_params(MODEL, question, {}, {})).json
    assert body["messages"] == [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("message", "pieces"),
    [
        ({"content": TEXT, "reasoning": "Think."}, ({"reasoning": "Thi"}, {"reasoning": "nk."}, {"content": TEXT})),
        (
            {"content": f"<think>Think.</think>\n{TEXT}"},
            ({"content": "<thi"}, {"content": "nk>Think.</th"}, {"content": f"ink>\n{TEXT}"}),
        ),
    ],
)
def test_reasoning_parsed_and_raw(message: dict[str, Any], pieces: tuple[dict[str, Any], ...]) -> None:
    answer = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
    }
    got = run_scenario(GroqProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (got.reasoning.content, got.content) == ("Think.", TEXT)
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(GroqProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_usage_from_x_groq_and_from_the_usage_chunk() -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "queue_time": 0.01}
    events = [
        {
            **CHUNK,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}],
            "x_groq": {"id": "req_1"},
        },
        {
            **CHUNK,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "x_groq": {"id": "req_1", "usage": usage},
        },
    ]
    chunks = run_scenario(GroqProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    assert chunks[-1].usage.total_tokens == 7
    chunks = run_scenario(GroqProvider, "stream", [openai_exchanges()["stream"]], use_async=False).chunks or []
    assert chunks[-1].usage.total_tokens == 19
    assert all(c.choices for c in chunks), "the usage chunk we asked for must have a choice for chunk.choices[0]"


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "llama-3.3-70b-versatile", "object": "model", "created": 1733447754, '
        b'"owned_by": "Meta", "active": true, "context_window": 131072}]}'
    )
    models = GroqProvider(KEY).parse_list_models(payload)
    assert [(m.id, m.owned_by) for m in models] == [("llama-3.3-70b-versatile", "Meta")]
    assert models[0].context_window == 131072
