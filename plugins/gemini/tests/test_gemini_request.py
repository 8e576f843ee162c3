"""OpenAI-shaped params → Gemini GenerateContentRequest: pure translation, checked against the spec schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from anyllm_gemini import GeminiProvider
from pydantic import BaseModel, Field

from any_llm import errors
from any_llm.params import SEED_PARAM_NAMES, build_params
from any_llm.testing import build_request
from any_llm.testing.schema import schema_errors
from any_llm.testing.seed import CityInfo

SPEC = Path(__file__).parent / "spec" / "gemini-native.json"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def request_for(**kwargs: Any) -> Any:
    model = kwargs.pop("model", "gemini-2.5-flash")
    messages = kwargs.pop("messages", [{"role": "user", "content": "Hi"}])
    args = {k: kwargs.pop(k) for k in list(kwargs) if k in SEED_PARAM_NAMES}
    params = build_params(model, messages, args, kwargs)
    return build_request(GeminiProvider(api_key="test-key-123456"), params)


def body_for(**kwargs: Any) -> dict[str, Any]:
    body: dict[str, Any] = request_for(**kwargs).json
    return body


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit, either 'C' or 'F'
    """
    return f"Weather in {location} is sunny and 75{unit}!"


class Address(BaseModel):
    city: str = Field(description="City name")


class Person(BaseModel):
    name: str
    home: Address = Field(description="Where they live")


TOOL_TURN = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Weather in Paris and Rome?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_gemini_0123456789abcdef",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                "extra_content": {"google": {"thought_signature": "c2lnLTE="}},
            },
            {
                "id": "call_gemini_fedcba9876543210",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location": "Rome"}'},
            },
        ],
    },
    {"role": "tool", "tool_call_id": "call_gemini_0123456789abcdef", "content": "sunny"},
    {"role": "tool", "tool_call_id": "call_gemini_fedcba9876543210", "content": '{"temp": 20}'},
]

