"""The NDJSON stream parser on documented transcripts, without any server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anyllm_ollama import OllamaProvider

from any_llm import errors
from any_llm.params import build_params
from any_llm.provider import StreamEvent
from any_llm.testing import run_stream
from any_llm.types.completion import ChatCompletionChunk


def run(lines: list[Any], split: int | None = None) -> list[ChatCompletionChunk]:
    """Feed the lines through the core's NDJSON decoder and our parser, optionally in odd-sized pieces."""
    params = build_params("llama3.2", [{"role": "user", "content": "hi"}], {"stream": True}, {})
    raw = b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines)
    return run_stream(OllamaProvider(), params, raw, split=split)


def text_of(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks)


def line(content: str = "", done: bool = False, **message: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": "llama3.2",
        "created_at": "2025-07-07T20:22:19.184789Z",
        "message": {"role": "assistant", "content": content, **message},
        "done": done,
    }
    if done:
        out.update(done_reason="stop", prompt_eval_count=10, eval_count=3)
    return out


@pytest.mark.parametrize("split", [None, 1, 7])
def test_documented_text_stream(docs: Any, split: int | None) -> None:
    chunks = run(docs.STREAM, split)
    assert text_of(chunks) == "The sky"
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.choices[0].delta.role is None for c in chunks[1:])
    assert len({c.id for c in chunks}) == 1
    assert len({c.created for c in chunks}) == 1
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.usage.prompt_tokens, last.usage.completion_tokens, last.usage.total_tokens) == (26, 282, 308)
    assert all(c.choices[0].finish_reason is None and c.usage is None for c in chunks[:-1])


def test_documented_tool_stream(docs: Any) -> None:
    chunks = run(docs.STREAM_TOOLS)
    calls = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert len(calls) == 1
    assert calls[0].index == 0
    assert calls[0].id.startswith("call_")
    assert calls[0].type == "function"
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"city": "Tokyo"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage.prompt_tokens == 169


def test_several_tool_calls_get_their_own_indexes() -> None:
    calls_a = [
        {"id": "call_a", "function": {"name": "f", "arguments": {"x": 1}}},
        {"function": {"name": "g", "arguments": {}}},
    ]
    chunks = run(
        [
            line(tool_calls=calls_a),
            line(tool_calls=[{"function": {"name": "h", "arguments": {"y": "z"}}}]),
            line(done=True),
        ]
    )
    calls = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert [c.index for c in calls] == [0, 1, 2]
    assert [c.function.name for c in calls] == ["f", "g", "h"]
    assert calls[0].id == "call_a"
    assert len({c.id for c in calls}) == 3


def test_thinking_streams_as_reasoning() -> None:
    chunks = run([line(thinking="Let me "), line(thinking="think."), line("Two."), line(done=True)])
    reasoning = "".join(c.choices[0].delta.reasoning.content for c in chunks if c.choices[0].delta.reasoning)
    assert reasoning == "Let me think."
    assert text_of(chunks) == "Two."


def test_think_tags_split_across_lines() -> None:
    chunks = run([line("<thi"), line("nk>plan"), line(" more</th"), line("ink>Answer"), line(done=True)])
    reasoning = "".join(c.choices[0].delta.reasoning.content for c in chunks if c.choices[0].delta.reasoning)
    assert reasoning == "plan more"
    assert text_of(chunks) == "Answer"


def test_held_back_text_is_delivered_at_done() -> None:
    chunks = run([line("<"), line(done=True)])
    assert text_of(chunks) == "<"


def test_length_finish() -> None:
    final = line(done=True)
    final["done_reason"] = "length"
    assert run([line("a"), final])[-1].choices[0].finish_reason == "length"


def test_logprobs_in_stream() -> None:
    first = line("Hi")
    first["logprobs"] = [{"token": "Hi", "logprob": -0.25, "bytes": [72, 105], "top_logprobs": []}]
    chunks = run([first, line(done=True)])
    assert chunks[0].choices[0].logprobs.content[0].logprob == -0.25


def test_error_line_mid_stream_is_typed() -> None:
    with pytest.raises(errors.ContextLengthExceededError, match="context length"):
        run([line("The"), {"error": "the input length exceeds the context length"}])
    with pytest.raises(errors.ProviderError, match="runner"):
        run([line("The"), {"error": "llama runner process has terminated: exit status 2"}])


def test_body_ending_without_done_raises() -> None:
    with pytest.raises(errors.APIConnectionError, match="ended before its end marker"):
        run([line("The"), line(" sky")])


def test_lines_after_done_are_not_read() -> None:
    chunks = run([line("a"), line(done=True), b"this is not json"])
    assert text_of(chunks) == "a"


@pytest.mark.parametrize(
    "bad", [b"{not json", b"[]", json.dumps(line(content=None) | {"message": {"content": 3}}).encode()]
)
def test_bad_lines_raise_response_validation_error(bad: bytes) -> None:
    with pytest.raises(errors.ResponseValidationError):
        run([bad])


def test_parser_feed_directly_sets_done() -> None:
    parser = OllamaProvider().stream_parser(build_params("m", [{"role": "user", "content": "x"}], {}, {}))
    assert parser.done is False
    list(parser.feed(StreamEvent(json.dumps(line(done=True)).encode())))
    assert parser.done is True
    assert list(parser.finish()) == []
