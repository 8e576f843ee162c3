"""Fireworks AI: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_fireworks import FireworksProvider

from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, check_reasoning, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("fireworks") is FireworksProvider
    assert FireworksProvider.api_key_env == ("FIREWORKS_API_KEY",)
    assert FireworksProvider.api_base_env == ("FIREWORKS_API_BASE",)
    assert FireworksProvider.default_api_base == "https://api.fireworks.ai/inference/v1"
    assert FireworksProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": False,
        "documents": False,
        "embedding": True,
        "list_models": True,
        "count_tokens": False,
        "rerank": False,
        "moderation": False,
        "image_generation": False,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


def test_no_stream_options_and_usage_on_last_chunk() -> None:
    body = build_request(FireworksProvider(KEY), build_params(MODEL, MESSAGES, {"stream": True}, {})).json
    assert "stream_options" not in body and body["stream"] is True
    usage = {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5}
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": usage},
    ]
    chunks = run_scenario(FireworksProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    assert ("".join(c.choices[0].delta.content or "" for c in chunks), chunks[-1].usage.total_tokens) == ("Hi", 5)


def test_reasoning_content() -> None:
    params = build_params(MODEL, MESSAGES, {"stream": True, "reasoning_effort": "low"}, {})
    body = build_request(FireworksProvider(KEY), params).json
    assert body["reasoning_effort"] == "low"
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []
    check_reasoning(
        FireworksProvider,
        {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
    )


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "accounts/fireworks/models/llama-v3p1-8b-instruct", "object": "model", '
        b'"owned_by": "fireworks", "created": 1721692800, "kind": "HF_BASE_MODEL", "supports_chat": true}]}'
    )
    models = FireworksProvider(KEY).parse_list_models(payload)
    assert models[0].id.endswith("llama-v3p1-8b-instruct") and models[0].supports_chat is True
