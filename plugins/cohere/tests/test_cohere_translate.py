"""Pure translation both ways: v2 request bodies against the hand-written schema, v2 responses to our types."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_cohere import CohereProvider
from anyllm_cohere.provider import convert_messages

from any_llm import errors
from any_llm.params import SEED_PARAM_NAMES, build_params
from any_llm.provider import CompletionParams
from any_llm.testing import build_request
from any_llm.testing.seed import CityInfo

USER = [{"role": "user", "content": "What is the capital of France?"}]
MODEL = "command-a-03-2025"


def params(messages: list[dict[str, Any]] | None = None, **kwargs: Any) -> CompletionParams:
    seed = {k: kwargs.pop(k) for k in list(kwargs) if k in SEED_PARAM_NAMES}
    return build_params(MODEL, messages or USER, seed, kwargs)


def body_of(check: Any, **kwargs: Any) -> dict[str, Any]:
    messages = kwargs.pop("messages", None)
    request = build_request(CohereProvider(api_key="test-key-123456"), params(messages, **kwargs))
    assert (request.method, request.url) == ("POST", "v2/chat")
    assert check(request.json) == []
    return dict(request.json)


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit, either 'C' or 'F'
    """
    return f"Weather in {location} is sunny and 75{unit}!"


# -- requests -----------------------------------------------------------------------------------


def test_minimal_body(check: Any) -> None:
    assert body_of(check) == {"model": MODEL, "messages": USER, "stream": False}


def test_stream_flag(check: Any) -> None:
    request = build_request(CohereProvider(), params(stream=True, stream_options={"include_usage": True}))
    assert request.stream is True
    assert request.json["stream"] is True
    assert check(request.json) == []


def test_sampling_parameters_renamed(check: Any) -> None:
    body = body_of(
        check,
        temperature=0.3,
        top_p=0.75,
        seed=42,
        frequency_penalty=0.5,
        presence_penalty=0.25,
        max_tokens=300,
        stop="END",
        logprobs=True,
    )
    assert {k: body[k] for k in body if k not in ("model", "messages", "stream")} == {
        "temperature": 0.3,
        "p": 0.75,
        "seed": 42,
        "frequency_penalty": 0.5,
        "presence_penalty": 0.25,
        "max_tokens": 300,
        "stop_sequences": ["END"],
        "logprobs": True,
    }


def test_max_completion_tokens(check: Any) -> None:
    assert body_of(check, max_completion_tokens=64, stop=["a", "b"])["max_tokens"] == 64
    with pytest.raises(errors.ConfigurationError, match="not both"):
        build_request(CohereProvider(), params(max_tokens=1, max_completion_tokens=2))


def test_kwargs_merge_into_body(check: Any) -> None:
    body = body_of(check, safety_mode="STRICT", k=40, priority=1, citation_options={"mode": "FAST"})
    assert (body["safety_mode"], body["k"], body["priority"]) == ("STRICT", 40, 1)
    assert body["citation_options"] == {"mode": "FAST"}


def test_schema_catches_misnamed_fields(check: Any) -> None:
    """The closed schema is what makes these tests able to fail on a wrong field name."""
    assert check({"model": MODEL, "messages": USER, "top_p": 0.5}) != []
    assert check({"model": MODEL, "messages": [{"role": "tool", "content": "x"}]}) != []


