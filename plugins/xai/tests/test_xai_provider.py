"""xAI: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_xai import XaiProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.plugins import get_provider_class
from any_llm.testing import Reply, build_request
from any_llm.testing.conformance import KEY, MESSAGES, OPENAI_SPEC, TEXT, check_reasoning, run_scenario
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
    check_reasoning(
        XaiProvider,
        {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Thi"}, {"reasoning_content": "nk."}, {"content": TEXT}),
        "Think.",
    )


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
