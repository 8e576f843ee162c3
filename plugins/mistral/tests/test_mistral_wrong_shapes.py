"""Values of an unexpected type (a ResponseValidationError carrying the body, never a raw TypeError), and
which chunks the core normalizes through the ``chunk_needs_normalize`` hook."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_mistral import MistralProvider
from mistral_kit import KEY, chat_json, chunk, tool_call, usage

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent

PARAMS = build_params("mistral-small-latest", [{"role": "user", "content": "x"}], {}, {})
STREAM_PARAMS = build_params("mistral-small-latest", [{"role": "user", "content": "x"}], {"stream": True}, {})


@pytest.mark.parametrize("reason", [["stop"], {"a": 1}, 5])
def test_a_finish_reason_that_is_not_a_string(reason: Any) -> None:
    event = chunk({"content": "a"})
    event["choices"][0]["finish_reason"] = reason
    raw = json.dumps(event).encode()
    parser = MistralProvider(api_key=KEY).stream_parser(STREAM_PARAMS)
    with pytest.raises(errors.ResponseValidationError, match="finish_reason") as info:
        list(parser.feed(StreamEvent(raw)))
    assert info.value.body == raw.decode()
    body = chat_json("a")
    body["choices"][0]["finish_reason"] = reason
    with pytest.raises(errors.ResponseValidationError, match="finish_reason"):
        MistralProvider(api_key=KEY).parse_completion(json.dumps(body).encode(), PARAMS)


@pytest.mark.parametrize(
    ("event", "needed"),
    [
        (chunk({"content": "plain text"}), False),
        (chunk({"role": "assistant", "content": ""}), False),
        (chunk({"content": 'a "usage" in the text'}), False),  # escaped quotes: not a key
        (chunk({"tool_calls": [tool_call("f", "{}")]}), True),
        (chunk({"content": ""}, "stop", with_usage=usage(7, 3)), True),
        (chunk({"content": "a", "reasoning_content": "r"}), True),
        ({"object": "error", "message": "boom", "type": "internal_error", "error": None}, True),
    ],
)
def test_only_chunks_with_keys_normalization_rewrites_need_it(event: dict[str, Any], needed: bool) -> None:
    assert MistralProvider(api_key=KEY).chunk_needs_normalize(json.dumps(event).encode()) is needed


def test_a_chunk_that_needs_normalizing_is_normalized() -> None:
    parser = MistralProvider(api_key=KEY).stream_parser(STREAM_PARAMS)
    last_usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10, "num_cached_tokens": 2}
    events = [
        chunk({"tool_calls": [tool_call("f", {"a": 1}, "abcdefghi")]}),
        chunk({"tool_calls": [tool_call("g", "{}", "bcdefghij")]}),
        chunk({"content": ""}, "model_length", with_usage=last_usage),
    ]
    chunks = [c for e in events for c in parser.feed(StreamEvent(json.dumps(e).encode()))]
    calls = [t for c in chunks for t in c.choices[0].delta.tool_calls or ()]
    assert [(t.index, t.id, t.function.name, t.function.arguments) for t in calls] == [
        (0, "abcdefghi", "f", '{"a": 1}'),
        (1, "bcdefghij", "g", "{}"),
    ]
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens_details.cached_tokens == 2


def test_a_subclass_with_its_own_normalize_chunk_sees_every_chunk() -> None:
    seen: list[Any] = []

    class Custom(MistralProvider):
        def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
            seen.append(payload)
            return payload

    assert not MistralProvider(api_key=KEY).chunk_needs_normalize(b'{"choices":[]}')
    parser = Custom(api_key=KEY).stream_parser(STREAM_PARAMS)
    list(parser.feed(StreamEvent(json.dumps(chunk({"content": "plain"})).encode())))
    assert len(seen) == 1