CASES: dict[str, dict[str, Any]] = {
    "plain": {},
    "sampling": dict(
        temperature=0.2,
        top_p=0.9,
        max_tokens=50,
        n=2,
        stop=["\n"],
        presence_penalty=0.5,
        frequency_penalty=0.1,
        seed=7,
        logprobs=True,
        top_logprobs=3,
    ),
    "tools_callable": dict(tools=[get_weather], tool_choice="auto", parallel_tool_calls=True),
    "tools_named": dict(tools=[get_weather], tool_choice={"type": "function", "function": {"name": "get_weather"}}),
    "structured_model": dict(response_format=CityInfo),
    "structured_nested": dict(response_format=Person),
    "json_object": dict(response_format={"type": "json_object"}),
    "stream": dict(stream=True),
    "reasoning_budget": dict(reasoning_effort="high", max_completion_tokens=100),
    "reasoning_level": dict(model="gemini-3-pro-preview", reasoning_effort="low"),
    "reasoning_off": dict(reasoning_effort="none"),
    "tool_round_trip": dict(messages=TOOL_TURN, tools=[get_weather]),
    "images": dict(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Compare these."},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/photo.webp"}},
                ],
            }
        ]
    ),
    "kwargs": dict(
        safetySettings=[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        generationConfig={"topK": 40},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_request_bodies_validate_against_the_spec(case: str) -> None:
    body = body_for(**dict(CASES[case]))
    assert schema_errors(SPEC, "GenerateContentRequest", body) == []


def test_spec_validation_can_fail() -> None:
    bad = body_for()
    bad["generationConfig"] = {"max_tokens": 5}
    assert schema_errors(SPEC, "GenerateContentRequest", bad)


def test_paths_and_auth() -> None:
    request = request_for()
    assert (request.method, request.url, request.params, request.stream) == (
        "POST",
        "models/gemini-2.5-flash:generateContent",
        None,
        False,
    )
    streaming = request_for(stream=True)
    assert (streaming.url, streaming.params, streaming.stream) == (
        "models/gemini-2.5-flash:streamGenerateContent",
        {"alt": "sse"},
        True,
    )
    assert request_for(model="models/gemini-2.0-flash").url == "models/gemini-2.0-flash:generateContent"
    assert request_for(model="tunedModels/my-model").url == "tunedModels/my-model:generateContent"
    provider = GeminiProvider(api_key="test-key-123456")
    assert provider.auth_headers() == {"x-goog-api-key": "test-key-123456"}
    assert "test-key" not in repr(provider) and "test-key" not in repr(request)
    assert GeminiProvider().auth_headers() == {}


def test_api_base_gets_the_version_when_it_is_a_bare_host() -> None:
    assert GeminiProvider().api_base == "https://generativelanguage.googleapis.com/v1beta"
    assert GeminiProvider(api_base="https://proxy.example/").api_base == "https://proxy.example/v1beta"
    assert GeminiProvider(api_base="https://proxy.example/v1").api_base == "https://proxy.example/v1"


def test_generation_config_mapping() -> None:
    cfg = body_for(**CASES["sampling"])["generationConfig"]
    assert cfg == {
        "temperature": 0.2,
        "topP": 0.9,
        "maxOutputTokens": 50,
        "stopSequences": ["\n"],
        "candidateCount": 2,
        "seed": 7,
        "presencePenalty": 0.5,
        "frequencyPenalty": 0.1,
        "responseLogprobs": True,
        "logprobs": 3,
    }
    assert body_for(max_completion_tokens=9)["generationConfig"] == {"maxOutputTokens": 9}
    assert body_for(stop="END")["generationConfig"]["stopSequences"] == ["END"]
    assert "generationConfig" not in body_for()
    assert "generationConfig" not in body_for(response_format={"type": "text"})


def test_kwargs_merge_into_the_body_and_generation_config() -> None:
    body = body_for(temperature=0.5, **CASES["kwargs"])
    assert body["generationConfig"] == {"temperature": 0.5, "topK": 40}
    assert body["safetySettings"][0]["threshold"] == "BLOCK_NONE"


def test_structured_output_sends_the_json_schema() -> None:
    cfg = body_for(response_format=CityInfo)["generationConfig"]
    assert cfg["responseMimeType"] == "application/json"
    schema = cfg["responseJsonSchema"]
    assert schema["required"] == ["name", "country", "population"]
    assert schema["properties"]["population"]["type"] == "integer"
    assert schema["additionalProperties"] is False
    assert body_for(response_format={"type": "json_object"})["generationConfig"] == {
        "responseMimeType": "application/json"
    }
    raw: dict[str, Any] = {
        "type": "json_schema",
        "json_schema": {"name": "x", "schema": {"type": "array", "items": {"type": "string"}}},
    }
    assert body_for(response_format=raw)["generationConfig"]["responseJsonSchema"] == raw["json_schema"]["schema"]


def test_ref_siblings_are_dropped_as_gemini_requires() -> None:
    from anyllm_gemini._request import schema_for_gemini

    schema: dict[str, Any] = {
        "type": "object",
        "$defs": {"A": {"type": "object", "description": "kept"}},
        "properties": {
            "a": {"$ref": "#/$defs/A", "description": "dropped", "default": None},
            "b": {"type": "array", "items": {"$ref": "#/$defs/A", "title": "dropped"}},
        },
    }
    out = schema_for_gemini(schema)
    assert out["properties"]["a"] == {"$ref": "#/$defs/A"}
    assert out["properties"]["b"] == {"type": "array", "items": {"$ref": "#/$defs/A"}}
    assert out["$defs"]["A"] == {"type": "object", "description": "kept"}
    assert schema["properties"]["a"]["description"] == "dropped"  # the caller's schema is not modified
    sent = body_for(response_format=Person)["generationConfig"]["responseJsonSchema"]
    assert sent["$defs"]["Address"]["properties"]["city"]["description"] == "City name"
    assert all(set(v) <= {"$ref"} for v in sent["properties"].values() if "$ref" in v)


@pytest.mark.parametrize(
    ("effort", "model", "expected"),
    [
        ("low", "gemini-2.5-flash", {"includeThoughts": True, "thinkingBudget": 1024}),
        ("minimal", "gemini-2.5-flash-lite", {"includeThoughts": True, "thinkingBudget": 256}),
        ("xhigh", "gemini-2.5-pro", {"includeThoughts": True, "thinkingBudget": 32768}),
        ("none", "gemini-2.5-flash", {"thinkingBudget": 0}),
        ("high", "gemini-3-pro-preview", {"includeThoughts": True, "thinkingLevel": "HIGH"}),
        ("xhigh", "models/gemini-3.1-flash", {"includeThoughts": True, "thinkingLevel": "HIGH"}),
        ("medium", "gemini-3-flash", {"includeThoughts": True, "thinkingLevel": "MEDIUM"}),
    ],
)
def test_reasoning_effort_maps_to_thinking_config(effort: str, model: str, expected: dict[str, Any]) -> None:
    assert body_for(model=model, reasoning_effort=effort)["generationConfig"]["thinkingConfig"] == expected


def test_reasoning_effort_auto_or_none_value_sends_nothing() -> None:
    assert "generationConfig" not in body_for(reasoning_effort="auto")
    assert "generationConfig" not in body_for(reasoning_effort=None)


def test_tools_become_function_declarations() -> None:
    body = body_for(
        tools=[
            get_weather,
            {"type": "function", "function": {"name": "now"}},
            {"type": "function", "function": {"name": "ping", "parameters": {"type": "object", "properties": {}}}},
        ]
    )
    decls = body["tools"][0]["functionDeclarations"]
    assert decls[0]["name"] == "get_weather"
    assert decls[0]["description"] == "Get weather information for a location."
    params = decls[0]["parametersJsonSchema"]
    assert params["required"] == ["location"]
    assert params["properties"]["location"] == {
        "type": "string",
        "description": "The city or location to get weather for",
    }
    assert decls[1] == {"name": "now"}
    assert decls[2] == {"name": "ping"}  # a no-argument function has no parameters
    assert "toolConfig" not in body


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", {"mode": "AUTO"}),
        ("required", {"mode": "ANY"}),
        ("none", {"mode": "NONE"}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        ),
        (
            {
                "type": "allowed_tools",
                "allowed_tools": {
                    "mode": "required",
                    "tools": [{"type": "function", "function": {"name": "get_weather"}}],
                },
            },
            {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        ),
        (
            {
                "type": "allowed_tools",
                "allowed_tools": {"mode": "auto", "tools": [{"type": "function", "function": {"name": "get_weather"}}]},
            },
            {"mode": "VALIDATED", "allowedFunctionNames": ["get_weather"]},
        ),
    ],
)
def test_tool_choice_modes(choice: Any, expected: dict[str, Any]) -> None:
    body = body_for(tools=[get_weather], tool_choice=choice)
    assert body["toolConfig"] == {"functionCallingConfig": expected}


@pytest.mark.parametrize("choice", ["sometimes", {"type": "function", "function": {}}, {"type": "custom"}])
def test_bad_tool_choice_is_refused(choice: Any) -> None:
    with pytest.raises(errors.UnsupportedParameterError, match="tool_choice"):
        body_for(tools=[get_weather], tool_choice=choice)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(logit_bias={"1": 1.0}), "logit_bias"),
        (dict(user="u-1"), "user"),
        (dict(service_tier="flex"), "service_tier"),
        (dict(prompt_cache_key="k"), "prompt_cache_key"),
        (dict(tools=[get_weather], parallel_tool_calls=False), "parallel_tool_calls"),
        (dict(tools=[{"type": "custom", "custom": {"name": "x"}}]), "tools"),
    ],
)
def test_unsupported_parameters_are_refused(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        body_for(**kwargs)
    assert info.value.parameter_name == name


def test_conflicting_arguments_are_configuration_errors() -> None:
    with pytest.raises(errors.ConfigurationError, match="max_completion_tokens"):
        body_for(max_tokens=5, max_completion_tokens=6)
    assert body_for(max_tokens=5, max_completion_tokens=5)["generationConfig"]["maxOutputTokens"] == 5  # one limit
    with pytest.raises(errors.ConfigurationError, match="logprobs"):
        body_for(top_logprobs=2)


def test_messages_roles_and_system_instruction() -> None:
    body = body_for(
        messages=[
            {"role": "system", "content": "Rule one."},
            {"role": "developer", "content": [{"type": "text", "text": "Rule two."}]},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Bye"},
        ]
    )
    assert body["systemInstruction"] == {"parts": [{"text": "Rule one."}, {"text": "Rule two."}]}
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Hi"}]},
        {"role": "model", "parts": [{"text": "Hello!"}]},
        {"role": "user", "parts": [{"text": "Bye"}]},
    ]


