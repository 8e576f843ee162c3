"""Test kit shared by the OpenAI-compatible cloud plugins (an identical copy lives in each plugin's tests/).

A test module sets ``PROFILE = {"name": ..., "model": ..., "base": "/v1"}`` (optionally ``path``,
``auth`` = (header, value), ``off_spec`` = body fields carrying provider-only values) and uses the ``kit`` fixture: a :class:`Kit` bound to a running MockServer
(helpers hang off it too: ``kit.chat``, ``kit.chunk``, ``kit.collect``..., since pytest's importlib mode
cannot import conftest) that runs the seed examples of the API contract through ``any_llm.completion``/``acompletion`` and
checks every request (path, auth header, body valid against OpenAI's CreateChatCompletionRequest).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import any_llm
from any_llm import errors
from any_llm.api import close_clients
from any_llm.testing import MockServer, Reply
from any_llm.testing.schema import schema_errors

KEY = "test-key-123456"
SPEC = Path(__file__).parent / "spec" / "openai-chat.json"
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
USAGE = {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}


def chat(content: str | None = "Paris.", *, message: dict[str, Any] | None = None, finish: str = "stop",
         **top: Any) -> dict[str, Any]:
    """A chat.completion body as the OpenAI reference documents it (plus provider fields)."""
    msg = {"role": "assistant", "content": content, **(message or {})}
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "m",
            "choices": [{"index": 0, "message": msg, "finish_reason": finish}], "usage": dict(USAGE), **top}


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    """A chat.completion.chunk; with neither delta nor finish it has no choices (a usage chunk)."""
    choices = [] if delta is None and finish is None else [
        {"index": 0, "delta": delta or {}, "finish_reason": finish}]
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": "m",
            "choices": choices, **top}


def text_stream(*pieces: str) -> list[dict[str, Any]]:
    return [chunk({"role": "assistant", "content": ""}), *(chunk({"content": p}) for p in pieces),
            chunk(finish="stop"), chunk(usage=dict(USAGE))]


def collect(chunks: Any) -> dict[str, Any]:
    """Fold a stream into text, reasoning, tool calls, finish reason and usage."""
    out: dict[str, Any] = {"content": "", "reasoning": "", "tools": {}, "finish": None, "usage": None}
    for c in chunks:
        if c.usage is not None:
            out["usage"] = c.usage
        for choice in c.choices:
            d = choice.delta
            out["content"] += d.content or ""
            out["reasoning"] += d.reasoning.content if d.reasoning else ""
            for call in d.tool_calls or ():
                slot = out["tools"].setdefault(call.index, {"id": None, "name": "", "arguments": ""})
                slot["id"] = slot["id"] or call.id
                if call.function:
                    slot["name"] += call.function.name or ""
                    slot["arguments"] += call.function.arguments or ""
            out["finish"] = choice.finish_reason or out["finish"]
    return out


async def acollect(stream: Any) -> dict[str, Any]:
    return collect([c async for c in stream])


class CityInfo(BaseModel):
    name: str
    country: str
    population: int


def get_weather(location: str, unit: str = "F") -> str:
    """Get weather information for a location.

    Args:
        location: The city or location to get weather for
        unit: Temperature unit, either 'C' or 'F'

    Returns:
        Current weather description
    """
    return f"Weather in {location} is sunny and 75{unit}!"


TOOL_CALL = {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"location": "Paris", "unit": "C"}'}}


class Kit:
    """Runs the contract's seed examples against one provider through a MockServer."""

    key = KEY
    chat = staticmethod(chat)
    chunk = staticmethod(chunk)
    text_stream = staticmethod(text_stream)
    collect = staticmethod(collect)
    acollect = staticmethod(acollect)

    def __init__(self, server: MockServer, profile: dict[str, Any]) -> None:
        self.server = server
        self.name: str = profile["name"]
        self.model: str = profile["model"]
        base = profile.get("base", "/v1")
        self.api_base = server.url + base
        self.path: str = profile.get("path", f"{base}/chat/completions")
        self.auth: tuple[str, str] = profile.get("auth", ("authorization", f"Bearer {KEY}"))
        self.off_spec: tuple[str, ...] = tuple(profile.get("off_spec", ()))
        """Body fields whose values are this provider's own extensions, left out of spec validation."""

    # -- calling ---------------------------------------------------------------------------------

    def args(self, kw: dict[str, Any]) -> dict[str, Any]:
        return {"model": self.model, "provider": self.name, "api_base": self.api_base, "api_key": KEY,
                "messages": QUESTION, **kw}

    def call(self, **kw: Any) -> Any:
        return any_llm.completion(**self.args(kw))

    async def acall(self, **kw: Any) -> Any:
        return await any_llm.acompletion(**self.args(kw))

    def reply(self, *replies: Reply | dict[str, Any]) -> None:
        self.server.queue(*(r if isinstance(r, Reply) else Reply.json(r) for r in replies))

    def sse(self, events: list[Any], **kw: Any) -> None:
        self.server.queue(Reply.sse(events, **kw))

    # -- checking the request --------------------------------------------------------------------

    def last(self, stream: bool = False, path: str | None = None) -> dict[str, Any]:
        """The last request: POST to the right path with the auth header and a spec-valid body."""
        req = self.server.requests[-1]
        assert req.method == "POST"
        assert req.path.split("?")[0] == (path or self.path)
        assert req.headers.get(self.auth[0]) == self.auth[1]
        assert KEY not in req.path
        body: dict[str, Any] = req.json
        in_spec = {k: v for k, v in body.items() if k not in self.off_spec}
        assert schema_errors(SPEC, "CreateChatCompletionRequest", in_spec) == []
        assert body["model"] == self.model
        assert bool(body.get("stream")) is stream
        if stream:
            assert req.headers.get("accept") == "text/event-stream"
        return body

    # -- the seed examples -----------------------------------------------------------------------

    def basic(self, **kw: Any) -> dict[str, Any]:
        self.reply(chat("Paris."))
        r = self.call(**kw)
        assert r.choices[0].message.content == "Paris."
        assert r.choices[0].finish_reason == "stop"
        assert r.usage.total_tokens == 12
        body = self.last()
        assert body["messages"] == QUESTION
        return body

    def stream(self, **kw: Any) -> dict[str, Any]:
        self.sse(text_stream("Par", "is."))
        got = collect(self.call(stream=True, **kw))
        assert (got["content"], got["finish"]) == ("Paris.", "stop")
        assert got["usage"].total_tokens == 12
        return self.last(stream=True)

    async def abasic(self, **kw: Any) -> dict[str, Any]:
        self.reply(chat("Bonjour!"))
        r = await self.acall(**kw)
        assert r.choices[0].message.content == "Bonjour!"
        return self.last()

    async def astream(self, **kw: Any) -> dict[str, Any]:
        self.sse(text_stream("Bon", "jour", "!"))
        got = await acollect(await self.acall(stream=True, **kw))
        assert (got["content"], got["finish"]) == ("Bonjour!", "stop")
        return self.last(stream=True)

    def structured(self, **kw: Any) -> dict[str, Any]:
        self.reply(chat(json.dumps({"name": "Paris", "country": "France", "population": 2102650})))
        r = self.call(response_format=CityInfo, **kw)
        city = r.choices[0].message.parsed
        assert isinstance(city, CityInfo)
        assert (city.name, city.country, city.population) == ("Paris", "France", 2102650)
        return self.last()

    def tool_round_trip(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Tool calling from a Python callable, then the result sent back; returns both bodies."""
        self.reply(chat(None, message={"tool_calls": [TOOL_CALL]}, finish="tool_calls"))
        messages = [{"role": "user", "content": "What's the weather in Paris?"}]
        r = self.call(messages=messages, tools=[get_weather])
        message = r.choices[0].message
        call = message.tool_calls[0]
        assert (r.choices[0].finish_reason, call.id, call.function.name) == ("tool_calls", "call_1", "get_weather")
        first = self.last()
        fn = first["tools"][0]["function"]
        assert fn["name"] == "get_weather"
        assert fn["parameters"]["required"] == ["location"]
        result = get_weather(**json.loads(call.function.arguments))
        self.reply(chat("It is sunny and 75C in Paris."))
        history = [*messages, message, {"role": "tool", "tool_call_id": call.id, "content": result}]
        r2 = self.call(messages=history, tools=[get_weather])
        assert r2.choices[0].message.content == "It is sunny and 75C in Paris."
        second = self.last()
        sent = second["messages"]
        assert sent[1]["role"] == "assistant"
        assert sent[1]["tool_calls"][0]["id"] == "call_1"
        assert sent[1]["tool_calls"][0]["function"]["name"] == "get_weather"
        assert sent[2] == {"role": "tool", "tool_call_id": "call_1", "content": "Weather in Paris is sunny and 75C!"}
        return first, second

    def stream_tool_call(self) -> None:
        """A tool call streamed in pieces (OpenAI's shape: id and name in the first piece only)."""
        self.sse([
            chunk({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                                         "function": {"name": "get_weather", "arguments": ""}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"location": '}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
            chunk(finish="tool_calls"),
        ])
        got = collect(self.call(stream=True, tools=[get_weather]))
        assert got["tools"] == {0: {"id": "call_1", "name": "get_weather", "arguments": '{"location": "Paris"}'}}
        assert got["finish"] == "tool_calls"

    # -- quirks ----------------------------------------------------------------------------------

    def reasoning(self, message: dict[str, Any], deltas: list[dict[str, Any]], thought: str = "Think.",
                  answer: str = "Paris.", **kw: Any) -> None:
        """The provider's reasoning shape lands in ``reasoning.content``, streamed and not."""
        self.reply(chat(message.pop("content", answer), message=message))
        r = self.call(**kw)
        msg = r.choices[0].message
        assert (msg.reasoning.content if msg.reasoning else None, msg.content) == (thought, answer)
        self.sse([chunk({"role": "assistant"}), *(chunk(d) for d in deltas), chunk(finish="stop")])
        got = collect(self.call(stream=True, **kw))
        assert (got["reasoning"], got["content"]) == (thought, answer)

    def refused(self, param: str, **kw: Any) -> errors.UnsupportedParameterError:
        """A parameter the provider cannot honour is refused before anything is sent."""
        before = len(self.server.requests)
        with pytest.raises(errors.UnsupportedParameterError) as info:
            self.call(**kw)
        assert info.value.parameter_name == param
        assert len(self.server.requests) == before
        return info.value

    def errors(self) -> None:
        """Error bodies map to the typed errors, and the key never shows in them."""
        cases: list[tuple[int, dict[str, Any], dict[str, str], type[errors.AnyLLMError]]] = [
            (401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}}, {},
             errors.AuthenticationError),
            (429, {"error": {"message": "Rate limit reached", "type": "rate_limit_exceeded"}}, {"retry-after": "7"},
             errors.RateLimitError),
            (400, {"error": {"message": "This model's maximum context length is 8192 tokens",
                             "code": "context_length_exceeded"}}, {}, errors.ContextLengthExceededError),
            (400, {"error": {"message": "The response was filtered", "code": "content_filter"}}, {},
             errors.ContentFilterError),
            (500, {"error": {"message": "upstream failure"}}, {}, errors.ProviderError),
        ]
        for status, body, headers, exc_type in cases:
            self.reply(Reply.json(body, status=status, headers=headers))
            with pytest.raises(exc_type) as info:
                self.call(client_args={"max_retries": 0})
            assert info.value.provider == self.name
            assert KEY not in str(info.value) and KEY not in repr(info.value)
            if status == 429:
                assert info.value.retry_after == 7

    def embedding(self, path: str | None = None) -> dict[str, Any]:
        self.reply({"object": "list", "model": "e", "usage": {"prompt_tokens": 2, "total_tokens": 2},
                    "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5]},
                             {"object": "embedding", "index": 1, "embedding": [0.125, 1.0]}]})
        r = any_llm.embedding(model="e", inputs=["a", "b"], provider=self.name, api_base=self.api_base, api_key=KEY)
        assert [d.embedding for d in r.data] == [[0.25, -0.5], [0.125, 1.0]]
        req = self.server.requests[-1]
        assert req.path.split("?")[0] == (path or self.path.replace("chat/completions", "embeddings"))
        assert req.headers.get(self.auth[0]) == self.auth[1]
        assert schema_errors(SPEC, "CreateEmbeddingRequest", req.json) == []
        assert req.json == {"model": "e", "input": ["a", "b"]}
        return req.json

    def list_models(self, payload: Any, path: str | None = None) -> list[Any]:
        self.reply(payload)
        models = any_llm.list_models(provider=self.name, api_base=self.api_base, api_key=KEY)
        req = self.server.requests[-1]
        assert req.method == "GET"
        assert req.path.split("?")[0] == (path or self.path.replace("chat/completions", "models"))
        assert req.headers.get(self.auth[0]) == self.auth[1]
        return list(models)

    def unsupported(self, capability: str) -> None:
        def attempt() -> Any:
            if capability == "embedding":
                return any_llm.embedding(model="e", inputs="a", provider=self.name, api_base=self.api_base,
                                         api_key=KEY)
            return any_llm.list_models(provider=self.name, api_base=self.api_base, api_key=KEY)

        with pytest.raises(errors.UnsupportedCapabilityError):
            attempt()
        assert self.server.requests == []


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as srv:
        yield srv


@pytest.fixture
def kit(server: MockServer, request: pytest.FixtureRequest) -> Iterator[Kit]:
    yield Kit(server, request.module.PROFILE)
    close_clients()
