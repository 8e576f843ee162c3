"""The fake provider that application tests use instead of a network."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from any_llm import acompletion, completion, errors
from any_llm.testing import FakeLLM

MSG = [{"role": "user", "content": "hi"}]


def test_text_tool_calls_and_requests_recorded(fake_llm: FakeLLM) -> None:
    fake_llm.add_text("Paris.").add_tool_call("get_weather", {"city": "Paris"})
    first = completion(model="any", provider="fake", messages=MSG, temperature=0)
    assert first.choices[0].message.content == "Paris."
    second = completion(model="any", provider="fake", messages=MSG)
    call = second.choices[0].message.tool_calls[0]
    assert second.choices[0].finish_reason == "tool_calls"
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    assert fake_llm.requests[0]["temperature"] == 0
    assert fake_llm.requests[1]["messages"] == MSG


def test_streams_chunk_by_chunk(fake_llm: FakeLLM) -> None:
    fake_llm.add_text("Once upon a time", reasoning="thinking hard")
    chunks = list(completion(model="any", provider="fake", messages=MSG, stream=True))
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) == 4 and "".join(texts) == "Once upon a time"
    thought = "".join(
        c.choices[0].delta.reasoning.content for c in chunks if c.choices and c.choices[0].delta.reasoning
    )
    assert thought == "thinking hard"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 15


async def test_async_and_streamed_tool_calls(fake_llm: FakeLLM) -> None:
    fake_llm.add_tool_call("lookup", {"q": "x" * 30})
    stream = await acompletion(model="any", provider="fake", messages=MSG, stream=True)
    args = ""
    async for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                args += call.function.arguments or ""
    assert json.loads(args) == {"q": "x" * 30}


def test_errors_map_like_a_real_provider(fake_llm: FakeLLM) -> None:
    fake_llm.add_error(429, "slow down", retry_after=120)
    with pytest.raises(errors.RateLimitError) as info:
        completion(model="any", provider="fake", messages=MSG)
    assert info.value.retry_after == 120
    fake_llm.add_error(400, "too long", code="context_length_exceeded")
    with pytest.raises(errors.ContextLengthExceededError):
        completion(model="any", provider="fake", messages=MSG)


def test_structured_output(fake_llm: FakeLLM) -> None:
    class City(BaseModel):
        name: str

    fake_llm.add_json({"name": "Paris"})
    out = completion(model="any", provider="fake", messages=MSG, response_format=City)
    assert out.choices[0].message.parsed == City(name="Paris")


def test_empty_queue_is_a_clear_error(fake_llm: FakeLLM) -> None:
    with pytest.raises(errors.ProviderError, match="no answer queued"):
        completion(model="any", provider="fake", messages=MSG, client_args={"max_retries": 0})


def test_fake_is_gone_after_the_block() -> None:
    with FakeLLM() as fake:
        fake.add_text("x")
        completion(model="any", provider="fake", messages=MSG)
    with pytest.raises(errors.UnsupportedProviderError, match="registered in this process by any_llm.testing.fake"):
        completion(model="any", provider="fake", messages=MSG)
