"""Gemini responses, stream transcripts and error bodies → our types. Fixtures are shaped like the documented
examples (ai.google.dev generate-content / function-calling / thinking pages) and validated against the spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_gemini import GeminiProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.testing import build_request, parse_completion, sse_events
from any_llm.testing import run_stream as core_run_stream
from any_llm.testing.schema import schema_errors
from any_llm.types import ChatCompletion, ChatCompletionChunk

SPEC = Path(__file__).parent / "spec" / "gemini-native.json"
PROVIDER = GeminiProvider(api_key="test-key-123456")
PARAMS = build_params("gemini-2.5-flash", [{"role": "user", "content": "x"}], {}, {})
STREAM_PARAMS = build_params("gemini-2.5-flash", [{"role": "user", "content": "x"}], {"stream": True}, {})

TEXT = {
    "candidates": [
        {
            "content": {"parts": [{"text": "Hey there! How can I help you today?"}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 8,
        "candidatesTokenCount": 10,
        "totalTokenCount": 111,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
        "thoughtsTokenCount": 93,
    },
    "modelVersion": "gemini-2.5-flash",
    "responseId": "B_4saZqCLv3w4-EP8ta6gQ8",
}
THINKING = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "**Weighing the options**\nThe user wants a prime.", "thought": True},
                    {"text": "7 is prime.", "thoughtSignature": "Q2lZQnlqbGhuZWRMVQ=="},
                ],
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 12,
        "candidatesTokenCount": 4,
        "thoughtsTokenCount": 30,
        "cachedContentTokenCount": 8,
        "totalTokenCount": 46,
    },
    "modelVersion": "gemini-2.5-pro",
    "responseId": "resp-think",
}
FUNCTION_CALLS = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {
                        "functionCall": {"name": "get_weather", "args": {"location": "Paris"}},
                        "thoughtSignature": "c2lnLUE=",
                    },
                    {"functionCall": {"name": "get_weather", "args": {"location": "Zürich", "unit": "C"}}},
                ],
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 70,
        "candidatesTokenCount": 20,
        "totalTokenCount": 90,
        "toolUsePromptTokenCount": 5,
    },
    "modelVersion": "gemini-2.5-flash",
}
BLOCKED: dict[str, Any] = {
    "promptFeedback": {
        "blockReason": "SAFETY",
        "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}],
    },
    "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9},
    "modelVersion": "gemini-2.5-flash",
}


def parse(data: dict[str, Any], params: Any = PARAMS) -> ChatCompletion:
    return PROVIDER.parse_completion(json.dumps(data).encode(), params)


@pytest.mark.parametrize("fixture", [TEXT, THINKING, FUNCTION_CALLS, BLOCKED])
def test_fixtures_match_the_spec(fixture: dict[str, Any]) -> None:
    assert schema_errors(SPEC, "GenerateContentResponse", fixture) == []


def test_text_response() -> None:
    completion = parse(TEXT)
    assert completion.id == "B_4saZqCLv3w4-EP8ta6gQ8"
    assert completion.model == "gemini-2.5-flash"
    choice = completion.choices[0]
    assert (choice.index, choice.finish_reason) == (0, "stop")
    assert choice.message.role == "assistant"
    assert choice.message.content == "Hey there! How can I help you today?"
    assert choice.message.tool_calls is None and choice.message.reasoning is None
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (8, 103, 111)
    assert usage.completion_tokens_details is not None and usage.completion_tokens_details.reasoning_tokens == 93
    assert usage.prompt_tokens_details is None


def test_thoughts_become_reasoning_and_the_signature_is_kept() -> None:
    completion = parse(THINKING)
    message = completion.choices[0].message
    assert message.content == "7 is prime."
    assert message.reasoning is not None and message.reasoning.content.startswith("**Weighing the options**")
    assert message.model_extra == {"extra_content": {"google": {"thought_signature": "Q2lZQnlqbGhuZWRMVQ=="}}}
    usage = completion.usage
    assert usage is not None and usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 8
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (12, 34, 46)


def test_function_calls_become_tool_calls() -> None:
    completion = parse(FUNCTION_CALLS)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls
    assert calls is not None and len(calls) == 2
    assert [c.function.name for c in calls] == ["get_weather", "get_weather"]
    assert json.loads(calls[0].function.arguments) == {"location": "Paris"}
    assert json.loads(calls[1].function.arguments) == {"location": "Zürich", "unit": "C"}
    assert all(c.id.startswith("call_gemini_") for c in calls)
    assert calls[0].id != calls[1].id
    assert calls[0].model_extra == {"extra_content": {"google": {"thought_signature": "c2lnLUE="}}}
    assert calls[1].model_extra == {}
    assert completion.usage is not None and completion.usage.prompt_tokens == 75  # tool-use prompt included
    assert completion.id.startswith("gemini-")  # no responseId: one is made up


def test_gemini_issued_call_ids_are_kept() -> None:
    data = json.loads(json.dumps(FUNCTION_CALLS))
    data["candidates"][0]["content"]["parts"][0]["functionCall"]["id"] = "fc-1"
    assert parse(data).choices[0].message.tool_calls[0].id == "fc-1"  # type: ignore[index]


def test_replaying_the_parsed_message_sends_signatures_back() -> None:
    message = parse(FUNCTION_CALLS).choices[0].message
    calls = message.tool_calls or []
    messages: list[Any] = [{"role": "user", "content": "Weather?"}, message]
    messages += [{"role": "tool", "tool_call_id": c.id, "content": "sunny"} for c in calls]
    body = build_request(PROVIDER, build_params("gemini-2.5-flash", messages, {}, {})).json
    model_turn, results = body["contents"][1], body["contents"][2]
    assert model_turn == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}, "thoughtSignature": "c2lnLUE="},
            {"functionCall": {"name": "get_weather", "args": {"location": "Zürich", "unit": "C"}}},
        ],
    }
    assert [p["functionResponse"]["name"] for p in results["parts"]] == ["get_weather", "get_weather"]
    assert schema_errors(SPEC, "GenerateContentRequest", body) == []
    text_message = parse(THINKING).choices[0].message
    body = build_request(
        PROVIDER,
        build_params(
            "gemini-2.5-pro",
            [{"role": "user", "content": "prime?"}, text_message, {"role": "user", "content": "more"}],
            {},
            {},
        ),
    ).json
    assert body["contents"][1]["parts"] == [{"text": "7 is prime.", "thoughtSignature": "Q2lZQnlqbGhuZWRMVQ=="}]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("BLOCKLIST", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("SPII", "content_filter"),
        ("OTHER", "stop"),
        ("MALFORMED_FUNCTION_CALL", "stop"),
    ],
)
def test_finish_reasons(reason: str, expected: str) -> None:
    data = {"candidates": [{"content": {"role": "model", "parts": [{"text": "x"}]}, "finishReason": reason}]}
    assert parse(data).choices[0].finish_reason == expected


def test_calls_cut_at_the_token_limit_say_length() -> None:
    data = json.loads(json.dumps(FUNCTION_CALLS))
    data["candidates"][0]["finishReason"] = "MAX_TOKENS"
    assert parse(data).choices[0].finish_reason == "length"


def test_a_filtered_candidate_without_content_has_a_refusal() -> None:
    data = {
        "candidates": [
            {
                "finishReason": "SAFETY",
                "index": 0,
                "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}],
            }
        ]
    }
    assert schema_errors(SPEC, "GenerateContentResponse", data) == []
    choice = parse(data).choices[0]
    assert choice.finish_reason == "content_filter"
    assert choice.message.content is None
    assert choice.message.refusal == "blocked by Gemini (SAFETY)"


def test_blocked_prompt_raises_content_filter_error() -> None:
    with pytest.raises(errors.ContentFilterError, match="SAFETY"):
        parse(BLOCKED)


def test_several_candidates_become_choices() -> None:
    data = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "A"}]}, "finishReason": "STOP", "index": 0},
            {"content": {"role": "model", "parts": [{"text": "B"}]}, "finishReason": "MAX_TOKENS", "index": 1},
        ]
    }
    choices = parse(data).choices
    assert [(c.index, c.message.content, c.finish_reason) for c in choices] == [(0, "A", "stop"), (1, "B", "length")]


def test_logprobs() -> None:
    data = {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "Hello!"}]},
                "finishReason": "STOP",
                "index": 0,
                "avgLogprobs": -0.2,
                "logprobsResult": {
                    "topCandidates": [
                        {
                            "candidates": [
                                {"token": "Hello", "logProbability": -0.1},
                                {"token": "Hi", "logProbability": -2.5},
                            ]
                        },
                        {"candidates": [{"token": "!", "logProbability": -0.3}]},
                    ],
                    "chosenCandidates": [
                        {"token": "Hello", "logProbability": -0.1},
                        {"token": "!", "logProbability": -0.3},
                    ],
                },
            }
        ]
    }
    assert schema_errors(SPEC, "GenerateContentResponse", data) == []
    logprobs = parse(data).choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None
    assert [(t.token, t.logprob) for t in logprobs.content] == [("Hello", -0.1), ("!", -0.3)]
    assert [(t.token, t.logprob) for t in logprobs.content[0].top_logprobs] == [("Hello", -0.1), ("Hi", -2.5)]
    assert parse(TEXT).choices[0].logprobs is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"candidates": []}',
        b"{}",
        b'{"candidates": ["x"]}',
        b'{"candidates": [{"content": {"parts": [{"functionCall": {"name": 5}}]}}]}',
    ],
)
def test_malformed_bodies_raise_response_validation_error(body: bytes) -> None:
    with pytest.raises(errors.ResponseValidationError):
        parse_completion(PROVIDER, PARAMS, body)


def test_an_error_object_in_a_200_body_is_raised_typed() -> None:
    body = {"error": {"code": 429, "message": "Resource has been exhausted", "status": "RESOURCE_EXHAUSTED"}}
    with pytest.raises(errors.RateLimitError):
        parse(body)


# -- streams --------------------------------------------------------------------------------------

STREAM: list[dict[str, Any]] = [
    {
        "candidates": [{"content": {"parts": [{"text": "Once"}], "role": "model"}, "index": 0}],
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "stream-1",
    },
    {
        "candidates": [{"content": {"parts": [{"text": " upon a"}], "role": "model"}, "index": 0}],
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "stream-1",
    },
    {
        "candidates": [
            {
                "content": {"parts": [{"text": " time.", "thoughtSignature": "c2lnLVM="}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 5,
            "candidatesTokenCount": 4,
            "totalTokenCount": 9,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 5}],
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "stream-1",
    },
]
TOOL_STREAM: list[dict[str, Any]] = [
    {
        "candidates": [{"content": {"parts": [{"text": "Checking", "thought": True}], "role": "model"}, "index": 0}],
        "modelVersion": "gemini-2.5-flash",
    },
    {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {
                            "functionCall": {"name": "get_weather", "args": {"location": "Paris"}},
                            "thoughtSignature": "c2lnLVQ=",
                        },
                        {"functionCall": {"name": "get_time", "args": {}}},
                    ],
                    "role": "model",
                },
                "index": 0,
            }
        ],
        "modelVersion": "gemini-2.5-flash",
    },
    {
        "candidates": [{"content": {"parts": [{"text": ""}], "role": "model"}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {
            "promptTokenCount": 20,
            "candidatesTokenCount": 8,
            "thoughtsTokenCount": 12,
            "totalTokenCount": 40,
        },
        "modelVersion": "gemini-2.5-flash",
    },
]


def run_stream(events: list[dict[str, Any]]) -> list[ChatCompletionChunk]:
    raw = b"".join(sse_events(events, done=False))
    return core_run_stream(PROVIDER, STREAM_PARAMS, raw)


@pytest.mark.parametrize("events", [STREAM, TOOL_STREAM])
def test_stream_events_match_the_spec(events: list[dict[str, Any]]) -> None:
    for event in events:
        assert schema_errors(SPEC, "GenerateContentResponse", event) == []


def test_text_stream() -> None:
    chunks = run_stream(STREAM)
    assert len(chunks) == 3
    assert all(c.id == "stream-1" and c.model == "gemini-2.5-flash" for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Once upon a time."
    assert [c.choices[0].delta.role for c in chunks] == ["assistant", None, None]
    assert [c.choices[0].finish_reason for c in chunks] == [None, None, "stop"]
    assert [c.usage is not None for c in chunks] == [False, False, True]
    usage = chunks[-1].usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (5, 4, 9)
    assert chunks[-1].choices[0].delta.model_extra == {"extra_content": {"google": {"thought_signature": "c2lnLVM="}}}


def test_tool_call_stream() -> None:
    chunks = run_stream(TOOL_STREAM)
    assert chunks[0].choices[0].delta.reasoning is not None
    assert chunks[0].choices[0].delta.reasoning.content == "Checking"
    calls = chunks[1].choices[0].delta.tool_calls
    assert calls is not None
    assert [(c.index, c.type, c.function.name if c.function else None) for c in calls] == [
        (0, "function", "get_weather"),
        (1, "function", "get_time"),
    ]
    assert all(c.id and c.id.startswith("call_gemini_") for c in calls)
    assert calls[0].function is not None and json.loads(calls[0].function.arguments or "") == {"location": "Paris"}
    assert calls[1].function is not None and calls[1].function.arguments == "{}"
    assert calls[0].model_extra == {"extra_content": {"google": {"thought_signature": "c2lnLVQ="}}}
    last = chunks[-1]
    assert last.choices[0].finish_reason == "tool_calls"
    assert last.choices[0].delta.content is None
    assert last.usage is not None and last.usage.completion_tokens == 20
    assert last.usage.completion_tokens_details is not None
    assert last.usage.completion_tokens_details.reasoning_tokens == 12


def test_stream_with_two_candidates_counts_tool_calls_per_candidate() -> None:
    events = [
        {
            "candidates": [
                {
                    "content": {"parts": [{"functionCall": {"name": "a", "args": {}}}], "role": "model"},
                    "index": 0,
                    "finishReason": "STOP",
                },
                {"content": {"parts": [{"text": "no call"}], "role": "model"}, "index": 1, "finishReason": "STOP"},
            ]
        }
    ]
    chunk = run_stream(events)[0]
    assert [(c.index, c.finish_reason) for c in chunk.choices] == [(0, "tool_calls"), (1, "stop")]
    assert chunk.choices[1].delta.role == "assistant"


def test_stream_without_finish_reason_raises_at_the_end() -> None:
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        run_stream(STREAM[:2])


def test_blocked_prompt_in_a_stream_raises_content_filter_error() -> None:
    with pytest.raises(errors.ContentFilterError):
        run_stream([BLOCKED])


def test_error_event_in_a_stream_is_raised_typed() -> None:
    error = {
        "error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}
    }
    with pytest.raises(errors.ProviderError, match="overloaded") as info:
        run_stream([STREAM[0], error])
    assert info.value.status_code == 503


def test_malformed_stream_event_raises_response_validation_error() -> None:
    bad = {"candidates": [{"content": {"parts": [{"functionCall": {"name": ["x"]}}]}, "finishReason": "STOP"}]}
    with pytest.raises(errors.ResponseValidationError):
        run_stream([bad])


def test_usage_only_events() -> None:
    early = {"usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5}}
    final = {"candidates": [{"content": {"role": "model", "parts": [{"text": "!"}]}, "finishReason": "STOP"}]}
    chunks = run_stream([early, final])
    assert len(chunks) == 1  # no choice-less chunk before the end, but its usage is carried to the finish
    assert chunks[0].usage is not None and chunks[0].usage.prompt_tokens == 5
    chunks = run_stream([STREAM[2], {"usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 12}}])
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 12


# -- embeddings and models ------------------------------------------------------------------------


def test_embeddings_response() -> None:
    data = {"embeddings": [{"values": [0.013, -0.008, 0.1]}, {"values": [0.2, 0.0, -0.5]}]}
    assert schema_errors(SPEC, "BatchEmbedContentsResponse", data) == []
    result = PROVIDER.parse_embedding(json.dumps(data).encode(), "gemini-embedding-001")
    assert result.model == "gemini-embedding-001"
    assert [(e.index, e.embedding) for e in result.data] == [(0, [0.013, -0.008, 0.1]), (1, [0.2, 0.0, -0.5])]
    with pytest.raises(errors.ResponseValidationError):
        PROVIDER.parse_embedding(b'{"embedding": {"values": [1]}}', "m")


def test_models_response() -> None:
    data = {
        "models": [
            {
                "name": "models/gemini-2.5-flash",
                "version": "001",
                "displayName": "Gemini 2.5 Flash",
                "inputTokenLimit": 1048576,
                "outputTokenLimit": 65536,
                "thinking": True,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
            },
            {"name": "models/gemini-embedding-001", "supportedGenerationMethods": ["embedContent"]},
        ],
        "nextPageToken": "page-2",
    }
    assert schema_errors(SPEC, "ListModelsResponse", data) == []
    models = PROVIDER.parse_list_models(json.dumps(data).encode())
    assert [m.id for m in models] == ["gemini-2.5-flash", "gemini-embedding-001"]
    assert all(m.owned_by == "google" and m.object == "model" for m in models)
    assert models[0].model_extra is not None and models[0].model_extra["inputTokenLimit"] == 1048576
    assert PROVIDER.parse_list_models(b"{}") == []
    with pytest.raises(errors.ResponseValidationError):
        PROVIDER.parse_list_models(b'{"models": [{"displayName": "x"}]}')


# -- errors ---------------------------------------------------------------------------------------

INVALID_KEY = {
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
            }
        ],
    }
}
QUOTA = {
    "error": {
        "code": 429,
        "message": "You exceeded your current quota, please check your plan.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "31s"},
        ],
    }
}


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, INVALID_KEY, errors.AuthenticationError),
        (
            403,
            {"error": {"code": 403, "message": "Permission denied", "status": "PERMISSION_DENIED"}},
            errors.AuthenticationError,
        ),
        (
            401,
            {"error": {"code": 401, "message": "Request is missing credentials", "status": "UNAUTHENTICATED"}},
            errors.AuthenticationError,
        ),
        (429, QUOTA, errors.RateLimitError),
        (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "The input token count (1193647) exceeds the maximum number of tokens "
                    "allowed (1048576).",
                    "status": "INVALID_ARGUMENT",
                }
            },
            errors.ContextLengthExceededError,
        ),
        (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "Invalid value at 'safety_settings[0].threshold'",
                    "status": "INVALID_ARGUMENT",
                }
            },
            errors.InvalidRequestError,
        ),
        (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "User location is not supported for the API use.",
                    "status": "FAILED_PRECONDITION",
                }
            },
            errors.InvalidRequestError,
        ),
        (
            404,
            {
                "error": {
                    "code": 404,
                    "message": "models/gemini-9 is not found for API version v1beta",
                    "status": "NOT_FOUND",
                }
            },
            errors.ModelNotFoundError,
        ),
        (
            500,
            {"error": {"code": 500, "message": "An internal error has occurred.", "status": "INTERNAL"}},
            errors.ProviderError,
        ),
        (
            503,
            [{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}],
            errors.ProviderError,
        ),
    ],
)
def test_error_bodies_map_to_typed_errors(status: int, body: Any, cls: type[Exception]) -> None:
    err = PROVIDER.parse_error(status, {}, json.dumps(body).encode())
    assert type(err) is cls
    assert err.status_code == status and err.provider == "gemini"
    inner = body[0] if isinstance(body, list) else body
    assert err.message == inner["error"]["message"]


def test_rate_limit_delay_comes_from_retry_info_else_retry_after() -> None:
    err = PROVIDER.parse_error(429, {"retry-after": "5"}, json.dumps(QUOTA).encode())
    assert isinstance(err, errors.RateLimitError) and err.retry_after == 31.0
    plain = {"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}}
    err = PROVIDER.parse_error(429, {"retry-after": "5"}, json.dumps(plain).encode())
    assert isinstance(err, errors.RateLimitError) and err.retry_after == 5.0
    err = PROVIDER.parse_error(429, {}, json.dumps(plain).encode())
    assert isinstance(err, errors.RateLimitError) and err.retry_after is None


def test_non_json_error_bodies() -> None:
    err = PROVIDER.parse_error(502, {}, b"<html>Bad Gateway</html>")
    assert isinstance(err, errors.ProviderError) and "Bad Gateway" in err.message
