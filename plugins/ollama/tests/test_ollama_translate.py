"""Pure translation both ways: request bodies against Ollama's spec, documented responses back to our types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_ollama import OllamaProvider
from anyllm_ollama.provider import convert_messages, parse_timestamp

from any_llm import errors
from any_llm.params import SEED_PARAM_NAMES, build_params
from any_llm.provider import CompletionParams
from any_llm.testing import build_request
from any_llm.testing.schema import schema_errors
from any_llm.testing.seed import CityInfo

SPEC = Path(__file__).parent / "spec" / "ollama-api.json"

USER = [{"role": "user", "content": "why is the sky blue?"}]
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"


def params(messages: list[dict[str, Any]] | None = None, **kwargs: Any) -> CompletionParams:
    seed = {k: kwargs.pop(k) for k in list(kwargs) if k in SEED_PARAM_NAMES}
    return build_params("llama3.2", messages or USER, seed, kwargs)


def body_of(check: Any, **kwargs: Any) -> dict[str, Any]:
    messages = kwargs.pop("messages", None)
    request = build_request(OllamaProvider(), params(messages, **kwargs))
    assert request.method == "POST"
    assert request.url == "api/chat"
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


def test_minimal_body_sends_stream_false(check_request: Any) -> None:
    body = body_of(check_request)
    assert body == {"model": "llama3.2", "messages": USER, "stream": False}


def test_streaming_body_and_flag(check_request: Any) -> None:
    request = build_request(OllamaProvider(), params(stream=True))
    assert request.stream is True
    assert request.json["stream"] is True
    assert check_request(request.json) == []


def test_sampling_parameters_go_into_options(check_request: Any) -> None:
    body = body_of(
        check_request,
        temperature=0.2,
        top_p=0.9,
        seed=101,
        presence_penalty=1.5,
        frequency_penalty=1.0,
        max_tokens=100,
        stop="user:",
    )
    assert body["options"] == {
        "temperature": 0.2,
        "top_p": 0.9,
        "seed": 101,
        "presence_penalty": 1.5,
        "frequency_penalty": 1.0,
        "num_predict": 100,
        "stop": ["user:"],
    }
    assert "temperature" not in body and "max_tokens" not in body


def test_max_completion_tokens_and_stop_list(check_request: Any) -> None:
    body = body_of(check_request, max_completion_tokens=7, stop=["\n", "user:"])
    assert body["options"] == {"num_predict": 7, "stop": ["\n", "user:"]}


def test_both_token_limits_are_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="not both"):
        build_request(OllamaProvider(), params(max_tokens=5, max_completion_tokens=6))


def test_kwargs_split_between_options_and_top_level(check_request: Any) -> None:
    body = body_of(
        check_request,
        temperature=0.5,
        num_ctx=8192,
        top_k=20,
        keep_alive="10m",
        options={"min_p": 0.05, "temperature": 0.1},
        truncate=True,
    )
    assert body["options"] == {"temperature": 0.1, "num_ctx": 8192, "top_k": 20, "min_p": 0.05}
    assert body["keep_alive"] == "10m"
    assert body["truncate"] is True
    assert "num_ctx" not in body and "top_k" not in body


@pytest.mark.parametrize(
    ("effort", "think"),
    [
        ("none", False),
        ("minimal", "low"),
        ("low", "low"),
        ("medium", "medium"),
        ("high", "high"),
        ("xhigh", "max"),
    ],
)
def test_reasoning_effort_to_think(check_request: Any, effort: str, think: Any) -> None:
    assert body_of(check_request, reasoning_effort=effort)["think"] == think


def test_reasoning_effort_auto_and_none_value_send_nothing(check_request: Any) -> None:
    assert "think" not in body_of(check_request, reasoning_effort="auto")
    assert "think" not in body_of(check_request, reasoning_effort=None)


def test_think_kwarg_passes_through(check_request: Any) -> None:
    assert body_of(check_request, think="high")["think"] == "high"


def test_structured_output_pydantic_model_sends_schema_as_format(check_request: Any) -> None:
    body = body_of(check_request, response_format=CityInfo)
    fmt = body["format"]
    assert fmt["type"] == "object"
    assert set(fmt["properties"]) == {"name", "country", "population"}
    assert fmt["required"] == ["name", "country", "population"]


def test_json_schema_dict_and_json_object(check_request: Any) -> None:
    schema = {"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}
    body = body_of(
        check_request, response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}}
    )
    assert body["format"] == schema
    assert body_of(check_request, response_format={"type": "json_object"})["format"] == "json"
    assert "format" not in body_of(check_request, response_format={"type": "text"})


def test_tools_from_callable(check_request: Any) -> None:
    body = body_of(check_request, tools=[get_weather])
    (tool,) = body["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "get_weather"
    assert tool["function"]["description"].startswith("Get weather information")
    assert tool["function"]["parameters"]["required"] == ["location"]
    assert body_of(check_request, tools=[get_weather], tool_choice="auto")["tools"] == body["tools"]


def test_tool_dict_without_parameters_gets_empty_schema(check_request: Any) -> None:
    body = body_of(check_request, tools=[{"type": "function", "function": {"name": "now", "strict": True}}])
    assert body["tools"] == [
        {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}
    ]


def test_tool_choice_none_drops_tools(check_request: Any) -> None:
    assert "tools" not in body_of(check_request, tools=[get_weather], tool_choice="none")


@pytest.mark.parametrize("choice", ["required", {"type": "function", "function": {"name": "get_weather"}}])
def test_forcing_a_tool_is_refused(choice: Any) -> None:
    with pytest.raises(errors.UnsupportedParameterError, match="tool_choice"):
        build_request(OllamaProvider(), params(tools=[get_weather], tool_choice=choice))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("n", 2),
        ("logit_bias", {"50256": -100.0}),
        ("parallel_tool_calls", False),
        ("user", "u-1"),
    ],
)
def test_unsupported_seed_parameters(name: str, value: Any) -> None:
    with pytest.raises(errors.UnsupportedParameterError) as info:
        build_request(OllamaProvider(), params(**{name: value}))
    assert info.value.parameter_name == name


def test_n_one_and_stream_options_are_fine(check_request: Any) -> None:
    body = body_of(check_request, n=1, stream=True, stream_options={"include_usage": True})
    assert "n" not in body and "stream_options" not in body


def test_logprobs_forwarded(check_request: Any) -> None:
    body = body_of(check_request, logprobs=True, top_logprobs=3)
    assert body["logprobs"] is True
    assert body["top_logprobs"] == 3


def test_message_roles_and_images(check_request: Any) -> None:
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Answer in English."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is in this image?"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                {"type": "text", "text": "and this one?"},
                {"type": "image_url", "image_url": f"data:image/jpeg;base64,{PNG}"},
            ],
        },
    ]
    body = body_of(check_request, messages=messages)
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Answer in English."},
        {"role": "user", "content": "what is in this image?\nand this one?", "images": [PNG, PNG]},
    ]


def test_http_image_url_is_refused() -> None:
    messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}]}]
    with pytest.raises(errors.UnsupportedParameterError, match="data:image"):
        convert_messages(messages, "ollama")


def test_unknown_content_part_is_refused() -> None:
    messages = [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "AAAA"}}]}]
    with pytest.raises(errors.UnsupportedParameterError, match="input_audio"):
        convert_messages(messages, "ollama")


def test_tool_round_trip_messages(check_request: Any) -> None:
    """Assistant tool calls replay with object arguments; the tool result names its tool (docs/api.md)."""
    messages = [
        {"role": "user", "content": "what is the weather in Toronto?"},
        {
            "role": "assistant",
            "content": None,
            "reasoning": {"content": "Need the weather tool."},
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Toronto"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "11 degrees celsius"},
    ]
    body = body_of(check_request, messages=messages)
    assert body["messages"][1:] == [
        {
            "role": "assistant",
            "content": "",
            "thinking": "Need the weather tool.",
            "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Toronto"}}, "id": "call_1"}],
        },
        {"role": "tool", "content": "11 degrees celsius", "tool_name": "get_weather", "tool_call_id": "call_1"},
    ]


def test_tool_result_name_field_wins_and_empty_arguments() -> None:
    messages = [
        {
            "role": "assistant",
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "now", "arguments": ""}}],
        },
        {"role": "tool", "tool_call_id": "c", "name": "clock", "content": "noon"},
    ]
    out = convert_messages(messages, "ollama")
    assert out[0]["tool_calls"][0]["function"]["arguments"] == {}
    assert out[1]["tool_name"] == "clock"


@pytest.mark.parametrize("arguments", ["{not json", "[1, 2]"])
def test_bad_replayed_arguments_are_a_configuration_error(arguments: str) -> None:
    messages = [
        {
            "role": "assistant",
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": arguments}}],
        }
    ]
    with pytest.raises(errors.ConfigurationError, match=r"messages\[0\]"):
        convert_messages(messages, "ollama")


def test_api_base_normalization() -> None:
    assert OllamaProvider().api_base == "http://localhost:11434"
    assert OllamaProvider(api_base="http://gpu:11434/v1/").api_base == "http://gpu:11434"
    assert OllamaProvider(api_base="http://gpu:11434/api").api_base == "http://gpu:11434"
    assert OllamaProvider(api_base="https://ollama.example/proxy").api_base == "https://ollama.example/proxy"


def test_declarations() -> None:
    assert OllamaProvider.requires_api_key is False
    assert OllamaProvider.stream_format == "ndjson"
    assert OllamaProvider.api_base_env == ("OLLAMA_HOST",)
    assert OllamaProvider().auth_headers() == {}
    assert OllamaProvider(api_key="test-key-123456").auth_headers() == {"Authorization": "Bearer test-key-123456"}


# -- responses ----------------------------------------------------------------------------------


def parse(data: dict[str, Any], **kwargs: Any) -> Any:
    return OllamaProvider().parse_completion(json.dumps(data).encode(), params(**kwargs))


def test_documented_responses_match_the_spec(docs: Any) -> None:
    for name in ("NO_STREAM", "TOOLS_NO_STREAM", "STRUCTURED", "HISTORY_TOOLS"):
        assert schema_errors(SPEC, "ChatResponse", getattr(docs, name)) == [], name
    for line in docs.STREAM + docs.STREAM_TOOLS:
        # docs/api.md's older stream example shows "images": null, which today's server omits
        line["message"] = {k: v for k, v in line["message"].items() if v is not None}
        assert schema_errors(SPEC, "ChatStreamEvent", line) == []


def test_parse_plain_answer(docs: Any) -> None:
    completion = parse(docs.NO_STREAM)
    choice = completion.choices[0]
    assert choice.message.content == "Hello! How are you today?"
    assert choice.message.role == "assistant"
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"
    assert completion.model == "llama3.2"
    assert completion.created == 1702390423
    assert completion.id.startswith("chatcmpl-")
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (26, 298, 324)
    assert usage.model_extra["eval_duration"] == 4799921000


def test_parse_tool_call(docs: Any) -> None:
    completion = parse(docs.TOOLS_NO_STREAM)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.type == "function"
    assert call.id.startswith("call_") and len(call.id) > 10
    assert call.function.name == "get_current_weather"
    assert json.loads(call.function.arguments) == {"format": "celsius", "location": "Paris, FR"}


def test_parse_tool_call_keeps_ollama_ids(docs: Any) -> None:
    docs.TOOLS_NO_STREAM["message"]["tool_calls"][0]["id"] = "call_ollama_7"
    docs.TOOLS_NO_STREAM["message"]["tool_calls"].append(
        {"id": "call_ollama_8", "function": {"index": 1, "name": "now", "arguments": {}}}
    )
    calls = parse(docs.TOOLS_NO_STREAM).choices[0].message.tool_calls
    assert [c.id for c in calls] == ["call_ollama_7", "call_ollama_8"]
    assert calls[1].function.arguments == "{}"


def test_parse_structured(docs: Any) -> None:
    completion = parse(docs.STRUCTURED)
    assert json.loads(completion.choices[0].message.content) == {"age": 22, "available": False}


def test_parse_final_without_message_and_length(docs: Any) -> None:
    data = {
        "model": "llama3.2",
        "created_at": "2023-08-04T19:22:45.499127Z",
        "done": True,
        "done_reason": "length",
        "prompt_eval_count": 61,
        "eval_count": 468,
    }
    choice = parse(data).choices[0]
    assert choice.message.content == ""
    assert choice.finish_reason == "length"


@pytest.mark.parametrize(
    "body",
    [
        {"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest", "size": 2019393189}]},  # GET /api/tags
        {"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0, "message": {"content": "hi"}}]},
        {"model": "llama3.2", "created_at": "2023-08-04T19:22:45.499127Z", "message": "hi", "done": True},
        {},
    ],
)
def test_a_body_that_is_not_a_chat_response_is_an_error_not_an_empty_answer(body: dict[str, Any]) -> None:
    """A wrong api_base (another endpoint, an OpenAI-compatible path) must not pass for an empty answer."""
    raw = json.dumps(body).encode()
    with pytest.raises(errors.ResponseValidationError, match="no chat message") as info:
        OllamaProvider().parse_completion(raw, params())
    assert info.value.body == raw.decode()


def test_parse_thinking_and_think_tags(docs: Any) -> None:
    docs.NO_STREAM["message"]["thinking"] = "The user greets me."
    assert parse(docs.NO_STREAM).choices[0].message.reasoning.content == "The user greets me."
    docs.STRUCTURED["message"]["content"] = "<think>\nhmm\n</think>\n\nHi!"
    message = parse(docs.STRUCTURED).choices[0].message
    assert message.reasoning.content == "\nhmm\n"
    assert message.content == "Hi!"


def test_parse_logprobs(docs: Any) -> None:
    docs.NO_STREAM["logprobs"] = [
        {
            "token": "Hello",
            "logprob": -0.1,
            "bytes": [72],
            "top_logprobs": [{"token": "Hello", "logprob": -0.1}, {"token": "Hi", "logprob": -2.5}],
        }
    ]
    logprobs = parse(docs.NO_STREAM).choices[0].logprobs
    assert logprobs.content[0].token == "Hello"
    assert logprobs.content[0].top_logprobs[1].token == "Hi"


def test_parse_error_body_in_200() -> None:
    with pytest.raises(errors.ContextLengthExceededError):
        parse({"error": "the input length exceeds the context length"})


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        b'{"message": {"content": 5}, "done": true}',
        b'{"message": {"content": "", "tool_calls": [{"function": {}}]}, "done": true}',
    ],
)
def test_bad_shapes_raise_response_validation_error(body: bytes) -> None:
    with pytest.raises(errors.ResponseValidationError):
        OllamaProvider().parse_completion(body, params())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-12-12T14:13:43.416799Z", 1702390423),
        ("2023-08-04T08:52:19.385406455-07:00", 1691164339),
        ("2025-10-03T23:34:03+0530", 1759514643),
        ("2024-09-12T21:17:29Z", 1726175849),
    ],
)
def test_parse_timestamp(text: str, expected: int) -> None:
    assert parse_timestamp(text) == expected


def test_parse_timestamp_garbage_falls_back() -> None:
    assert parse_timestamp("yesterday", default=0) == 0
    assert parse_timestamp(None) > 1_700_000_000


# -- embeddings and models ----------------------------------------------------------------------


def test_embedding_request(check_request: Any) -> None:
    request = OllamaProvider().build_embedding_request(
        "embeddinggemma",
        ["Why is the sky blue?", "Why is the grass green?"],
        {"dimensions": 128, "truncate": True, "num_ctx": 2048},
    )
    assert (request.method, request.url) == ("POST", "api/embed")
    assert request.json == {
        "model": "embeddinggemma",
        "input": ["Why is the sky blue?", "Why is the grass green?"],
        "dimensions": 128,
        "truncate": True,
        "options": {"num_ctx": 2048},
    }
    assert check_request(request.json, "EmbedRequest") == []


def test_embedding_response(docs: Any) -> None:
    assert schema_errors(SPEC, "EmbedResponse", docs.EMBED) == []
    result = OllamaProvider().parse_embedding(json.dumps(docs.EMBED).encode(), "embeddinggemma")
    assert result.model == "embeddinggemma"
    assert result.data[0].index == 0
    assert result.data[0].embedding[:2] == [0.010071029, -0.0017594862]
    assert result.usage.prompt_tokens == 8


def test_embedding_bad_shape() -> None:
    with pytest.raises(errors.ResponseValidationError):
        OllamaProvider().parse_embedding(b'{"embeddings": [["x"]]}', "m")
    with pytest.raises(errors.ResponseValidationError):
        OllamaProvider().parse_embedding(b'{"model": "m"}', "m")


def test_list_models(docs: Any) -> None:
    assert schema_errors(SPEC, "ListResponse", docs.TAGS) == []
    request = OllamaProvider().build_list_models_request({})
    assert (request.method, request.url) == ("GET", "api/tags")
    (model,) = OllamaProvider().parse_list_models(json.dumps(docs.TAGS).encode())
    assert model.id == "gemma4"
    assert model.owned_by == "ollama"
    assert model.created == parse_timestamp("2025-10-03T23:34:03.409490317-07:00")
    assert model.model_extra["details"]["parameter_size"] == "8.0B"


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (401, "unauthorized", errors.AuthenticationError),
        (404, 'model "llama9" not found, try pulling it first', errors.ModelNotFoundError),
        (
            400,
            "the prompt is longer than the context length currently available to the model",
            errors.ContextLengthExceededError,
        ),
        (400, 'invalid think value: "extreme"', errors.InvalidRequestError),
        (400, "blocked by the content policy of the upstream model", errors.ContentFilterError),
        (500, "llama runner process has terminated", errors.ProviderError),
    ],
)
def test_parse_error(status: int, message: str, cls: type[Exception]) -> None:
    err = OllamaProvider().parse_error(status, {}, json.dumps({"error": message}).encode())
    assert type(err) is cls
    assert err.message == message
    assert err.status_code == status


def test_parse_error_429_retry_after() -> None:
    err = OllamaProvider().parse_error(429, {"retry-after": "7"}, b'{"error": "too many requests"}')
    assert isinstance(err, errors.RateLimitError)
    assert err.retry_after == 7.0
