"""The openai plugin against the official OpenAI spec: request bodies validate, documented responses parse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_openai import OpenAIProvider

from any_llm.errors import ConfigurationError
from any_llm.params import SEED_PARAM_NAMES, build_params
from any_llm.testing import build_request
from any_llm.testing.schema import OPENAI_SPEC, schema_errors
from any_llm.testing.seed import CityInfo
from any_llm.types import ChatCompletion, ChatCompletionChunk

SPEC = OPENAI_SPEC
EXAMPLES = json.loads((Path(__file__).parent / "spec" / "examples.json").read_text())


def body_for(**kwargs: Any) -> dict[str, Any]:
    model = kwargs.pop("model", "gpt-4.1-mini")
    messages = kwargs.pop("messages", [{"role": "user", "content": "Hi"}])
    args = {k: kwargs.pop(k) for k in list(kwargs) if k in SEED_PARAM_NAMES}
    params = build_params(model, messages, args, kwargs)
    request = build_request(OpenAIProvider(api_key="sk-test-000000000"), params)
    assert request.method == "POST"
    assert request.url == "chat/completions"
    body: dict[str, Any] = request.json
    return body


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit, either 'C' or 'F'
    """
    return f"Weather in {location} is sunny and 75{unit}!"


CASES = {
    "plain": {},
    "every_sampling_param": dict(
        temperature=0.2,
        top_p=0.9,
        max_tokens=50,
        n=2,
        stop=["\n"],
        presence_penalty=0.5,
        frequency_penalty=0.1,
        seed=7,
        user="u-1",
        logprobs=True,
        top_logprobs=3,
        logit_bias={"50256": -100},
    ),
    "tools_callable": dict(tools=[get_weather], tool_choice="auto", parallel_tool_calls=False),
    "tools_named": dict(tools=[get_weather], tool_choice={"type": "function", "function": {"name": "get_weather"}}),
    "structured_model": dict(response_format=CityInfo),
    "json_object": dict(response_format={"type": "json_object"}),
    "stream": dict(stream=True),
    "stream_usage_off": dict(stream=True, stream_options={"include_usage": False}),
    "reasoning": dict(reasoning_effort="high", max_completion_tokens=100),
    "service_tier": dict(service_tier="flex", prompt_cache_key="k1"),
    "tool_round_trip": dict(
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        ],
        tools=[get_weather],
    ),
    "image_input": dict(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                ],
            }
        ]
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_request_bodies_validate_against_the_spec(case: str) -> None:
    body = body_for(**dict(CASES[case]))
    assert schema_errors(SPEC, "CreateChatCompletionRequest", body) == []


def test_mapping_details() -> None:
    body = body_for(max_tokens=50, reasoning_effort="auto", stream=True)
    assert "max_tokens" not in body
    assert body["max_completion_tokens"] == 50
    assert "reasoning_effort" not in body  # auto sends nothing
    assert body["stream_options"] == {"include_usage": True}
    assert body_for(reasoning_effort="low")["reasoning_effort"] == "low"
    schema = body_for(response_format=CityInfo)["response_format"]["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["required"] == ["name", "country", "population"]
    assert schema["schema"]["additionalProperties"] is False
    tool = body_for(tools=[get_weather])["tools"][0]["function"]
    assert tool["description"] == "Get weather information for a location."
    assert tool["parameters"]["properties"]["unit"]["description"] == "Temperature unit, either 'C' or 'F'"
    assert tool["parameters"]["required"] == ["location"]


def test_kwargs_go_into_the_body_verbatim() -> None:
    body = body_for(metadata={"a": "b"}, store=True)
    assert body["metadata"] == {"a": "b"}
    assert body["store"] is True


def test_assistant_tool_call_turns_are_sent_with_empty_content() -> None:
    body = body_for(**dict(CASES["tool_round_trip"]))
    assert body["messages"][2]["content"] == ""


def test_both_token_limits_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="max_completion_tokens"):
        body_for(max_tokens=5, max_completion_tokens=5)


def _clean(text: str) -> str:
    """The docs' examples elide with '....' lines and leave trailing commas; make them JSON again."""
    import re

    text = "\n".join(line for line in text.splitlines() if "...." not in line)
    return re.sub(r",(\s*[\]}])", r"\1", text)


@pytest.mark.parametrize("title", ["Default", "Image input", "Functions", "Logprobs"])
def test_documented_responses_parse_and_round_trip(title: str) -> None:
    raw = json.loads(EXAMPLES["chat"][title])
    if title in ("Default", "Image input"):  # the other examples predate fields the schema now requires
        assert schema_errors(SPEC, "CreateChatCompletionResponse", raw) == []
    completion = OpenAIProvider().parse_completion(
        json.dumps(raw).encode(), build_params("m", [{"role": "user", "content": "x"}], {}, {})
    )
    assert isinstance(completion, ChatCompletion)
    assert completion.model_dump(mode="json", exclude_unset=True) == raw


def test_documented_stream_parses() -> None:
    from any_llm.provider import StreamEvent

    lines = [line for line in EXAMPLES["chat"]["Streaming"].splitlines() if line.strip().startswith("{")]
    parser = OpenAIProvider().stream_parser(build_params("m", [{"role": "user", "content": "x"}], {"stream": True}, {}))
    chunks = []
    for line in lines:
        chunks.extend(parser.feed(StreamEvent(line.encode())))
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert len(chunks) == len(lines)
    assert chunks[-1].choices[0].finish_reason == "stop"
    for chunk, line in zip(chunks, lines):
        assert chunk.model_dump(mode="json", exclude_unset=True) == json.loads(line)


def test_documented_models_and_embeddings_parse() -> None:
    provider = OpenAIProvider()
    models = provider.parse_list_models(_clean(EXAMPLES["models"]).encode())
    assert [m.id for m in models] == ["model-id-0", "model-id-1", "model-id-2"]
    assert models[2].model_extra == {"shutdown_date": "2026-10-23"}
    emb = provider.parse_embedding(_clean(EXAMPLES["embeddings"]).encode(), "text-embedding-ada-002")
    assert emb.data[0].embedding[0] == pytest.approx(0.0023064255)