def test_tools_from_callable_and_tool_choice(check: Any) -> None:
    body = body_of(check, tools=[get_weather])
    (tool,) = body["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "get_weather"
    assert tool["function"]["description"].startswith("Get weather information")
    assert tool["function"]["parameters"]["required"] == ["location"]
    assert "tool_choice" not in body and "strict_tools" not in body
    assert body_of(check, tools=[get_weather], tool_choice="required")["tool_choice"] == "REQUIRED"
    assert body_of(check, tools=[get_weather], tool_choice="none")["tool_choice"] == "NONE"
    assert "tool_choice" not in body_of(check, tools=[get_weather], tool_choice="auto")


def test_strict_tool_sets_strict_tools(check: Any) -> None:
    tool = {
        "type": "function",
        "function": {"name": "now", "strict": True, "parameters": {"type": "object", "properties": {}}},
    }
    body = body_of(check, tools=[tool])
    assert body["strict_tools"] is True
    assert body["tools"] == [
        {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}
    ]


def now() -> str:
    """The current time."""
    return "noon"


def test_named_tool_choice_sends_that_tool_alone_as_required(check: Any) -> None:
    choice = {"type": "function", "function": {"name": "get_weather"}}
    body = body_of(check, tools=[now, get_weather], tool_choice=choice)
    assert [t["function"]["name"] for t in body["tools"]] == ["get_weather"]
    assert body["tool_choice"] == "REQUIRED"
    assert [t["function"]["name"] for t in body_of(check, tools=[now, get_weather])["tools"]] == ["now", "get_weather"]


def test_named_tool_choice_must_name_a_tool() -> None:
    choice = {"type": "function", "function": {"name": "get_time"}}
    with pytest.raises(errors.ConfigurationError, match="get_time"):
        build_request(CohereProvider(), params(tools=[get_weather], tool_choice=choice))


@pytest.mark.parametrize(
    "choice",
    [
        {
            "type": "allowed_tools",
            "allowed_tools": {"mode": "required", "tools": [{"type": "function", "function": {"name": "get_weather"}}]},
        },
        {"type": "custom", "custom": {"name": "get_weather"}},
        "any",
    ],
)
def test_other_tool_choices_are_refused(choice: Any) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(CohereProvider(), params(tools=[get_weather], tool_choice=choice))
    assert info.value.parameter_name == "tool_choice"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("n", 2),
        ("logit_bias", {"1": 2.0}),
        ("parallel_tool_calls", False),
        ("user", "u"),
        ("top_logprobs", 2),
    ],
)
def test_unsupported_parameters(name: str, value: Any) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(CohereProvider(), params(**{name: value}))
    assert info.value.parameter_name == name


def test_structured_output_from_pydantic(check: Any) -> None:
    body = body_of(check, response_format=CityInfo)
    fmt = body["response_format"]
    assert fmt["type"] == "json_object"
    assert set(fmt["json_schema"]["properties"]) == {"name", "country", "population"}
    assert fmt["json_schema"]["required"] == ["name", "country", "population"]


def test_response_format_dicts(check: Any) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    wrapped = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    assert body_of(check, response_format=wrapped)["response_format"] == {"type": "json_object", "json_schema": schema}
    assert body_of(check, response_format={"type": "json_object"})["response_format"] == {"type": "json_object"}
    assert body_of(check, response_format={"type": "text"})["response_format"] == {"type": "text"}


@pytest.mark.parametrize(
    ("effort", "thinking"),
    [
        ("none", {"type": "disabled"}),
        ("minimal", {"type": "enabled", "token_budget": 256}),
        ("low", {"type": "enabled", "token_budget": 1024}),
        ("medium", {"type": "enabled", "token_budget": 8192}),
        ("high", {"type": "enabled", "token_budget": 24576}),
        ("xhigh", {"type": "enabled", "token_budget": 32000}),
    ],
)
def test_reasoning_effort_to_thinking(check: Any, effort: str, thinking: dict[str, Any]) -> None:
    assert body_of(check, reasoning_effort=effort)["thinking"] == thinking


def test_reasoning_effort_auto_sends_nothing(check: Any) -> None:
    assert "thinking" not in body_of(check, reasoning_effort="auto")


