"""Requests: every body validates against Mistral's official request schema (which forbids unknown fields),
every seed parameter is mapped or refused, and OpenAI-shaped messages become Mistral's shapes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from anyllm_mistral import REASONING_EFFORTS, MistralProvider, mistral_tool_call_id
from mistral_kit import KEY, SPEC, SPEC_DOC, body_for, build, request_errors, spec_properties

from any_llm.errors import ConfigurationError, UnsupportedParameterError
from any_llm.plugins import get_provider_class
from any_llm.provider import CompletionParams
from any_llm.testing.schema import schema_errors
from any_llm.testing.seed import CityInfo


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit, either 'C' or 'F'
    """
    return f"Weather in {location} is sunny and 75{unit}!"


FOREIGN_HISTORY = [
    {"role": "developer", "content": "You are terse."},
    {"role": "user", "content": "Weather in Paris and Lyon?", "name": "alice"},
    {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "annotations": [],
        "tool_calls": [
            {
                "id": "call_abc123XYZ",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
            },
            {
                "id": "toolu_01A09q90qw90lq917835lq9",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location":"Lyon"}'},
            },
        ],
    },
    {"role": "tool", "tool_call_id": "call_abc123XYZ", "content": "sunny"},
    {"role": "tool", "tool_call_id": "toolu_01A09q90qw90lq917835lq9", "content": [{"type": "text", "text": "rain"}]},
]

