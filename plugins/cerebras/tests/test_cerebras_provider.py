"""Cerebras: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_cerebras import CerebrasProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "gpt-oss-120b"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("cerebras") is CerebrasProvider
    assert CerebrasProvider.api_key_env == ("CEREBRAS_API_KEY",)
    assert CerebrasProvider.api_base_env == ("CEREBRAS_API_BASE",)
    assert CerebrasProvider.default_api_base == "https://api.cerebras.ai/v1"
    assert CerebrasProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
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


@pytest.mark.parametrize(
    ("args", "sent", "absent"),
    [
        ({"max_tokens": 64}, {"max_completion_tokens": 64}, "max_tokens"),
        ({"reasoning_effort": "medium"}, {"reasoning_effort": "medium"}, None),
        ({"reasoning_effort": "none"}, {"disable_reasoning": True}, "reasoning_effort"),
    ],
)
def test_request_body(args: dict[str, Any], sent: dict[str, Any], absent: str | None) -> None:
    body = build_request(CerebrasProvider(KEY), build_params(MODEL, MESSAGES, args, {})).json
    assert {k: body.get(k) for k in sent} == sent and absent not in body
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []


def test_other_reasoning_efforts_are_refused() -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(CerebrasProvider(KEY), build_params(MODEL, MESSAGES, {"reasoning_effort": "xhigh"}, {}))
    assert info.value.parameter_name == "reasoning_effort"


def test_reasoning_parsed() -> None:
    answer = {
        **COMPLETION,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": TEXT, "reasoning": "Think."},
                "finish_reason": "stop",
            }
        ],
    }
    message = run_scenario(CerebrasProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (message.reasoning.content, message.content) == ("Think.", TEXT)
    pieces = ({"reasoning": "Thi"}, {"reasoning": "nk."}, {"content": TEXT})
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(CerebrasProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "gpt-oss-120b", "object": "model", "created": 0, "owned_by": "Cerebras"}]}'
    )
    models = CerebrasProvider(KEY).parse_list_models(payload)
    assert [(m.id, m.owned_by) for m in models] == [("gpt-oss-120b", "Cerebras")]
