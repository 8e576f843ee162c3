"""The five seed examples, rewritten for ``responses()`` and ``messages()``, through the real HTTP stack.

Local servers answer in each provider's own wire format, choosing the shape from the request:
openai serves ``/v1/responses`` (native responses) and chat completions (messages translated);
anthropic serves ``/v1/messages`` (native messages; responses translated); mistral (chat
completions) and ollama (``/api/chat``, NDJSON) get both APIs translated. Sync and async, streamed
and not. The assertions are the seed examples' own: the text, the parsed city, the tool call and the
answer after its result. Requests are checked to have gone to the endpoint the declarations choose.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from any_llm import amessages, aresponses, messages, responses
from any_llm.testing import MockServer, RecordedRequest, Reply
from any_llm.testing.conformance import chunk_json, completion_json
from any_llm.testing.seed import CityInfo, get_weather
from any_llm.types import messages as mt
from any_llm.types import responses as rt

KEY = "seed-key-0123456789"
CAPITAL = "The capital of France is Paris."
STORY = ["Once", " upon", " a", " time", "."]
HELLO = "Hello! How can I help?"
CITY = {"name": "Paris", "country": "France", "population": 2102650}
WEATHER = "Weather in Paris is sunny and 75F!"
AFTER_TOOL = "It is sunny and 75F in Paris."
PROVIDERS = ("openai", "anthropic", "mistral", "ollama")
BASE_PATH = {"openai": "/v1", "anthropic": "", "mistral": "/v1", "ollama": ""}
ENDPOINT = {
    ("openai", "responses"): "/v1/responses",
    ("openai", "messages"): "/v1/chat/completions",
    ("anthropic", "responses"): "/v1/messages",
    ("anthropic", "messages"): "/v1/messages",
    ("mistral", "responses"): "/v1/chat/completions",
    ("mistral", "messages"): "/v1/chat/completions",
    ("ollama", "responses"): "/api/chat",
    ("ollama", "messages"): "/api/chat",
}


# -- what the request asks for, whatever its wire format --------------------------------------------


def _intent(body: dict[str, Any]) -> str:
    """ "tool_result", "tool", "json", "story", "hello" or "capital"."""
    text = json.dumps(body)
    if WEATHER in text:
        return "tool_result"
    if body.get("tools"):
        return "tool"
    if "json_schema" in text or body.get("format") or "output_config" in body:
        return "json"
    if "story" in text:
        return "story"
    if "Hello!" in text:
        return "hello"
    return "capital"


def _answer(intent: str) -> str:
    return {"json": json.dumps(CITY), "hello": HELLO, "tool_result": AFTER_TOOL, "story": "".join(STORY)}.get(
        intent, CAPITAL
    )


# -- wire formats ---------------------------------------------------------------------------------


def chat_completions(body: dict[str, Any]) -> Reply:
    intent = _intent(body)
    if body.get("stream"):
        chunks = [chunk_json({"role": "assistant", "content": ""})]
        chunks += [chunk_json({"content": w}) for w in STORY] + [chunk_json({}, "stop")]
        return Reply.sse(chunks)
    if intent == "tool":
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
        }
        return Reply.json(completion_json({"content": None, "tool_calls": [call]}, "tool_calls"))
    return Reply.json(completion_json({"content": _answer(intent)}))


def openai_responses(body: dict[str, Any]) -> Reply:
    intent = _intent(body)
    usage = {"input_tokens": 12, "output_tokens": 7, "total_tokens": 19}

    def response(output: list[dict[str, Any]], status: str = "completed") -> dict[str, Any]:
        return {
            "id": "resp_1",
            "object": "response",
            "created_at": 1741476542,
            "status": status,
            "model": body["model"],
            "output": output,
            "usage": usage if status == "completed" else None,
        }

    def message(text: str) -> dict[str, Any]:
        return {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }

    if body.get("stream"):
        ref = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
        events: list[dict[str, Any]] = [
            {"type": "response.created", "response": response([], "in_progress")},
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {"type": "message", "id": "msg_1", "status": "in_progress", "role": "assistant", "content": []},
            },
            *({"type": "response.output_text.delta", **ref, "delta": w} for w in STORY),
            {"type": "response.output_text.done", **ref, "text": "".join(STORY)},
            {"type": "response.output_item.done", "output_index": 0, "item": message("".join(STORY))},
            {"type": "response.completed", "response": response([message("".join(STORY))])},
        ]
        return Reply.sse([(e["type"], {**e, "sequence_number": n}) for n, e in enumerate(events)], done=False)
    if intent == "tool":
        call = {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"location": "Paris"}',
            "status": "completed",
        }
        return Reply.json(response([call]))
    return Reply.json(response([message(_answer(intent))]))


def anthropic_messages(body: dict[str, Any]) -> Reply:
    intent = _intent(body)
    usage = {"input_tokens": 12, "output_tokens": 7}

    def message(content: list[dict[str, Any]], stop: str) -> dict[str, Any]:
        return {
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage,
        }

    if body.get("stream"):
        events: list[dict[str, Any]] = [
            {"type": "message_start", "message": message([], None)},  # type: ignore[arg-type]
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            *({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}} for w in STORY),
            {"type": "content_block_stop", "index": 0},
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 7},
            },
            {"type": "message_stop"},
        ]
        return Reply.sse([(e["type"], e) for e in events], done=False)
    if intent == "tool":
        use = {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"location": "Paris"}}
        return Reply.json(message([use], "tool_use"))
    return Reply.json(message([{"type": "text", "text": _answer(intent)}], "end_turn"))


def ollama_chat(body: dict[str, Any]) -> Reply:
    intent = _intent(body)
    final = {"done": True, "done_reason": "stop", "prompt_eval_count": 12, "eval_count": 7}

    def line(content: str = "", **extra: Any) -> dict[str, Any]:
        return {
            "model": body["model"],
            "created_at": "2025-07-07T20:22:19Z",
            "message": {"role": "assistant", "content": content, **extra},
        }

    if body.get("stream"):
        return Reply.ndjson([*({**line(w), "done": False} for w in STORY), {**line(), **final}])
    if intent == "tool":
        calls = [{"function": {"name": "get_weather", "arguments": {"location": "Paris"}}}]
        return Reply.json({**line(tool_calls=calls), **final})
    return Reply.json({**line(_answer(intent)), **final})


def handler(request: RecordedRequest) -> Reply:
    body = request.json
    path = request.path.split("?")[0]
    if path == "/v1/responses":
        return openai_responses(body)
    if path == "/v1/messages":
        assert request.headers.get("anthropic-version")
        return anthropic_messages(body)
    if path == "/api/chat":
        return ollama_chat(body)
    assert path == "/v1/chat/completions", path
    return chat_completions(body)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(handler) as srv:
        yield srv


def _kw(server: MockServer, provider: str) -> dict[str, Any]:
    return {"provider": provider, "api_key": KEY, "api_base": server.url + BASE_PATH[provider]}


def _last(server: MockServer, provider: str, api: str) -> RecordedRequest:
    request = server.requests[-1]
    assert request.path.split("?")[0] == ENDPOINT[(provider, api)]
    return request


# -- responses() ----------------------------------------------------------------------------------


def _stream_text_responses(events: list[Any]) -> str:
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    text = "".join(e.delta for e in events if isinstance(e, rt.ResponseTextDeltaEvent))
    assert events[-1].response.output_text == text
    return text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_responses_seed_examples_sync(server: MockServer, provider: str) -> None:
    kw = _kw(server, provider)
    # 1. basic
    answer = responses(model="m", input_data="What is the capital of France?", **kw)
    assert isinstance(answer, rt.Response) and answer.output_text == CAPITAL
    _last(server, provider, "responses")
    # 2. streaming
    with responses(model="m", input_data="Tell me a story.", stream=True, **kw) as stream:
        assert _stream_text_responses(list(stream)) == "".join(STORY)
    # 4. structured output
    parsed = responses(model="m", input_data="Tell me about Paris.", response_format=CityInfo, **kw)
    assert parsed.output_parsed == CityInfo(**CITY)
    # 5. tool calling, then the result sent back
    first = responses(model="m", input_data="What's the weather in Paris?", tools=[get_weather], **kw)
    call = next(i for i in first.output if isinstance(i, rt.ResponseFunctionToolCall))
    assert call.name == "get_weather" and json.loads(call.arguments) == {"location": "Paris"}
    result = get_weather(**json.loads(call.arguments))
    history = [
        {"role": "user", "content": "What's the weather in Paris?"},
        *first.output,
        {"type": "function_call_output", "call_id": call.call_id, "output": result},
    ]
    second = responses(model="m", input_data=history, tools=[get_weather], **kw)
    assert second.output_text == AFTER_TOOL
    assert WEATHER in _last(server, provider, "responses").body.decode()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_responses_seed_examples_async(server: MockServer, provider: str) -> None:
    kw = _kw(server, provider)
    # 3. async
    answer = await aresponses(model="m", input_data="Hello!", **kw)
    assert answer.output_text == HELLO
    stream = await aresponses(model="m", input_data="Tell me a story.", stream=True, **kw)
    async with stream:
        assert _stream_text_responses([e async for e in stream]) == "".join(STORY)
    first = await aresponses(model="m", input_data="What's the weather in Paris?", tools=[get_weather], **kw)
    assert [i.type for i in first.output] == ["function_call"]
    _last(server, provider, "responses")


# -- messages() -----------------------------------------------------------------------------------


def _stream_text_messages(events: list[Any]) -> str:
    assert events[0].type == "message_start" and events[-1].type == "message_stop"
    deltas = [e for e in events if isinstance(e, mt.MessageDeltaEvent)]
    assert [d.delta.stop_reason for d in deltas] == ["end_turn"]
    return "".join(
        e.delta.text for e in events if isinstance(e, mt.ContentBlockDeltaEvent) and isinstance(e.delta, mt.TextDelta)
    )


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_messages_seed_examples_sync(server: MockServer, provider: str) -> None:
    kw = _kw(server, provider)
    answer = messages(model="m", messages=_user("What is the capital of France?"), max_tokens=256, **kw)
    assert isinstance(answer, mt.MessageResponse) and answer.text == CAPITAL and answer.stop_reason == "end_turn"
    _last(server, provider, "messages")
    with messages(model="m", messages=_user("Tell me a story."), max_tokens=256, stream=True, **kw) as stream:
        assert _stream_text_messages(list(stream)) == "".join(STORY)
    parsed = messages(model="m", messages=_user("Tell me about Paris."), max_tokens=256, output_format=CityInfo, **kw)
    assert parsed.parsed_output == CityInfo(**CITY)
    ask = _user("What's the weather in Paris?")
    first = messages(model="m", messages=ask, max_tokens=256, tools=[get_weather], **kw)
    assert first.stop_reason == "tool_use"
    use = next(b for b in first.content if isinstance(b, mt.ToolUseBlock))
    assert use.name == "get_weather" and use.input == {"location": "Paris"}
    history = [
        *ask,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": get_weather(**use.input)}],
        },
    ]
    second = messages(model="m", messages=history, max_tokens=256, tools=[get_weather], **kw)
    assert second.text == AFTER_TOOL
    assert WEATHER in _last(server, provider, "messages").body.decode()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_messages_seed_examples_async(server: MockServer, provider: str) -> None:
    kw = _kw(server, provider)
    answer = await amessages(model="m", messages=_user("Hello!"), max_tokens=256, **kw)
    assert answer.text == HELLO
    stream = await amessages(model="m", messages=_user("Tell me a story."), max_tokens=256, stream=True, **kw)
    async with stream:
        assert _stream_text_messages([e async for e in stream]) == "".join(STORY)
    first = await amessages(
        model="m", messages=_user("What's the weather in Paris?"), max_tokens=256, tools=[get_weather], **kw
    )
    assert [b.type for b in first.content] == ["tool_use"]
    _last(server, provider, "messages")
