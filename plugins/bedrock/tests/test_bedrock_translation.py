"""Converse translation: request bodies valid against botocore's service model, responses and streams
with reasoning, JSON mode, cache usage and AWS errors, and any bytes in giving a typed error out."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_bedrock import BedrockProvider
from hypothesis import given, settings
from hypothesis import strategies as st

from any_llm import errors
from any_llm.provider import StreamEvent
from any_llm.testing.aws import converse_frames, exception_frame
from any_llm.testing.conformance import request_body
from any_llm.testing.schema import schema_errors
from any_llm.testing.translation import build_request, feed_event, make_params, parse_completion, run_stream

SPEC = Path(__file__).parent / "specs" / "bedrock-runtime.json"
CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0"
PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()
PDF = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 fake").decode()
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def provider() -> BedrockProvider:
    return BedrockProvider(api_key="bedrock-api-key-0123456789", api_base="https://bedrock.invalid")


def params(**kwargs: Any) -> Any:
    return make_params(kwargs.pop("model", CLAUDE), kwargs.pop("messages", None), **kwargs)


def test_a_full_conversation_is_a_valid_converse_request() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in these?"},
                {"type": "image_url", "image_url": {"url": PNG}},
                {"type": "file", "file": {"filename": "report_2024.v2.pdf", "file_data": PDF}},
            ],
        },
        {
            "role": "assistant",
            "content": "Let me check the weather.",
            "thinking_blocks": [
                {"type": "thinking", "thinking": "They want weather.", "signature": "EqQBCkgIARABGAIi"}
            ],
            "tool_calls": [
                {
                    "id": "tooluse_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "tooluse_1", "content": "sunny"},
        {"role": "user", "content": "And tomorrow?"},
    ]
    body = request_body(
        BedrockProvider,
        model=CLAUDE,
        messages=messages,
        schema=(SPEC, "ConverseRequest"),
        tools=[TOOL],
        tool_choice="required",
        max_tokens=500,
        temperature=0.2,
        stop="END",
        reasoning_effort="low",
        service_tier="priority",
        guardrailConfig={"guardrailIdentifier": "gr-1", "guardrailVersion": "1"},
    )
    assert body["system"] == [{"text": "Be brief."}]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    user = body["messages"][0]["content"]
    assert user[1]["image"]["format"] == "png"
    assert user[2]["document"] == {"format": "pdf", "name": "report 2024 v2", "source": {"bytes": PDF.split(",")[1]}}
    assistant = body["messages"][1]["content"]
    assert assistant[0] == {
        "reasoningContent": {"reasoningText": {"text": "They want weather.", "signature": "EqQBCkgIARABGAIi"}}
    }
    assert assistant[-1] == {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}
    tool_turn = body["messages"][2]["content"]  # the tool result and the next user text share one user turn
    assert tool_turn[0] == {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "sunny"}]}}
    assert tool_turn[1] == {"text": "And tomorrow?"}
    assert body["toolConfig"]["toolChoice"] == {"any": {}}
    assert body["additionalModelRequestFields"] == {"thinking": {"type": "enabled", "budget_tokens": 2048}}
    assert body["inferenceConfig"] == {"maxTokens": 2548, "temperature": 0.2, "stopSequences": ["END"]}
    assert body["serviceTier"] == {"type": "priority"}


def test_structured_output_and_json_mode() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    body = request_body(
        BedrockProvider,
        schema=(SPEC, "ConverseRequest"),
        response_format={"type": "json_schema", "json_schema": {"name": "Thing", "schema": schema}},
    )
    fmt = body["outputConfig"]["textFormat"]
    assert fmt["type"] == "json_schema"
    assert json.loads(fmt["structure"]["jsonSchema"]["schema"]) == schema
    json_body = request_body(BedrockProvider, schema=(SPEC, "ConverseRequest"), response_format={"type": "json_object"})
    assert json_body["toolConfig"]["toolChoice"] == {"tool": {"name": "json_response"}}
    p = params(response_format={"type": "json_object"})
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [{"toolUse": {"toolUseId": "t", "name": "json_response", "input": {"a": 1}}}],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7},
        "metrics": {"latencyMs": 120},
    }
    assert schema_errors(SPEC, "ConverseResponse", answer) == []
    out = provider().parse_completion(json.dumps(answer).encode(), p)
    assert json.loads(out.choices[0].message.content or "") == {"a": 1}
    assert out.choices[0].finish_reason == "stop"
    assert out.choices[0].message.tool_calls is None


def test_replayed_history_without_tools_gets_a_tool_config() -> None:
    messages = [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "done"},
    ]
    body = request_body(BedrockProvider, messages=messages, schema=(SPEC, "ConverseRequest"))
    assert body["toolConfig"]["tools"]


def test_response_with_reasoning_signature_and_cache_usage() -> None:
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"reasoningContent": {"reasoningText": {"text": "Paris is the capital.", "signature": "sig-abc"}}},
                    {"reasoningContent": {"redactedContent": "cmVkYWN0ZWQ="}},
                    {"text": "Paris."},
                ],
            }
        },
        "stopReason": "max_tokens",
        "usage": {
            "inputTokens": 10,
            "outputTokens": 5,
            "totalTokens": 115,
            "cacheReadInputTokens": 80,
            "cacheWriteInputTokens": 20,
        },
        "metrics": {"latencyMs": 950},
    }
    assert schema_errors(SPEC, "ConverseResponse", answer) == []
    out = provider().parse_completion(json.dumps(answer).encode(), params())
    msg = out.choices[0].message
    assert (msg.content, msg.reasoning.content if msg.reasoning else None) == ("Paris.", "Paris is the capital.")
    assert msg.thinking_blocks == [  # type: ignore[attr-defined]
        {"type": "thinking", "thinking": "Paris is the capital.", "signature": "sig-abc"},
        {"type": "redacted_thinking", "data": "cmVkYWN0ZWQ="},
    ]
    assert out.choices[0].finish_reason == "length"
    assert out.usage is not None
    assert (out.usage.prompt_tokens, out.usage.completion_tokens, out.usage.total_tokens) == (110, 5, 115)
    assert out.usage.prompt_tokens_details is not None and out.usage.prompt_tokens_details.cached_tokens == 80
    # sent back, the message replays its signed reasoning ahead of the text
    replay = request_body(
        BedrockProvider,
        messages=[{"role": "user", "content": "q"}, msg.model_dump(), {"role": "user", "content": "more"}],
    )
    assert replay["messages"][1]["content"][0]["reasoningContent"]["reasoningText"]["signature"] == "sig-abc"
    assert replay["messages"][1]["content"][1] == {"reasoningContent": {"redactedContent": "cmVkYWN0ZWQ="}}


def _stream(frames: list[bytes], p: Any = None) -> list[Any]:
    """The chunks a caller gets from these frames, through core's real stream path (13-byte reads)."""
    return run_stream(provider(), p or params(stream=True), b"".join(frames), split=13)


