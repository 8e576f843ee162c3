"""xAI: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_xai import XaiProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, run_scenario
from any_llm.testing.schema import schema_errors

MODEL = "grok-3-mini"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("xai") is XaiProvider
    assert XaiProvider.api_key_env == ("XAI_API_KEY",)
    assert XaiProvider.api_base_env == ("XAI_API_BASE",)
    assert XaiProvider.default_api_base == "https://api.x.ai/v1"
    assert XaiProvider.capabilities() == {
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
        "image_generation": True,
        "speech": False,
        "transcription": False,
        "batch": False,
    }


def test_reasoning_content() -> None:
    params = build_params(MODEL, MESSAGES, {"stream": True, "reasoning_effort": "high"}, {})
    body = build_request(XaiProvider(KEY), params).json
    assert body["reasoning_effort"] == "high"
    assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", body) == []
    answer = {
        **COMPLETION,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
            }
        ],
    }
    message = run_scenario(XaiProvider, "plain", [Reply.json(answer)], use_async=False).result.choices[0].message
    assert (message.reasoning.content, message.content) == ("Think.", TEXT)
    pieces = ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT})
    events = [{**CHUNK, "choices": [{"index": 0, "delta": d}]} for d in pieces]
    chunks = run_scenario(XaiProvider, "stream", [Reply.sse(events)], use_async=False).chunks or []
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Think."
    assert "".join(d.content or "" for d in deltas) == TEXT


def test_model_rejection_surfaces() -> None:
    rejection = Reply.json(
        {
            "code": "Client specified an invalid argument",
            "error": "Model grok-4 does not support parameter reasoningEffort.",
        },
        status=400,
    )
    error = run_scenario(XaiProvider, "plain", [rejection], use_async=False).error
    assert isinstance(error, errors.InvalidRequestError) and "reasoningEffort" in str(error)


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "grok-4", "object": "model", "created": 1752019200, "owned_by": "xai"}]}'
    )
    assert [(m.id, m.owned_by) for m in XaiProvider(KEY).parse_list_models(payload)] == [("grok-4", "xai")]