CASES: dict[str, dict[str, Any]] = {
    "plain": {},
    "sampling": dict(temperature=0.3, top_p=0.9, n=2, presence_penalty=0.5, frequency_penalty=-0.5),
    "seed_and_max_tokens": dict(seed=42, max_tokens=64),
    "max_completion_tokens": dict(max_completion_tokens=64),
    "stop_string": dict(stop="\n"),
    "stop_list": dict(stop=["\n", "END"]),
    "tools_callable": dict(tools=[get_weather]),
    "tool_choice_auto": dict(tools=[get_weather], tool_choice="auto", parallel_tool_calls=False),
    "tool_choice_none": dict(tools=[get_weather], tool_choice="none"),
    "tool_choice_any": dict(tools=[get_weather], tool_choice="any"),
    "tool_choice_required": dict(tools=[get_weather], tool_choice="required", parallel_tool_calls=True),
    "tool_choice_named": dict(
        tools=[get_weather], tool_choice={"type": "function", "function": {"name": "get_weather"}}
    ),
    "tool_dict_without_parameters": dict(tools=[{"type": "function", "function": {"name": "now", "strict": True}}]),
    "structured_pydantic": dict(response_format=CityInfo),
    "json_schema_dict": dict(
        response_format={
            "type": "json_schema",
            "json_schema": {
                "name": "book",
                "description": "A book",
                "schema": {"type": "object", "properties": {"t": {"type": "string"}}},
                "strict": True,
            },
        }
    ),
    "json_object": dict(response_format={"type": "json_object"}),
    "text_format": dict(response_format={"type": "text"}),
    "stream": dict(stream=True),
    "stream_include_usage": dict(stream=True, stream_options={"include_usage": True}),
    "reasoning_high": dict(reasoning_effort="high"),
    "reasoning_none": dict(reasoning_effort="none"),
    "prompt_cache_key": dict(prompt_cache_key="conv-42"),
    "mistral_kwargs": dict(
        safe_prompt=True,
        prompt_mode="reasoning",
        prediction={"type": "content", "content": "x"},
        metadata={"team": "a"},
    ),
    "replayed_foreign_tool_conversation": dict(messages=FOREIGN_HISTORY, tools=[get_weather]),
    "replayed_reasoning_turn": dict(
        messages=[
            {"role": "user", "content": "17*23?"},
            {"role": "assistant", "content": "391", "reasoning": {"content": "17*20+17*3"}},
            {"role": "user", "content": "times 3?"},
        ]
    ),
    "images": dict(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Compare these."},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "high"}},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "original"},
                    },
                    {"type": "image_url", "image_url": "https://example.com/b.png"},
                ],
            }
        ]
    ),
    "audio_and_files": dict(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
                    {"type": "file", "file": {"file_id": "3b1f0c4e-9a7d-4c2b-8e1a-2f6d5c4b3a21"}},
                    {"type": "document_url", "document_url": "https://example.com/paper.pdf"},
                ],
            }
        ]
    ),
    "system_parts_and_prefix": dict(
        messages=[
            {
                "role": "system",
                "content": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
            },
            {"role": "user", "content": "Say hi"},
            {"role": "assistant", "content": "Hi", "prefix": True},
        ]
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_request_bodies_validate_against_both_mistral_specs(case: str) -> None:
    request = build(**CASES[case])
    assert (request.method, request.url) == ("POST", "chat/completions")
    assert request_errors(request.json) == []


def test_the_schema_check_catches_wrong_mappings() -> None:
    """The validator used above rejects exactly what an OpenAI pass-through would send."""
    good = body_for(tools=[get_weather])
    wrong = [
        {**good, "seed": 1},
        {**good, "max_completion_tokens": 5},
        {**good, "user": "u1"},
        {**good, "stream_options": {"include_usage": True}},
        {**good, "reasoning_effort": "low"},
        {**good, "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}}},
        {**good, "messages": [{"role": "user", "content": "x", "name": "alice"}]},
        {**good, "messages": [{"role": "assistant", "content": "x", "refusal": None}]},
        {**good, "messages": [{"role": "assistant", "content": "x", "reasoning_content": "hmm"}]},
        {**good, "tools": [{"type": "function", "function": {"name": "f"}}]},
    ]
    for body in wrong:
        assert request_errors(body), body


SAMPLES: dict[str, Any] = {
    "tools": [get_weather],
    "tool_choice": "auto",
    "temperature": 0.2,
    "top_p": 0.5,
    "max_tokens": 9,
    "response_format": {"type": "json_object"},
    "stream": True,
    "n": 2,
    "stop": ["x"],
    "presence_penalty": 0.1,
    "frequency_penalty": 0.1,
    "seed": 3,
    "user": "u-1",
    "parallel_tool_calls": False,
    "logprobs": True,
    "top_logprobs": 2,
    "logit_bias": {"1": 1.0},
    "stream_options": {"include_usage": False},
    "max_completion_tokens": 9,
    "reasoning_effort": "high",
    "service_tier": "auto",
    "prompt_cache_key": "k",
}
MAPPED = {"seed": "random_seed", "max_completion_tokens": "max_tokens"}
REFUSED = {"user", "logprobs", "top_logprobs", "logit_bias", "stream_options", "service_tier"}


def test_every_seed_parameter_is_mapped_or_refused() -> None:
    """Enumerates CompletionParams, so a seed parameter added later fails here until it is handled."""
    seed_fields = {f.name for f in dataclasses.fields(CompletionParams)} - {"model", "messages", "output_type", "extra"}
    assert set(SAMPLES) == seed_fields
    spec_props = spec_properties("ChatCompletionRequest")
    for name, value in SAMPLES.items():
        if name in REFUSED:
            with pytest.raises(UnsupportedParameterError) as info:
                body_for(**{name: value})
            assert (info.value.parameter_name, info.value.provider_name) == (name, "mistral")
            continue
        body = body_for(**{name: value})
        wire = MAPPED.get(name, name)
        assert wire in body and wire in spec_props, name
        assert request_errors(body) == [], name
    # The refusals are justified by the spec: none of these fields exists in the request schema.
    assert not (REFUSED & set(spec_props))


def test_renames_and_values() -> None:
    body = body_for(seed=7, max_completion_tokens=20, stop="\n", safe_prompt=True)
    assert body == {
        "model": "mistral-small-latest",
        "messages": [{"role": "user", "content": "Hi"}],
        "random_seed": 7,
        "max_tokens": 20,
        "stop": "\n",
        "safe_prompt": True,
    }
    assert "stream_options" not in body_for(stream=True, stream_options={"include_usage": True})
    assert body_for(stream=True)["stream"] is True
    assert "stream" not in body_for(stream=False)


def test_both_token_limits_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="max_tokens or max_completion_tokens"):
        body_for(max_tokens=5, max_completion_tokens=6)


def test_reasoning_effort_follows_the_spec_enum() -> None:
    assert tuple(spec_properties("ChatCompletionRequest")["reasoning_effort"]["enum"]) == REASONING_EFFORTS
    assert "reasoning_effort" not in body_for()  # "auto" is the default: nothing sent
    assert "reasoning_effort" not in body_for(reasoning_effort="auto")
    for effort in REASONING_EFFORTS:
        assert body_for(reasoning_effort=effort)["reasoning_effort"] == effort
    for effort in ("minimal", "low", "medium", "xhigh"):
        with pytest.raises(UnsupportedParameterError, match="'high' or 'none'"):
            body_for(reasoning_effort=effort)


def test_stream_options_other_than_include_usage_are_refused() -> None:
    for options in ({"include_usage": False}, {"include_obfuscation": True}):
        with pytest.raises(UnsupportedParameterError, match="stream_options"):
            body_for(stream=True, stream_options=options)


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("any", "any"),
        ("required", "any"),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "function": {"name": "get_weather"}},
        ),
        ({"function": {"name": "get_weather"}}, {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_tool_choice_forms(given: Any, sent: Any) -> None:
    body = body_for(tools=[get_weather], tool_choice=given)
    assert body["tool_choice"] == sent
    assert request_errors(body) == []


@pytest.mark.parametrize(
    "choice",
    [
        "get_weather",
        {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}},
        {"type": "custom", "custom": {"name": "x"}},
    ],
)
def test_tool_choice_without_a_mistral_form_is_refused(choice: Any) -> None:
    with pytest.raises(UnsupportedParameterError, match="tool_choice"):
        body_for(tools=[get_weather], tool_choice=choice)


def test_tools_are_rebuilt_in_mistral_shape() -> None:
    body = body_for(tools=[get_weather, {"type": "function", "function": {"name": "now"}}])
    weather, now = body["tools"]
    assert weather["function"]["description"] == "Get weather information for a location."
    assert weather["function"]["parameters"]["required"] == ["location"]
    assert now == {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}
    with pytest.raises(UnsupportedParameterError, match="function tools only"):
        body_for(tools=[{"type": "custom", "custom": {"name": "x"}, "function": {"name": "x"}}])


def test_json_schema_shape_matches_mistral() -> None:
    sent = body_for(response_format=CityInfo)["response_format"]
    assert sent["type"] == "json_schema"
    assert set(sent["json_schema"]) == {"name", "schema", "strict"}
    assert sent["json_schema"]["name"] == "CityInfo" and sent["json_schema"]["strict"] is True
    assert set(sent["json_schema"]["schema"]["required"]) == {"name", "country", "population"}
    assert set(sent["json_schema"]) <= set(
        json.loads(SPEC.read_text())["components"]["schemas"]["JsonSchema"]["properties"]
    )


def test_tool_call_ids_are_mapped_to_mistral_format() -> None:
    assert mistral_tool_call_id("D681PevKs") == "D681PevKs"  # already valid: untouched
    mapped = {x: mistral_tool_call_id(x) for x in ("call_abc123XYZ", "toolu_01A09q90qw90lq917835lq9", "null", "abc")}
    for original, new in mapped.items():
        assert len(new) == 9 and new.isascii() and new.isalnum(), (original, new)
        assert mistral_tool_call_id(original) == new  # deterministic
    assert len(set(mapped.values())) == len(mapped)
    messages = body_for(messages=FOREIGN_HISTORY, tools=[get_weather])["messages"]
    call_ids = [c["id"] for c in messages[2]["tool_calls"]]
    assert call_ids == [mapped["call_abc123XYZ"], mapped["toolu_01A09q90qw90lq917835lq9"]]
    assert [messages[3]["tool_call_id"], messages[4]["tool_call_id"]] == call_ids
    assert messages[3]["name"] == messages[4]["name"] == "get_weather"  # filled in from the matching call


def test_foreign_history_becomes_mistral_messages() -> None:
    messages = body_for(messages=FOREIGN_HISTORY, tools=[get_weather])["messages"]
    assert messages[0] == {"role": "system", "content": "You are terse."}
    assert messages[1] == {"role": "user", "content": "Weather in Paris and Lyon?"}
    assert messages[2]["content"] == "" and set(messages[2]) == {"role", "content", "tool_calls"}
    assert messages[2]["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"location":"Paris"}'}
    assert messages[4]["content"] == [{"type": "text", "text": "rain"}]


def test_reasoning_is_replayed_as_a_thinking_chunk() -> None:
    messages = body_for(**CASES["replayed_reasoning_turn"])["messages"]
    assert messages[1] == {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": [{"type": "text", "text": "17*20+17*3"}]},
            {"type": "text", "text": "391"},
        ],
    }
    # A signature Mistral sent with its thinking goes back with it. Only the newer public-doc spec defines the
    # field (a server that never sends signatures never sees one), so the core spec's only complaint is that field.
    history = [
        {"role": "user", "content": "17*23?"},
        {"role": "assistant", "content": "391", "reasoning": {"content": "17*20+17*3", "signature": "sig=="}},
    ]
    body = body_for(messages=history)
    assert body["messages"][1]["content"][0]["signature"] == "sig=="
    assert schema_errors(SPEC_DOC, "ChatCompletionRequest", body) == []
    core = schema_errors(SPEC, "AssistantMessage", body["messages"][1])
    assert len(core) == 1 and "is not valid under any of the given schemas" in core[0]
    unsigned = {
        **body["messages"][1],
        "content": [
            {k: v for k, v in body["messages"][1]["content"][0].items() if k != "signature"},
            body["messages"][1]["content"][1],
        ],
    }
    assert schema_errors(SPEC, "AssistantMessage", unsigned) == []
    # a tool-call turn with reasoning keeps the thinking chunk as its content
    turn = {
        "role": "assistant",
        "content": None,
        "reasoning": {"content": "need weather"},
        "tool_calls": [{"id": "a1B2c3D4e", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    sent = body_for(messages=[{"role": "user", "content": "x"}, turn])["messages"][1]
    assert sent["content"] == [{"type": "thinking", "thinking": [{"type": "text", "text": "need weather"}]}]
    assert request_errors(body_for(messages=[{"role": "user", "content": "x"}, turn])) == []


def test_content_parts_in_mistral_form() -> None:
    parts = body_for(**CASES["images"])["messages"][0]["content"]
    assert parts[1] == {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "high"}}
    assert parts[2] == {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    assert parts[3] == {"type": "image_url", "image_url": "https://example.com/b.png"}
    audio, file, doc = body_for(**CASES["audio_and_files"])["messages"][0]["content"]
    assert audio == {"type": "input_audio", "input_audio": "UklGRg=="}
    assert file == {"type": "file", "file_id": "3b1f0c4e-9a7d-4c2b-8e1a-2f6d5c4b3a21"}
    assert doc["document_url"] == "https://example.com/paper.pdf"
    system = body_for(**CASES["system_parts_and_prefix"])["messages"]
    assert system[0]["content"] == [{"type": "text", "text": "Be brief."}]
    assert system[2] == {"role": "assistant", "content": "Hi", "prefix": True}


@pytest.mark.parametrize(
    ("messages", "match"),
    [
        ([{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "https://x/a.png"}}]}], "system"),
        (
            [
                {
                    "role": "user",
                    "content": [{"type": "file", "file": {"file_data": "data:application/pdf;base64,AA=="}}],
                }
            ],
            "inline file",
        ),
        ([{"role": "user", "content": [{"type": "video_url", "video_url": "https://x/v.mp4"}]}], "video_url"),
        ([{"role": "function", "name": "f", "content": "x"}], "role='function'"),
        ([{"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}], "function_call"),
    ],
)
def test_content_mistral_cannot_take_is_refused(messages: list[dict[str, Any]], match: str) -> None:
    with pytest.raises(UnsupportedParameterError, match=match):
        body_for(messages=messages)


def test_tool_results_that_are_not_strings_are_sent_as_json() -> None:
    messages = [
        {"role": "user", "content": "x"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "a1B2c3D4e", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": {"temp": 21}},
    ]
    body = body_for(messages=messages)
    assert body["messages"][2] == {"role": "tool", "content": '{"temp": 21}', "tool_call_id": "a1B2c3D4e", "name": "f"}
    assert request_errors(body) == []


def test_declarations_and_discovery() -> None:
    assert get_provider_class("mistral") is MistralProvider
    assert MistralProvider.api_key_env == ("MISTRAL_API_KEY",)
    assert MistralProvider.api_base_env == ("MISTRAL_API_BASE",)
    assert MistralProvider.default_api_base == "https://api.mistral.ai/v1"
    assert MistralProvider.capabilities() == {
        "completion": True,
        "streaming": True,
        "tools": True,
        "structured_output": True,
        "reasoning": True,
        "images": True,
        "audio": True,
        "documents": True,
        "embedding": True,
        "list_models": True,
        "count_tokens": False,
        "rerank": False,
        "moderation": True,
        "image_generation": False,
        "speech": False,
        "transcription": True,
        "batch": True,
    }
    assert MistralProvider.supports_stream_usage is False
    assert "stream_options" not in spec_properties("ChatCompletionRequest")
    provider = MistralProvider(api_key=KEY)
    assert provider.auth_headers() == {"Authorization": f"Bearer {KEY}"}
    assert KEY not in repr(provider) and KEY not in repr(build())


def test_embedding_request_validates_against_the_spec() -> None:
    provider = MistralProvider(api_key=KEY)
    request = provider.build_embedding_request("mistral-embed", ["a", "b"], {"dimensions": 256, "output_dtype": "int8"})
    assert (request.method, request.url) == ("POST", "embeddings")
    assert request.json == {
        "model": "mistral-embed",
        "input": ["a", "b"],
        "output_dimension": 256,
        "output_dtype": "int8",
    }
    assert request_errors(request.json, "EmbeddingRequest") == []
    assert request_errors({**request.json, "dimensions": 256}, "EmbeddingRequest")  # the name OpenAI uses is rejected
    with pytest.raises(UnsupportedParameterError, match="encoding_format"):
        provider.build_embedding_request("mistral-embed", ["a"], {"encoding_format": "base64"})
    with pytest.raises(ConfigurationError, match="not both"):
        provider.build_embedding_request("mistral-embed", ["a"], {"dimensions": 1, "output_dimension": 2})


def test_list_models_request() -> None:
    request = MistralProvider(api_key=KEY).build_list_models_request({"provider": "mistralai"})
    assert (request.method, request.url, request.params) == ("GET", "models", {"provider": "mistralai"})
