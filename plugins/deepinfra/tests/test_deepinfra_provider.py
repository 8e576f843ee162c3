"""DeepInfra: declarations and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_deepinfra import DeepinfraProvider

from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import KEY, TEXT, check_reasoning

MODEL = "meta-llama/Llama-3.3-70B-Instruct"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": MODEL}
CHUNK = {**COMPLETION, "object": "chat.completion.chunk"}


def test_declarations() -> None:
    assert get_provider_class("deepinfra") is DeepinfraProvider
    assert DeepinfraProvider.api_key_env == ("DEEPINFRA_API_KEY",)
    assert DeepinfraProvider.api_base_env == ("DEEPINFRA_API_BASE",)
    assert DeepinfraProvider.default_api_base == "https://api.deepinfra.com/v1/openai"
    assert DeepinfraProvider.capabilities() == {
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


def test_reasoning_content() -> None:
    check_reasoning(
        DeepinfraProvider,
        {"role": "assistant", "content": TEXT, "reasoning_content": "Think."},
        ({"reasoning_content": "Think."}, {"content": TEXT}),
        "Think.",
    )


def test_model_list_entries() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "meta-llama/Llama-3.3-70B-Instruct", "object": "model", '
        b'"created": 1733443200, "owned_by": "deepinfra"}]}'
    )
    models = DeepinfraProvider(KEY).parse_list_models(payload)
    assert [(m.id, m.owned_by) for m in models] == [("meta-llama/Llama-3.3-70B-Instruct", "deepinfra")]
