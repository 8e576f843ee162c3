"""llama.cpp through the real HTTP stack: the core's conformance kit with llama-cpp-python's answer shapes
(seed examples sync/async, streaming, tools, structured output, usage, typed errors, env vars, embeddings,
models), plus what is llama.cpp's own and only shows through the stack: the replayed tool-call turn,
validation 500s, refusals before sending and a stream that ends before its first chunk. Pure translation
quirks (json_schema -> json_object + schema, max_completion_tokens -> max_tokens, function_call dropping,
error reclassification) are in test_llamacpp_translate.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from anyllm_llamacpp import LlamacppProvider

from any_llm import completion, errors
from any_llm.testing.conformance import (
    MESSAGES,
    TOOL_ARGS,
    TOOL_NAME,
    TOOL_RESULT,
    OpenAICompatibleConformance,
    openai_exchanges,
    run_scenario,
)
from any_llm.testing.server import MockServer, Reply

RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "llama-cpp-python-0.3.36.json").read_text())[
    "cases"
]


# -- the conformance kit, with llama.cpp-shaped answers ------------------------------------------------


def llama_exchanges() -> dict[str, Reply | list[Reply]]:
    """The kit's canonical values in llama-cpp-python's shapes: legacy function_call next to tool_calls,
    id and name repeated in every streamed tool-call chunk, its error bodies."""
    out = openai_exchanges()
    usage = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
    args = json.dumps(TOOL_ARGS)
    call = {
        "id": "call__0_get_weather_cmpl-kit",
        "type": "function",
        "function": {"name": TOOL_NAME, "arguments": args},
    }
    body = {
        "id": "chatcmpl-kit",
        "object": "chat.completion",
        "created": 1,
        "model": "smollm2",
        "usage": usage,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [call],
                    "function_call": {"name": TOOL_NAME + ":", "arguments": args},
                },
            }
        ],
    }
    base = {"id": "chatcmpl-kit", "object": "chat.completion.chunk", "created": 1, "model": "smollm2"}
    events: list[Any] = [
        {
            **base,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": None,
                    "logprobs": None,
                    "delta": {"role": "assistant", "content": None, "function_call": None, "tool_calls": None},
                }
            ],
        }
    ]
    for i in range(0, len(args), 4):
        piece = args[i : i + 4]
        events.append(
            {
                **base,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": None,
                        "logprobs": None,
                        "delta": {
                            "role": None,
                            "content": None,
                            "function_call": {"name": TOOL_NAME, "arguments": piece},
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": call["id"],
                                    "type": "function",
                                    "function": {"name": TOOL_NAME, "arguments": piece},
                                }
                            ],
                        },
                    }
                ],
            }
        )
    events.append(
        {
            **base,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "logprobs": None,
                    "delta": {"role": None, "content": None, "function_call": None, "tool_calls": None},
                }
            ],
        }
    )
    out["tool_call"] = Reply.json(body)
    out["stream_tool_call"] = Reply.sse(events)
    out["error_context_length"] = Reply.json(json.loads(RECORDED["overflow"]["body"]), 400)
    out["error_5xx"] = Reply.json(json.loads(RECORDED["tool_required"]["body"]), 500)
    return out


class TestLlamacppConformance(OpenAICompatibleConformance):
    provider_class = LlamacppProvider

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        return llama_exchanges()[scenario]


def common(server: MockServer) -> dict[str, Any]:
    return {"provider": "llamacpp", "model": "smollm2", "api_base": server.url + "/v1", "api_key": "test-key-123456"}


@pytest.mark.parametrize("use_async", [False, True])
def test_tool_round_trip_replays_empty_content(use_async: bool) -> None:
    outcome = run_scenario(
        LlamacppProvider,
        "tool_round_trip",
        TestLlamacppConformance().replies("tool_round_trip"),
        use_async=use_async,
        base_path="/v1",
    )
    assert outcome.error is None and outcome.second is not None
    sent = (outcome.requests or [])[1].json["messages"]
    assert sent[0] == MESSAGES[0]
    # llama-cpp-python answers 500 to content null/missing here, and the legacy function_call is not echoed
    assert sent[1] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call__0_get_weather_cmpl-kit",
                "type": "function",
                "function": {"name": TOOL_NAME, "arguments": json.dumps(TOOL_ARGS)},
            }
        ],
    }
    assert sent[2] == {"role": "tool", "tool_call_id": "call__0_get_weather_cmpl-kit", "content": TOOL_RESULT}


def test_validation_500_is_an_invalid_request(mock_server: MockServer, reply: Callable[..., Reply]) -> None:
    # the kit covers the recorded overflow (400) and empty 500 through error_context_length / error_5xx
    mock_server.queue(reply("json_schema"))
    with pytest.raises(errors.InvalidRequestError) as info:
        completion(messages=[{"role": "user", "content": "hi"}], client_args={"max_retries": 0}, **common(mock_server))
    assert type(info.value) is errors.InvalidRequestError
    assert len(mock_server.requests) == 1


@pytest.mark.parametrize("args", [{"n": 2}, {"max_tokens": 5, "max_completion_tokens": 5}])
def test_refused_before_sending(mock_server: MockServer, args: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigurationError):
        completion(messages=[{"role": "user", "content": "hi"}], **args, **common(mock_server))
    assert mock_server.requests == []


def test_empty_stream_through_the_stack(mock_server: MockServer, reply: Callable[..., Reply]) -> None:
    mock_server.queue(reply("overflow_stream"))
    with pytest.raises(errors.ProviderError, match="before its first chunk"):
        list(completion(messages=[{"role": "user", "content": "hi"}], stream=True, **common(mock_server)))