def test_stream_with_reasoning_signature_and_usage_in_the_last_chunk() -> None:
    frames = converse_frames(
        [
            ("messageStart", {"role": "assistant"}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Think"}}}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "ing."}}}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "sig-xyz"}}}),
            ("contentBlockStop", {"contentBlockIndex": 0}),
            ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "Paris."}}),
            ("contentBlockStop", {"contentBlockIndex": 1}),
            ("messageStop", {"stopReason": "end_turn"}),
            (
                "metadata",
                {"usage": {"inputTokens": 4, "outputTokens": 6, "totalTokens": 12, "cacheReadInputTokens": 2}},
            ),
        ]
    )
    chunks = _stream(frames)
    deltas = [c.choices[0].delta for c in chunks]
    assert "".join(d.reasoning.content for d in deltas if d.reasoning) == "Thinking."
    assert "".join(d.content or "" for d in deltas) == "Paris."
    blocks = [b for d in deltas for b in getattr(d, "thinking_blocks", None) or ()]
    assert blocks == [{"type": "thinking", "thinking": "Thinking.", "signature": "sig-xyz"}]
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.usage is not None and (last.usage.prompt_tokens, last.usage.total_tokens) == (6, 12)


def test_stream_json_mode_tool_becomes_content_and_a_cut_stream_raises() -> None:
    p = params(stream=True, response_format={"type": "json_object"})
    frames = converse_frames(
        [
            ("messageStart", {"role": "assistant"}),
            (
                "contentBlockStart",
                {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "t", "name": "json_response"}}},
            ),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": '{"a":'}}}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": "1}"}}}),
            ("messageStop", {"stopReason": "tool_use"}),
        ]
    )
    chunks = _stream(frames, p)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == '{"a":1}'
    assert chunks[-1].choices[0].finish_reason == "stop"
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        _stream(frames[:3], p)