def test_a_lone_system_message_becomes_the_user_turn() -> None:
    body = body_for(messages=[{"role": "system", "content": "Say hi."}])
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Say hi."}]}]
    assert "systemInstruction" not in body


def test_images_audio_and_files() -> None:
    body = body_for(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}", "detail": "high"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/photo.webp?x=1"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/no-extension"}},
                    {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
                    {
                        "type": "file",
                        "file": {
                            "file_id": "https://generativelanguage.googleapis.com/v1beta/files/abc",
                            "filename": "report.pdf",
                        },
                    },
                ],
            }
        ]
    )
    assert body["contents"][0]["parts"] == [
        {"text": "Look"},
        {"inlineData": {"mimeType": "image/png", "data": PNG}},
        {"fileData": {"mimeType": "image/webp", "fileUri": "https://example.com/photo.webp?x=1"}},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/no-extension"}},
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
        {
            "fileData": {
                "mimeType": "application/pdf",
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
            }
        },
    ]


@pytest.mark.parametrize("url", ["data:image/png,notbase64", "data:;base64,AAAA", "data:image/png;base64,"])
def test_malformed_data_urls_are_refused(url: str) -> None:
    with pytest.raises(errors.ConfigurationError, match="data URL"):
        body_for(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}])


def test_tool_round_trip_with_signatures_and_names_found_by_id() -> None:
    contents = body_for(**CASES["tool_round_trip"])["contents"]
    assert contents[1] == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}, "thoughtSignature": "c2lnLTE="},
            {"functionCall": {"name": "get_weather", "args": {"location": "Rome"}}},
        ],
    }
    # both results in one user turn, names found from the assistant's tool_calls; made-up ids not sent
    assert contents[2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"result": "sunny"}}},
            {"functionResponse": {"name": "get_weather", "response": {"temp": 20}}},
        ],
    }


