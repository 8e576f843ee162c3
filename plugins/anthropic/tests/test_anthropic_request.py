"""OpenAI-shaped params → Anthropic request bodies (pure), each body checked against the spec."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from anyllm_anthropic import DEFAULT_MAX_TOKENS, THINKING_BUDGETS, AnthropicProvider
from pydantic import BaseModel, Field

from any_llm import errors
from any_llm.params import SEED_PARAM_NAMES, build_params
from any_llm.provider import CompletionParams, HTTPRequest
from any_llm.testing import build_request

USER = [{"role": "user", "content": "Hi"}]


def params(messages: list[Any] | None = None, **args: Any) -> CompletionParams:
    seed = {k: args.pop(k) for k in list(args) if k in SEED_PARAM_NAMES}
    return build_params("claude-sonnet-4-20250514", messages or USER, seed, args)


@pytest.fixture
def build(check: Any) -> Any:
    """Build the request for these params and assert its body is a valid CreateMessageRequest."""

    def _build(messages: list[Any] | None = None, **args: Any) -> dict[str, Any]:
        request = build_request(AnthropicProvider(api_key="k" * 12), params(messages, **args))
        check("CreateMessageRequest", request.json)
        body: dict[str, Any] = request.json
        return body

    return _build


# -- request envelope ------------------------------------------------------------------------------


def test_request_envelope_headers_and_path() -> None:
    provider = AnthropicProvider(api_key="sk-ant-test-123456")
    request = build_request(provider, params())
    assert isinstance(request, HTTPRequest)
    assert (request.method, request.url, request.stream) == ("POST", "v1/messages", False)
    assert request.headers == {"anthropic-version": "2023-06-01"}
    assert provider.auth_headers() == {"x-api-key": "sk-ant-test-123456"}
    assert "Authorization" not in provider.auth_headers()
    assert "sk-ant" not in repr(provider) and "sk-ant" not in repr(request)
    assert AnthropicProvider(api_key="x" * 10, api_base="https://proxy.example/v1/")._path("messages") == "messages"
    assert AnthropicProvider().auth_headers() == {}


def test_minimal_body_defaults_max_tokens(build: Any) -> None:
    body = build()
    assert body == {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": DEFAULT_MAX_TOKENS,
        "messages": [{"role": "user", "content": "Hi"}],
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"max_tokens": 100}, 100),
        ({"max_completion_tokens": 200}, 200),
        ({"max_tokens": 300, "max_completion_tokens": 300}, 300),
    ],
)
def test_max_tokens_sources(build: Any, args: dict[str, Any], expected: int) -> None:
    assert build(**args)["max_tokens"] == expected


def test_conflicting_max_tokens_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="max_completion_tokens"):
        build_request(AnthropicProvider(), params(max_tokens=10, max_completion_tokens=20))


def test_sampling_stop_user_and_stream(build: Any) -> None:
    body = build(temperature=0.2, top_p=0.9, stop="END", user="user-42", stream=True)
    assert body["temperature"] == 0.2
    assert body["top_p"] == 0.9
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "user-42"}
    assert body["stream"] is True
    assert build(stop=["a", "b"])["stop_sequences"] == ["a", "b"]
    assert "stream" not in build(stream=False)


def test_extra_kwargs_merge_into_body(build: Any) -> None:
    body = build(top_k=5, metadata={"user_id": "from-extra"}, user="u1")
    assert body["top_k"] == 5
    assert body["metadata"] == {"user_id": "from-extra"}


@pytest.mark.parametrize(("tier", "sent"), [("auto", "auto"), ("default", "standard_only")])
def test_service_tier(build: Any, tier: str, sent: str) -> None:
    assert build(service_tier=tier)["service_tier"] == sent


# -- refusals before sending -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        {"n": 2},
        {"seed": 1},
        {"presence_penalty": 0.5},
        {"frequency_penalty": 0.5},
        {"logprobs": True},
        {"top_logprobs": 3},
        {"logit_bias": {"50256": -100}},
        {"temperature": 1.5},
        {"service_tier": "flex"},
        {"prompt_cache_key": "abc"},
        {"response_format": {"type": "json_object"}},
    ],
)
def test_unsupported_params_refused(args: dict[str, Any]) -> None:
    name = next(iter(args))
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(AnthropicProvider(), params(**args))
    assert info.value.parameter_name == name


def test_harmless_values_of_unsupported_params_pass(build: Any) -> None:
    body = build(n=1, logprobs=False, logit_bias={})
    assert "n" not in body and "logprobs" not in body and "logit_bias" not in body


# -- messages --------------------------------------------------------------------------------------


def test_system_and_developer_lifted_and_joined(build: Any) -> None:
    body = build(
        [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
            {"role": "user", "content": "Hello"},
        ]
    )
    assert body["system"] == "Be brief.\n\nAnswer in French."
    assert body["messages"] == [{"role": "user", "content": "Hello"}]


def test_system_with_cache_control_kept_as_blocks(build: Any) -> None:
    part = {"type": "text", "text": "Long manual", "cache_control": {"type": "ephemeral"}}
    body = build([{"role": "system", "content": [part]}, {"role": "user", "content": "Q"}])
    assert body["system"] == [part]


def test_consecutive_same_role_messages_merged(build: Any) -> None:
    body = build(
        [
            {"role": "user", "content": "one"},
            {"role": "user", "content": [{"type": "text", "text": "two"}]},
            {"role": "assistant", "content": "three"},
            {"role": "assistant", "content": "four"},
            {"role": "user", "content": "five"},
        ]
    )
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "three"}, {"type": "text", "text": "four"}]},
        {"role": "user", "content": "five"},
    ]


def test_images_url_and_base64(build: Any) -> None:
    data = base64.b64encode(b"\x89PNG fake").decode()
    body = build(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Compare"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg", "detail": "high"}},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}},
                ],
            }
        ]
    )
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "Compare"},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}},
    ]


def test_pdf_and_text_files_become_documents(build: Any) -> None:
    pdf = base64.b64encode(b"%PDF-1.4 fake").decode()
    txt = base64.b64encode("plain notes ü".encode()).decode()
    body = build(
        [
            {
                "role": "user",
                "content": [
                    {
                        "type": "file",
                        "file": {"filename": "report.pdf", "file_data": f"data:application/pdf;base64,{pdf}"},
                    },
                    {"type": "file", "file": {"file_data": f"data:text/plain;base64,{txt}"}},
                    {"type": "file", "file": {"file_data": "https://example.com/paper.pdf"}},
                    {"type": "text", "text": "Summarize"},
                ],
            }
        ]
    )
    assert body["messages"][0]["content"][:3] == [
        {
            "type": "document",
            "title": "report.pdf",
            "source": {"type": "base64", "media_type": "application/pdf", "data": pdf},
        },
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain notes ü"}},
        {"type": "document", "source": {"type": "url", "url": "https://example.com/paper.pdf"}},
    ]


@pytest.mark.parametrize(
    ("part", "error"),
    [
        ({"type": "file", "file": {"file_data": "data:image/svg+xml;base64,AAAA"}}, errors.ConfigurationError),
        ({"type": "file", "file": {"file_id": "file-abc"}}, errors.UnsupportedParameterError),
        ({"type": "image_url", "image_url": {"url": "data:image/png,rawbytes"}}, errors.ConfigurationError),
        ({"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}, errors.UnsupportedCapabilityError),
        ({"type": "video"}, errors.ConfigurationError),
    ],
)
def test_bad_content_parts_refused(part: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        build_request(AnthropicProvider(), params([{"role": "user", "content": [part]}]))


def test_tool_calls_and_results(build: Any) -> None:
    body = build(
        [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {"id": "toolu_2", "type": "function", "function": {"name": "get_weather", "arguments": ""}},
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "sunny"},
            {"role": "tool", "tool_call_id": "toolu_2", "content": [{"type": "text", "text": "rainy"}]},
            {"role": "user", "content": "Thanks"},
        ]
    )
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {}},
        ],
    }
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "rainy"}]},
            {"type": "text", "text": "Thanks"},
        ],
    }
    assert len(body["messages"]) == 3


def test_assistant_text_kept_before_tool_use(build: Any) -> None:
    body = build(
        [
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "content": "Let me look.",
                "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "t1", "content": "ok"},
        ]
    )
    assert [b["type"] for b in body["messages"][1]["content"]] == ["text", "tool_use"]


@pytest.mark.parametrize(
    "message",
    [
        {"role": "assistant", "tool_calls": [{"id": "t", "function": {"name": "f", "arguments": "{bad"}}]},
        {"role": "assistant", "tool_calls": [{"id": "t", "function": {"name": "f", "arguments": "[1]"}}]},
        {"role": "tool", "content": "no id"},
        {"role": "function", "name": "f", "content": "legacy"},
    ],
)
def test_malformed_messages_refused(message: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigurationError):
        build_request(AnthropicProvider(), params([{"role": "user", "content": "x"}, message]))


def test_thinking_blocks_replayed_before_tool_use(build: Any) -> None:
    sig = "EqQBCgIYAhIM-signature"
    assistant = {
        "role": "assistant",
        "content": None,
        "reasoning": {"content": "Need the weather."},
        "thinking_blocks": [
            {"type": "thinking", "thinking": "Need the weather.", "signature": sig},
            {"type": "redacted_thinking", "data": "opaque"},
        ],
        "tool_calls": [{"id": "toolu_9", "type": "function", "function": {"name": "w", "arguments": "{}"}}],
    }
    body = build(
        [
            {"role": "user", "content": "Weather?"},
            assistant,
            {"role": "tool", "tool_call_id": "toolu_9", "content": "sunny"},
        ],
        tools=[_tool()],
        reasoning_effort="low",
    )
    assert body["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "Need the weather.", "signature": sig},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "tool_use", "id": "toolu_9", "name": "w", "input": {}},
    ]


def test_unsigned_thinking_block_refused() -> None:
    bad = {"role": "assistant", "content": "x", "thinking_blocks": [{"type": "thinking", "thinking": "t"}]}
    with pytest.raises(errors.ConfigurationError, match="signature"):
        build_request(AnthropicProvider(), params([{"role": "user", "content": "q"}, bad]))


def test_reasoning_without_signature_is_not_sent(build: Any) -> None:
    body = build(
        [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "a", "reasoning": {"content": "unsigned thoughts"}},
            {"role": "user", "content": "q2"},
        ]
    )
    assert body["messages"][1] == {"role": "assistant", "content": "a"}
    assert "unsigned" not in json.dumps(body)


# -- tools -----------------------------------------------------------------------------------------


def _tool(name: str = "w", **fn: Any) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": "Weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            **fn,
        },
    }


def test_tools_to_input_schema(build: Any) -> None:
    def get_weather(location: str, unit: str = "F") -> str:
        """Get weather information for a location.

        Args:
            location: The city or location to get weather for
            unit: Temperature unit, either 'C' or 'F'
        """
        return location

    web_search = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
    body = build(
        tools=[get_weather, _tool(strict=True), {"type": "function", "function": {"name": "ping"}}, web_search]
    )
    first, second, third, fourth = body["tools"]
    assert first["name"] == "get_weather"
    assert first["description"] == "Get weather information for a location."
    assert first["input_schema"]["type"] == "object"
    assert first["input_schema"]["required"] == ["location"]
    assert first["input_schema"]["properties"]["unit"]["description"] == "Temperature unit, either 'C' or 'F'"
    assert second == {
        "name": "w",
        "description": "Weather",
        "strict": True,
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
    assert third == {"name": "ping", "input_schema": {"type": "object", "properties": {}}}
    assert fourth == web_search
    assert "tool_choice" not in body


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        ("auto", None, {"type": "auto"}),
        ("required", None, {"type": "any"}),
        ("none", None, {"type": "none"}),
        ({"type": "function", "function": {"name": "w"}}, None, {"type": "tool", "name": "w"}),
        ({"type": "tool", "name": "w"}, None, {"type": "tool", "name": "w"}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        ("none", False, {"type": "none"}),
        ("auto", True, {"type": "auto"}),
    ],
)
def test_tool_choice(build: Any, choice: Any, parallel: bool | None, expected: dict[str, Any]) -> None:
    assert build(tools=[_tool()], tool_choice=choice, parallel_tool_calls=parallel)["tool_choice"] == expected


def test_unknown_tool_choice_refused() -> None:
    with pytest.raises(errors.ConfigurationError):
        build_request(AnthropicProvider(), params(tools=[_tool()], tool_choice="sometimes"))


# -- reasoning -------------------------------------------------------------------------------------


@pytest.mark.parametrize("effort", list(THINKING_BUDGETS))
def test_reasoning_effort_to_thinking_budget(build: Any, effort: str) -> None:
    body = build(reasoning_effort=effort)
    budget = THINKING_BUDGETS[effort]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert body["max_tokens"] == budget + DEFAULT_MAX_TOKENS
    assert body["max_tokens"] > budget


def test_thinking_budget_and_caller_max_tokens(build: Any) -> None:
    assert build(reasoning_effort="low", max_tokens=50000)["max_tokens"] == 50000
    assert build(reasoning_effort="medium", max_tokens=1000)["max_tokens"] == 8192 + 1000


def test_reasoning_none_and_auto(build: Any) -> None:
    assert build(reasoning_effort="none")["thinking"] == {"type": "disabled"}
    assert "thinking" not in build(reasoning_effort="auto")
    assert "thinking" not in build()
    assert build(thinking={"type": "adaptive"})["thinking"] == {"type": "adaptive"}


# -- structured output -----------------------------------------------------------------------------


class City(BaseModel):
    name: str
    country: str = Field(min_length=2, max_length=60)
    population: int = Field(ge=0)
    districts: list[str] = Field(default_factory=list, min_length=3)


def test_pydantic_response_format_to_output_config(build: Any) -> None:
    body = build(response_format=City)
    fmt = body["output_config"]["format"]
    assert fmt["type"] == "json_schema"
    schema = fmt["schema"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "country", "population", "districts"]
    population = schema["properties"]["population"]
    assert "minimum" not in population and "{minimum: 0}" in population["description"]
    country = schema["properties"]["country"]
    assert "minLength" not in country and "maxLength" not in country
    assert "minLength: 2" in country["description"]
    districts = schema["properties"]["districts"]
    assert "minItems" not in districts and "minItems: 3" in districts["description"]
    assert "tools" not in body and "tool_choice" not in body


def test_nested_models_and_dict_schema(build: Any) -> None:
    class Inner(BaseModel):
        value: float = Field(le=10)

    class Outer(BaseModel):
        inner: Inner
        tag: str | int

    schema = build(response_format=Outer)["output_config"]["format"]["schema"]
    inner = schema["$defs"]["Inner"]
    assert inner["additionalProperties"] is False
    assert "maximum" not in inner["properties"]["value"]
    raw = {
        "type": "json_schema",
        "json_schema": {
            "name": "x",
            "schema": {"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}},
        },
    }
    body = build(response_format=raw, stream=True)
    sent = body["output_config"]["format"]["schema"]
    assert sent["properties"]["a"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert sent["additionalProperties"] is False
    assert body["stream"] is True


def test_text_response_format_sends_nothing(build: Any) -> None:
    assert "output_config" not in build(response_format={"type": "text"})


def test_output_config_extra_merges_with_format(build: Any) -> None:
    body = build(response_format=City, output_config={"effort": "high"})
    assert body["output_config"]["effort"] == "high"
    assert body["output_config"]["format"]["type"] == "json_schema"


# -- the spec check itself can fail ----------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.pop("max_tokens"),
        lambda b: b["messages"][0].update(tool_calls=[]),
        lambda b: b.update(tool_choice={"type": "required"}),
        lambda b: b.update(thinking={"type": "enabled", "budget_tokens": 10}),
        lambda b: b.update(output_config={"format": {"type": "json_object"}}),
        lambda b: b.update(max_completion_tokens=5),
        lambda b: b["messages"].append({"role": "assistant", "content": [{"type": "thinking", "thinking": "x"}]}),
    ],
)
def test_spec_rejects_wrong_bodies(check: Any, mutate: Any) -> None:
    body = build_request(AnthropicProvider(), params()).json
    check("CreateMessageRequest", body)
    mutate(body)
    with pytest.raises(AssertionError):
        check("CreateMessageRequest", body)


def test_tool_results_open_the_user_turn_and_empty_text_dropped(build: Any) -> None:
    body = build(
        [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            {"role": "user", "content": "also this"},
            {"role": "tool", "tool_call_id": "t1", "content": "r"},
        ]
    )
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
    }
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "t1", "content": "r"},
        {"type": "text", "text": "also this"},
    ]


def test_native_blocks_and_plain_image_url_string(build: Any) -> None:
    native = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}
    body = build([{"role": "user", "content": [native, {"type": "image_url", "image_url": "https://e.x/a.png"}]}])
    assert body["messages"][0]["content"] == [
        native,
        {"type": "image", "source": {"type": "url", "url": "https://e.x/a.png"}},
    ]


def test_parallel_tool_calls_without_tools_sends_no_tool_choice(build: Any) -> None:
    assert "tool_choice" not in build(parallel_tool_calls=False)