@pytest.mark.parametrize(
    ("status", "kind", "message", "expected"),
    [
        (429, "ThrottlingException", "Rate exceeded", errors.RateLimitError),
        (400, "ServiceQuotaExceededException", "quota", errors.RateLimitError),
        (400, "ValidationException", "Input is too long for requested model.", errors.ContextLengthExceededError),
        (
            400,
            "ValidationException",
            "The model returned the following errors: prompt is too long: 210000 tokens > 200000 maximum",
            errors.ContextLengthExceededError,
        ),
        (400, "ValidationException", "Malformed input request", errors.InvalidRequestError),
        (403, "AccessDeniedException", "You don't have access to the model", errors.AuthenticationError),
        (
            400,
            "ExpiredTokenException",
            "The security token included in the request is expired",
            errors.AuthenticationError,
        ),
        (404, "ResourceNotFoundException", "Model not found", errors.ModelNotFoundError),
        (429, "ModelNotReadyException", "Model is not ready", errors.ProviderError),
        (503, "ServiceUnavailableException", "Service unavailable", errors.ProviderError),
        (424, "ModelErrorException", "model error", errors.ProviderError),
        (408, "ModelTimeoutException", "timeout", errors.ProviderError),
    ],
)
def test_aws_errors_map_to_typed_errors(status: int, kind: str, message: str, expected: type) -> None:
    headers = {
        "x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
        "x-amzn-requestid": "r-1",
    }
    err = provider().parse_error(status, headers, json.dumps({"message": message}).encode())
    assert type(err) is expected, err
    assert err.request_id == "r-1"
    assert kind in str(err)
    # the same error named in the body (__type), no header
    body_named = provider().parse_error(
        status, {}, json.dumps({"__type": f"com.amazon.coral#{kind}", "message": message}).encode()
    )
    assert type(body_named) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("validationException", errors.InvalidRequestError),
        ("modelStreamErrorException", errors.ProviderError),
        ("internalServerException", errors.ProviderError),
        ("serviceUnavailableException", errors.ProviderError),
    ],
)
def test_exceptions_inside_the_stream(name: str, expected: type) -> None:
    with pytest.raises(expected):
        _stream([*converse_frames([("messageStart", {"role": "assistant"})]), exception_frame(name, "boom")])


def test_refusals_before_sending() -> None:
    def build(**kwargs: Any) -> Any:
        return build_request(provider(), params(**kwargs))  # core's checks, then the provider's own refusals

    with pytest.raises(errors.UnsupportedParameterError):
        build(tools=[TOOL], tool_choice="none")
    with pytest.raises(errors.ConfigurationError, match="s3://"):
        build(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}])
    with pytest.raises(errors.ConfigurationError, match="one token limit"):
        build(max_tokens=5, max_completion_tokens=6)
    with pytest.raises(errors.UnsupportedParameterError):
        build(seed=1)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "output",
                    "message",
                    "content",
                    "text",
                    "toolUse",
                    "usage",
                    "stopReason",
                    "delta",
                    "contentBlockIndex",
                    "start",
                    "reasoningContent",
                    "input",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    _json,
    st.sampled_from(
        ["messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"]
    ),
)
def test_wrong_shapes_give_typed_errors(data: Any, event: str) -> None:
    """Through core's own wrapping (as a caller meets them): a completion, chunks, or a typed error."""
    raw = json.dumps(data).encode()
    try:
        parse_completion(provider(), params(), raw)
    except errors.AnyLLMError:
        pass
    parser = provider().stream_parser(params(stream=True))
    try:
        feed_event(provider(), parser, StreamEvent(raw, event, {":message-type": "event", ":event-type": event}))
    except errors.AnyLLMError:
        pass


def test_cache_points_in_system_and_user_messages() -> None:
    messages = [
        {"role": "system", "content": [{"type": "text", "text": "Long rules."}, {"type": "cache_point"}]},
        {"role": "user", "content": [{"type": "text", "text": "Long document."}, {"type": "cache_point"}, "Question?"]},
    ]
    body = request_body(BedrockProvider, messages=messages, schema=(SPEC, "ConverseRequest"))
    assert body["system"] == [{"text": "Long rules."}, {"cachePoint": {"type": "default"}}]
    assert body["messages"][0]["content"][1] == {"cachePoint": {"type": "default"}}
    with pytest.raises(errors.ConfigurationError, match="system message takes text"):
        request_body(
            BedrockProvider,
            messages=[{"role": "system", "content": [{"type": "image_url", "image_url": {"url": PNG}}]}, *messages[1:]],
        )