def test_gemini_issued_ids_are_sent_back_and_unsigned_first_calls_get_the_skip_signature() -> None:
    contents = body_for(
        messages=[
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": "Let me check.",
                "tool_calls": [
                    {"id": "fc-42", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "fc-42", "content": "[1, 2]"},
        ],
        tools=[get_weather],
    )["contents"]
    assert contents[1]["parts"] == [
        {"text": "Let me check."},
        {
            "functionCall": {"name": "get_weather", "args": {}, "id": "fc-42"},
            "thoughtSignature": "skip_thought_signature_validator",
        },
    ]
    assert contents[2]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"result": [1, 2]}, "id": "fc-42"}}
    ]


def test_message_signature_is_replayed_on_the_text_part() -> None:
    contents = body_for(
        messages=[
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "content": "Hello",
                "reasoning": {"content": "thinking..."},
                "extra_content": {"google": {"thought_signature": "c2lnLTI="}},
            },
            {"role": "user", "content": "Again"},
        ]
    )["contents"]
    assert contents[1] == {"role": "model", "parts": [{"text": "Hello", "thoughtSignature": "c2lnLTI="}]}


def test_unknown_tool_call_id_is_a_clear_error() -> None:
    with pytest.raises(errors.ConfigurationError, match="matches no tool call"):
        body_for(messages=[{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "nope", "content": "1"}])
    named = body_for(
        messages=[
            {"role": "user", "content": "x"},
            {"role": "tool", "tool_call_id": "nope", "name": "f", "content": "1"},
        ]
    )
    assert named["contents"][1]["parts"][0]["functionResponse"] == {
        "name": "f",
        "response": {"result": 1},
        "id": "nope",
    }
    as_dict = body_for(
        messages=[{"role": "user", "content": "x"}, {"role": "function", "name": "f", "content": {"ok": True}}]
    )
    assert as_dict["contents"][1]["parts"][0]["functionResponse"] == {"name": "f", "response": {"ok": True}}


def test_bad_tool_call_arguments_are_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="not valid JSON"):
        body_for(
            messages=[
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": "{oops"}}],
                },
            ]
        )


def test_embedding_request_validates_against_the_spec() -> None:
    provider = GeminiProvider(api_key="test-key-123456")
    request = provider.build_embedding_request(
        "gemini-embedding-001", ["a", "b"], {"dimensions": 256, "task_type": "RETRIEVAL_QUERY"}
    )
    assert (request.method, request.url) == ("POST", "models/gemini-embedding-001:batchEmbedContents")
    assert request.json["requests"][1] == {
        "model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "b"}]},
        "outputDimensionality": 256,
        "taskType": "RETRIEVAL_QUERY",
    }
    assert schema_errors(SPEC, "BatchEmbedContentsRequest", request.json) == []


def test_list_models_request() -> None:
    provider = GeminiProvider(api_key="test-key-123456")
    request = provider.build_list_models_request({"pageSize": 50})
    assert (request.method, request.url, request.params) == ("GET", "models", {"pageSize": "50"})
    assert provider.build_list_models_request({}).params == {"pageSize": "1000"}  # pages followed by the core
