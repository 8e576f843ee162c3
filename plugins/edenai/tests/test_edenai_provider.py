"""Edenai: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

from anyllm_edenai import EdenaiProvider

from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import KEY, TEXT, check_reasoning


def test_declarations() -> None:
    assert get_provider_class("edenai") is EdenaiProvider
    assert EdenaiProvider.api_key_env == ("EDENAI_API_KEY",)
    assert EdenaiProvider.api_base_env == ("EDENAI_API_BASE",)
    assert EdenaiProvider.default_api_base == "https://api.edenai.run/v3"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in EdenaiProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "images",
        "embedding",
        "list_models",
    }


def test_model_list_owner_from_the_id_prefix() -> None:
    payload = (
        b'{"object": "list", "data": [{"id": "openai/gpt-4o-mini", "model_name": "gpt-4o-mini", '
        b'"context_length": 128000}, {"id": "plain-model"}, {"id": "mistral/x", "owned_by": "Mistral AI"}]}'
    )
    models = EdenaiProvider(KEY).parse_list_models(payload)
    assert [(m.id, m.owned_by, m.object, m.created) for m in models] == [
        ("openai/gpt-4o-mini", "openai", "model", 0),
        ("plain-model", "edenai", "model", 0),
        ("mistral/x", "Mistral AI", "model", 0),
    ]
    assert models[0].context_length == 128000


def test_think_block_in_the_content_is_moved_to_reasoning() -> None:
    check_reasoning(
        EdenaiProvider,
        {"content": f"<think>Think.</think>\n{TEXT}"},
        ({"content": "<think>Thi"}, {"content": "nk.</think>"}, {"content": f"\n{TEXT}"}),
        "Think.",
        base_path="/v1",
    )