def test_messages(check: Any) -> None:
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Answer in French."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe this."},
                {"type": "image_url", "image_url": {"url": "https://cohere.com/cat.png", "detail": "low"}},
                {"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
    ]
    assert body_of(check, messages=messages)["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Answer in French."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe this."},
                {"type": "image_url", "image_url": {"url": "https://cohere.com/cat.png", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
        },
        {"role": "assistant", "content": "A cat."},
    ]


def test_tool_round_trip_messages(check: Any) -> None:
    messages = [
        {"role": "user", "content": "What's the weather in Paris?"},
        {
            "role": "assistant",
            "content": "I will look up the weather.",
            "reasoning": {"content": "hm"},
            "tool_calls": [
                {
                    "id": "get_weather_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "get_weather_1", "content": "Weather in Paris is sunny and 75F!"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c2", "type": "function", "function": {"name": "now", "arguments": {}}}],
        },
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "noon"}]},
    ]
    assert body_of(check, messages=messages)["messages"][1:] == [
        {
            "role": "assistant",
            "tool_plan": "I will look up the weather.",
            "tool_calls": [
                {
                    "id": "get_weather_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "get_weather_1", "content": "Weather in Paris is sunny and 75F!"},
        {
            "role": "assistant",
            "tool_calls": [{"id": "c2", "type": "function", "function": {"name": "now", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "noon"}]},
    ]


@pytest.mark.parametrize(
    ("messages", "cls", "match"),
    [
        ([{"role": "tool", "content": "x"}], errors.ConfigurationError, "tool_call_id"),
        ([{"role": "function", "name": "f", "content": "x"}], errors.UnsupportedParameterError, "function"),
        (
            [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}],
            errors.UnsupportedParameterError,
            "input_audio",
        ),
        (
            [{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            errors.UnsupportedParameterError,
            "only text",
        ),
        (
            [{"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]}],
            errors.ConfigurationError,
            "id",
        ),
    ],
)
def test_message_errors(messages: list[dict[str, Any]], cls: type[Exception], match: str) -> None:
    with pytest.raises(cls, match=match):
        convert_messages(messages, "cohere")


def test_api_base_and_auth() -> None:
    assert CohereProvider().api_base == "https://api.cohere.com"
    assert CohereProvider(api_base="https://api.cohere.com/v2/").api_base == "https://api.cohere.com"
    assert CohereProvider(api_base="https://proxy.test/cohere/v1").api_base == "https://proxy.test/cohere"
    assert CohereProvider(api_key="test-key-123456").auth_headers() == {"Authorization": "Bearer test-key-123456"}
    assert CohereProvider.api_key_env == ("COHERE_API_KEY", "CO_API_KEY")
    assert CohereProvider.stream_format == "sse"


# -- responses ----------------------------------------------------------------------------------


def parse(data: dict[str, Any]) -> Any:
    return CohereProvider().parse_completion(json.dumps(data).encode(), params())


def test_fixtures_match_schema(docs: Any, check: Any) -> None:
    for payload in (docs.CHAT, docs.TOOL_CALL, docs.THINKING):
        assert check(payload, "ChatResponse") == []
    for _, event in docs.STREAM + docs.STREAM_TOOLS + docs.STREAM_THINKING:
        assert check(event, "StreamEvent") == []
    assert check(docs.EMBED, "EmbedResponse") == []
    assert check(docs.MODELS, "ListModelsResponse") == []


def test_parse_text(docs: Any) -> None:
    completion = parse(docs.CHAT)
    assert completion.id == "c14c80c3-18eb-4519-9460-6c92edd8cfb4"
    assert completion.model == MODEL
    choice = completion.choices[0]
    assert choice.message.content == "The capital of France is Paris."
    assert choice.finish_reason == "stop"
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (215, 12, 227)
    assert usage.model_extra["billed_units"] == {"input_tokens": 9, "output_tokens": 12}


def test_parse_tool_call(docs: Any) -> None:
    choice = parse(docs.TOOL_CALL).choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "I will look up the weather in Paris."
    (call,) = choice.message.tool_calls
    assert (call.id, call.type, call.function.name) == ("get_weather_1byjy32y4hvq", "function", "get_weather")
    assert json.loads(call.function.arguments) == {"location": "Paris"}


def test_parse_thinking_and_cached_tokens(docs: Any) -> None:
    completion = parse(docs.THINKING)
    message = completion.choices[0].message
    assert message.content == "Each brother has 3 sisters."
    assert message.reasoning.content == "Alice's brothers have Alice plus her 2 sisters."
    assert completion.usage.prompt_tokens_details.cached_tokens == 512


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("COMPLETE", "stop"),
        ("STOP_SEQUENCE", "stop"),
        ("MAX_TOKENS", "length"),
        ("TOOL_CALL", "stop"),
        ("SOMETHING_NEW", "stop"),
    ],
)
def test_finish_reasons(docs: Any, reason: str, expected: str) -> None:
    docs.CHAT["finish_reason"] = reason
    assert parse(docs.CHAT).choices[0].finish_reason == expected


@pytest.mark.parametrize("reason", ["ERROR", "TIMEOUT"])
def test_failed_generation_raises(docs: Any, reason: str) -> None:
    docs.CHAT["finish_reason"] = reason
    with pytest.raises(errors.ProviderError, match="Cohere"):
        parse(docs.CHAT)


def test_parse_citations_and_logprobs(docs: Any) -> None:
    docs.CHAT["message"]["citations"] = [
        {"start": 25, "end": 30, "text": "Paris", "sources": [], "type": "TEXT_CONTENT"}
    ]
    docs.CHAT["logprobs"] = [{"text": "The capital", "token_ids": [1, 2], "logprobs": [-0.5, -0.25]}]
    choice = parse(docs.CHAT).choices[0]
    assert choice.message.model_extra["citations"][0]["text"] == "Paris"
    (entry,) = choice.logprobs.content
    assert (entry.token, entry.logprob) == ("The capital", -0.75)
    assert entry.model_extra["token_ids"] == [1, 2]


@pytest.mark.parametrize(
    "body",
    [
        b"nope",
        b"[]",
        b'{"id": "x", "finish_reason": "COMPLETE"}',
        b'{"id": "x", "message": {"content": 3}}',
        b'{"id": "x", "message": {"tool_calls": [{"id": "a"}]}}',
    ],
)
def test_bad_shapes(body: bytes) -> None:
    with pytest.raises(errors.ResponseValidationError):
        CohereProvider().parse_completion(body, params())


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (401, "invalid api token", errors.AuthenticationError),
        (498, "invalid api token", errors.AuthenticationError),
        (404, "model 'command-x' not found, make sure the correct model ID was used", errors.ModelNotFoundError),
        (
            400,
            "too many tokens: total number of tokens in the prompt cannot exceed 128000 - received 130001",
            errors.ContextLengthExceededError,
        ),
        (400, "invalid request: message must be at least 1 token long", errors.InvalidRequestError),
        (422, "invalid type: parameter p is of type string but should be of type float", errors.InvalidRequestError),
        (400, "the request was blocked by the content moderation system", errors.ContentFilterError),
        (500, "internal server error, this has been reported to our developers", errors.ProviderError),
    ],
)
def test_parse_error(status: int, message: str, cls: type[Exception]) -> None:
    err = CohereProvider().parse_error(status, {}, json.dumps({"id": "e1", "message": message}).encode())
    assert type(err) is cls
    assert err.message == message
    assert err.status_code == status


def test_parse_error_429() -> None:
    err = CohereProvider().parse_error(429, {"retry-after": "12"}, b'{"message": "You are using a Trial key"}')
    assert isinstance(err, errors.RateLimitError)
    assert err.retry_after == 12.0


# -- embeddings and models ----------------------------------------------------------------------


def test_embedding_request(check: Any) -> None:
    request = CohereProvider().build_embedding_request("embed-v4.0", ["hello", "goodbye"], {})
    assert (request.method, request.url) == ("POST", "v2/embed")
    assert request.json == {
        "model": "embed-v4.0",
        "texts": ["hello", "goodbye"],
        "input_type": "search_document",
        "embedding_types": ["float"],
    }
    assert check(request.json, "EmbedRequest") == []
    overridden = CohereProvider().build_embedding_request(
        "embed-v4.0", ["q"], {"input_type": "search_query", "output_dimension": 256}
    )
    assert overridden.json["input_type"] == "search_query"
    assert overridden.json["output_dimension"] == 256
    assert check(overridden.json, "EmbedRequest") == []


def test_embedding_response(docs: Any) -> None:
    result = CohereProvider().parse_embedding(json.dumps(docs.EMBED).encode(), "embed-v4.0")
    assert [d.index for d in result.data] == [0, 1]
    assert result.data[1].embedding == [-0.0140686035, 0.027145386, 0.011238098]
    assert result.usage.prompt_tokens == 2
    assert result.model == "embed-v4.0"


def test_embedding_int8_and_base64(docs: Any) -> None:
    docs.EMBED["embeddings"] = {"int8": [[-3, 7]]}
    assert CohereProvider().parse_embedding(json.dumps(docs.EMBED).encode(), "m").data[0].embedding == [-3.0, 7.0]
    docs.EMBED["embeddings"] = {"base64": ["AAAA"]}
    with pytest.raises(errors.ResponseValidationError, match="float"):
        CohereProvider().parse_embedding(json.dumps(docs.EMBED).encode(), "m")


def test_list_models(docs: Any) -> None:
    request = CohereProvider().build_list_models_request({"endpoint": "chat", "default_only": True})
    assert (request.method, request.url) == ("GET", "v1/models")
    assert request.params == {"page_size": "1000", "endpoint": "chat", "default_only": "true"}
    models = CohereProvider().parse_list_models(json.dumps(docs.MODELS).encode())
    assert [m.id for m in models] == ["command-a-03-2025", "embed-v4.0"]
    assert models[0].owned_by == "cohere"
    assert models[0].model_extra["context_length"] == 256000
    with pytest.raises(errors.ResponseValidationError):
        CohereProvider().parse_list_models(b'{"models": [{"endpoints": []}]}')
