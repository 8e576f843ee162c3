"""A fake provider for application tests: no network, queued answers, recorded requests.

    from any_llm import completion
    from any_llm.testing import FakeLLM

    def test_my_app():
        with FakeLLM() as fake:
            fake.add_text("Paris.")
            fake.add_tool_call("get_weather", {"city": "Paris"})
            fake.add_error(429, "slow down", retry_after=2)
            assert my_app.ask("capital of France?") == "Paris."
            assert fake.requests[0]["messages"][-1]["content"] == "capital of France?"

While active, ``provider="fake"`` (any model name) answers from the queue, in order. Answers go
through the real core: the fake speaks OpenAI's wire format to an in-memory httpx transport, so
streaming (chunk by chunk), tool-call assembly, structured output, retries and error mapping
behave exactly as with a real provider. A pytest fixture, ``fake_llm``, lives in
:mod:`any_llm.testing.pytest_plugin`.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FakeAnswer", "FakeLLM"]

_HOST = "all://fake.anyllm.invalid"
"""Where the fake provider's requests go: mounted on an in-memory transport while a FakeLLM is active."""


@dataclass
class FakeAnswer:
    """One queued answer: text, tool calls, or an HTTP error."""

    text: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reasoning: str | None = None
    finish_reason: str | None = None
    status: int = 200
    error: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    usage: tuple[int, int] = (10, 5)


class FakeLLM:
    """Registers provider ``fake`` for the duration of a ``with`` block (or between start/stop)."""

    name = "fake"

    def __init__(self, chunk_size: int = 4) -> None:
        self.answers: deque[FakeAnswer] = deque()
        self.requests: list[dict[str, Any]] = []
        """Every request body received, in order (model, messages, tools, ...)."""
        self.chunk_size = chunk_size
        self._lock = threading.Lock()
        self._counter = 0

    # -- queueing -----------------------------------------------------------------------------

    def add_text(
        self, text: str, *, reasoning: str | None = None, finish_reason: str = "stop", usage: tuple[int, int] = (10, 5)
    ) -> FakeLLM:
        self.answers.append(FakeAnswer(text=text, reasoning=reasoning, finish_reason=finish_reason, usage=usage))
        return self

    def add_json(self, obj: Any) -> FakeLLM:
        """An answer whose content is ``obj`` as JSON (for structured output)."""
        return self.add_text(json.dumps(obj))

    def add_tool_call(self, name: str, arguments: dict[str, Any], *more: tuple[str, dict[str, Any]]) -> FakeLLM:
        calls = [(name, arguments), *more]
        self.answers.append(FakeAnswer(tool_calls=calls, finish_reason="tool_calls"))
        return self

    def add_error(
        self, status: int, message: str = "fake error", *, code: str | None = None, retry_after: float | None = None
    ) -> FakeLLM:
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        error = {"message": message, "type": code or "fake_error", "code": code}
        self.answers.append(FakeAnswer(status=status, error=error, headers=headers))
        return self

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeLLM:
        import httpx

        from any_llm import plugins
        from any_llm.transport import mount

        self._mount = mount(_HOST, httpx.MockTransport(self._handle))
        self._mount.__enter__()
        self._registration = plugins.registered(self._provider_class())
        try:
            self._registration.__enter__()
        except BaseException:
            self._mount.__exit__(None, None, None)
            raise
        return self

    def stop(self) -> None:
        from any_llm import api

        try:
            self._registration.__exit__(None, None, None)
            api.close_clients(self.name)
        finally:
            self._mount.__exit__(None, None, None)

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _provider_class(self) -> type:
        from any_llm.openai_compat import OpenAICompatibleProvider

        return type(
            "FakeProvider",
            (OpenAICompatibleProvider,),
            {
                "name": self.name,
                "display_name": "Fake",
                "requires_api_key": False,
                "default_api_base": f"http://{_HOST.removeprefix('all://')}/v1",
                "supports_reasoning": True,
                "supports_embedding": False,
                "supports_list_models": False,
            },
        )

    # -- the in-memory server -----------------------------------------------------------------------

    def _handle(self, request: Any) -> Any:
        import httpx

        body = json.loads(request.content or b"{}")
        with self._lock:
            self.requests.append(body)
            answer = self.answers.popleft() if self.answers else None
            self._counter += 1
            ident = f"fake-{self._counter}"
        if answer is None:
            return httpx.Response(
                500,
                json={"error": {"message": "FakeLLM has no answer queued: call add_text() or add_tool_call() first"}},
            )
        if answer.error is not None:
            return httpx.Response(answer.status, json={"error": answer.error}, headers=answer.headers)
        model = body.get("model", "fake-model")
        if body.get("stream"):
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=self._stream(answer, ident, model)
            )
        message: dict[str, Any] = {"role": "assistant", "content": answer.text}
        if answer.reasoning:
            message["reasoning_content"] = answer.reasoning
        if answer.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{ident}_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for i, (name, args) in enumerate(answer.tool_calls)
            ]
        return httpx.Response(
            200,
            json={
                "id": ident,
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": answer.finish_reason}],
                "usage": _usage(answer),
            },
        )

    def _stream(self, answer: FakeAnswer, ident: str, model: str) -> bytes:
        base = {"id": ident, "object": "chat.completion.chunk", "created": 0, "model": model}

        def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
            chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return b"data: " + json.dumps(chunk).encode() + b"\n\n"

        out = [event({"role": "assistant", "content": ""})]
        n = self.chunk_size
        if answer.reasoning:
            out += [
                event({"reasoning_content": answer.reasoning[i : i + n]}) for i in range(0, len(answer.reasoning), n)
            ]
        if answer.text:
            out += [event({"content": answer.text[i : i + n]}) for i in range(0, len(answer.text), n)]
        for index, (name, args) in enumerate(answer.tool_calls):
            out.append(
                event(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "id": f"call_{ident}_{index}",
                                "type": "function",
                                "function": {"name": name, "arguments": ""},
                            }
                        ]
                    }
                )
            )
            text = json.dumps(args)
            out += [
                event({"tool_calls": [{"index": index, "function": {"arguments": text[i : i + n]}}]})
                for i in range(0, len(text), n)
            ]
        out.append(event({}, answer.finish_reason))
        out.append(b"data: " + json.dumps({**base, "choices": [], "usage": _usage(answer)}).encode() + b"\n\n")
        out.append(b"data: [DONE]\n\n")
        return b"".join(out)


def _usage(answer: FakeAnswer) -> dict[str, int]:
    prompt, completion = answer.usage
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
