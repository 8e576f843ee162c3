"""The llamacpp plugin against the real server: every parameter family, tools, structured output, errors,
concurrency. Each test names the server behaviour it relies on; wording is never checked."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pydantic import BaseModel

from any_llm import acompletion, completion, errors
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk

pytestmark = pytest.mark.real_server

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
NAMED = {"type": "function", "function": {"name": "get_weather"}}
ASK_WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]
STORY = [{"role": "user", "content": "Tell me a long story about a dragon."}]
NO_RETRY = {"max_retries": 0}


class City(BaseModel):
    name: str
    country: str
    population: int


@pytest.fixture
def kw(base_url: str, server_info: dict[str, Any]) -> dict[str, Any]:
    return {"provider": "llamacpp", "api_base": base_url, "model": server_info["model"], "temperature": 0}


def check_usage(response: ChatCompletion) -> None:
    usage = response.usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_plain(kw: dict[str, Any]) -> None:
    response = completion(messages=[{"role": "user", "content": "What is the capital of France?"}], max_tokens=24, **kw)
    assert isinstance(response, ChatCompletion)
    choice = response.choices[0]
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str) and choice.message.content.strip()
    assert choice.finish_reason in ("stop", "length")
    assert response.id and response.model
    check_usage(response)


def test_stream(kw: dict[str, Any], server_info: dict[str, Any]) -> None:
    chunks = list(completion(messages=STORY, max_tokens=8, stream=True, **kw))
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    pieces = [c.choices[0].delta.content for c in with_choices if c.choices[0].delta.content]
    assert pieces and 1 <= len(pieces) <= 8  # one token per chunk at most
    finishes = [c.choices[0].finish_reason for c in with_choices if c.choices[0].finish_reason]
    assert finishes == ["length"]
    usage = [c.usage for c in chunks if c.usage is not None]
    if server_info["kind"] == "llama-cpp-python":
        # we ask (stream_options.include_usage) but llama-cpp-python 0.3.36 never sends a usage chunk
        assert usage == []
    else:
        assert len(usage) == 1 and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 8


def test_max_tokens_and_max_completion_tokens_stop_at_the_limit(kw: dict[str, Any]) -> None:
    for limit in ({"max_tokens": 3}, {"max_completion_tokens": 3}):  # the second is sent as max_tokens
        response = completion(messages=STORY, **limit, **kw)
        assert response.choices[0].finish_reason == "length", limit
        assert response.usage is not None and response.usage.completion_tokens == 3, limit


def test_stop(kw: dict[str, Any]) -> None:
    prompt = [{"role": "user", "content": "Count from 1 to 20, separated by commas."}]
    full = completion(messages=prompt, max_tokens=24, **kw).choices[0].message.content or ""
    words = full.split()
    assert len(words) >= 3, full
    stop = words[len(words) // 2]
    cut = completion(messages=prompt, max_tokens=24, stop=[stop], **kw).choices[0]
    assert cut.finish_reason == "stop"
    assert stop not in (cut.message.content or "")
    assert full.startswith(cut.message.content or "")


def test_logprobs(kw: dict[str, Any]) -> None:
    response = completion(messages=STORY, max_tokens=3, logprobs=True, top_logprobs=2, **kw)
    logprobs = response.choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None
    assert response.usage is not None and len(logprobs.content) == response.usage.completion_tokens
    for token in logprobs.content:
        assert token.logprob <= 0 and len(token.top_logprobs) == 2
        assert token.top_logprobs[0].logprob >= token.top_logprobs[1].logprob


def test_named_tool_call(kw: dict[str, Any]) -> None:
    response = completion(messages=ASK_WEATHER, tools=[WEATHER_TOOL], tool_choice=NAMED, max_tokens=48, **kw)
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.function_call is None  # llama-cpp-python's legacy duplicate is dropped
    (call,) = choice.message.tool_calls or []
    assert call.id and call.type == "function" and call.function.name == "get_weather"
    args = json.loads(call.function.arguments)
    assert isinstance(args, dict) and isinstance(args.get("city"), str)


def test_named_tool_call_streamed(kw: dict[str, Any]) -> None:
    ids, names, arguments, finishes = [], [], "", []
    for chunk in completion(
        messages=ASK_WEATHER, tools=[WEATHER_TOOL], tool_choice=NAMED, max_tokens=48, stream=True, **kw
    ):
        for choice in chunk.choices:
            assert choice.delta.function_call is None
            finishes += [choice.finish_reason] if choice.finish_reason else []
            for call in choice.delta.tool_calls or ():
                assert call.index == 0
                ids += [call.id] if call.id else []
                if call.function:
                    names += [call.function.name] if call.function.name else []
                    arguments += call.function.arguments or ""
    # the server repeats id and name in every chunk; we deliver them once, as OpenAI does
    assert names == ["get_weather"] and len(ids) == 1
    assert isinstance(json.loads(arguments).get("city"), str)
    assert finishes == ["tool_calls"]


def test_tool_result_round_trip(kw: dict[str, Any]) -> None:
    first = completion(messages=ASK_WEATHER, tools=[WEATHER_TOOL], tool_choice=NAMED, max_tokens=48, **kw)
    message = first.choices[0].message
    call = (message.tool_calls or [])[0]
    messages: list[Any] = [
        *ASK_WEATHER,
        message,
        {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 22 degrees Celsius."},
    ]
    # the echoed message has content None: sent as "" (the server answers 500 to null)
    second = completion(messages=messages, tools=[WEATHER_TOOL], max_tokens=24, **kw)
    assert isinstance(second, ChatCompletion)
    assert second.choices[0].finish_reason in ("stop", "length", "tool_calls")


def test_structured_output_json_schema(kw: dict[str, Any]) -> None:
    # json_schema is sent as json_object + schema, which the server grammar-forces
    response = completion(
        messages=[{"role": "user", "content": "Tell me about Paris."}], response_format=City, max_tokens=64, **kw
    )
    city = response.choices[0].message.parsed
    assert isinstance(city, City)
    assert response.choices[0].finish_reason == "stop"


def test_json_object(kw: dict[str, Any]) -> None:
    response = completion(
        messages=[{"role": "user", "content": "Describe Paris as a JSON object."}],
        response_format={"type": "json_object"},
        max_tokens=64,
        **kw,
    )
    assert response.choices[0].finish_reason == "stop"
    assert isinstance(json.loads(response.choices[0].message.content or ""), dict)


def test_context_length_overflow(kw: dict[str, Any]) -> None:
    too_long = [{"role": "user", "content": "hello " * 3000}]  # n_ctx is 2048
    with pytest.raises(errors.ContextLengthExceededError) as info:
        completion(messages=too_long, max_tokens=4, client_args=NO_RETRY, **kw)
    assert info.value.status_code == 400


def test_context_length_overflow_streamed(kw: dict[str, Any], server_info: dict[str, Any]) -> None:
    too_long = [{"role": "user", "content": "hello " * 3000}]
    if server_info["kind"] == "llama-cpp-python":
        # it answers 200 and then an empty stream; we say why instead of "connection broke"
        with pytest.raises(errors.ProviderError, match="before its first chunk"):
            list(completion(messages=too_long, max_tokens=4, stream=True, client_args=NO_RETRY, **kw))
    else:
        with pytest.raises(errors.ContextLengthExceededError):
            list(completion(messages=too_long, max_tokens=4, stream=True, client_args=NO_RETRY, **kw))


def test_unknown_parameters_pass_through(kw: dict[str, Any]) -> None:
    # **kwargs go into the body as given: the server ignores a field it does not know...
    ignored = completion(messages=STORY, max_tokens=3, frobnicate=42, **kw)
    assert ignored.choices[0].finish_reason == "length"
    # ...and applies llama.cpp's own fields, here a GBNF grammar
    forced = completion(
        messages=[{"role": "user", "content": "Is Paris in France?"}],
        max_tokens=4,
        grammar='root ::= "yes" | "no"',
        **kw,
    )
    assert forced.choices[0].message.content in ("yes", "no")


def test_server_gaps_fail_with_the_fix_named(kw: dict[str, Any], server_info: dict[str, Any]) -> None:
    if server_info["kind"] != "llama-cpp-python":
        pytest.skip("tool_choice='required' and auto tool choice while streaming work on llama-server")
    with pytest.raises(errors.ProviderError, match="tool_choice='required'"):
        completion(
            messages=ASK_WEATHER,
            tools=[WEATHER_TOOL],
            tool_choice="required",
            max_tokens=16,
            client_args=NO_RETRY,
            **kw,
        )
    with pytest.raises(errors.ProviderError, match="tool_choice='auto'"):
        list(
            completion(
                messages=ASK_WEATHER,
                tools=[WEATHER_TOOL],
                tool_choice="auto",
                max_tokens=16,
                stream=True,
                client_args=NO_RETRY,
                **kw,
            )
        )


def test_concurrent_calls_each_get_their_own_answer(kw: dict[str, Any]) -> None:
    limits = [2, 3, 4, 5]
    prompts = [f"Tell me a story about the number {n}." for n in limits]

    async def main() -> list[ChatCompletion]:
        return list(
            await asyncio.gather(
                *(
                    acompletion(messages=[{"role": "user", "content": p}], max_tokens=n, **kw)
                    for p, n in zip(prompts, limits)
                )
            )
        )

    responses = asyncio.run(main())
    assert len({r.id for r in responses}) == len(limits)
    for response, limit in zip(responses, limits):
        assert response.choices[0].finish_reason == "length"
        assert response.usage is not None and response.usage.completion_tokens == limit
