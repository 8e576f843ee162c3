"""vLLM through the real HTTP stack: the core's conformance kit (seed examples sync/async, streaming,
tools, structured output, usage, typed errors, env vars, embeddings, models), plus what is vLLM's own:
OpenAI's json_schema goes through as is, and reasoning arrives as reasoning_content or reasoning."""

from __future__ import annotations

from anyllm_vllm import VllmProvider

from any_llm.testing.conformance import (
    TEXT,
    OpenAICompatibleConformance,
    check_reasoning,
    openai_exchanges,
    run_scenario,
)


class TestVllmConformance(OpenAICompatibleConformance):
    provider_class = VllmProvider


def test_structured_output_is_sent_as_json_schema() -> None:
    # vLLM takes OpenAI's json_schema form as is (guided decoding)
    # the kit's structured scenario (its CityInfo model); the kit also checks this body against the spec
    outcome = run_scenario(
        VllmProvider, "structured", [openai_exchanges()["structured"]], use_async=False, base_path="/v1"
    )
    body = (outcome.requests or [])[0].json
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "CityInfo" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["name", "country", "population"]


def test_reasoning_lands_in_reasoning() -> None:
    # vLLM's reasoning parsers send the thinking as reasoning_content (older) or reasoning (newer)
    check_reasoning(
        VllmProvider,
        {"reasoning_content": "Paris is the capital.", "content": TEXT},
        [
            {"role": "assistant", "content": ""},
            {"reasoning_content": "Paris is "},
            {"reasoning": "the capital."},
            {"content": TEXT},
        ],
        thought="Paris is the capital.",
        base_path="/v1",
    )
