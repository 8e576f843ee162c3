"""count_tokens on llama.cpp through the real HTTP stack: the messages rendered by the server's chat template
(/apply-template), then the prompt tokenized with special tokens (/tokenize); both bodies spec-validated.
A fake llama-server renders ChatML and counts whitespace-separated pieces, so the expected count is known."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_llamacpp import LlamacppProvider

from any_llm import acount_tokens, count_tokens, errors, hookimpl, plugins
from any_llm.testing.schema import OPENAI_SPEC, schema_errors
from any_llm.testing.server import MockServer, RecordedRequest, Reply

NATIVE = Path(__file__).parent / "spec" / "llama-server-native.json"
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is the capital of France?"}]
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}


def render(body: dict[str, Any]) -> str:
    """ChatML as SmolLM2's template writes it; tools (if any) as one system line first."""
    turns = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in body["messages"]]
    if body.get("tools"):
        turns.insert(0, f"<|im_start|>system\ntools: {json.dumps(body['tools'])}<|im_end|>\n")
    return "".join(turns) + "<|im_start|>assistant\n"


class FakeLlamaServer(MockServer):
    """/apply-template and /tokenize at the root, answering like llama-server (a token per whitespace piece)."""

    def __init__(self) -> None:
        super().__init__(handler=self.answer)

    def answer(self, request: RecordedRequest) -> Reply:
        if request.path == "/apply-template":
            assert schema_errors(OPENAI_SPEC, "CreateChatCompletionRequest", request.json) == []
            return Reply.json({"prompt": render(request.json)})
        if request.path == "/tokenize":
            assert schema_errors(NATIVE, "TokenizeRequest", request.json) == []
            content = request.json["content"]
            tokens = list(range(len(content.split()) + (1 if request.json.get("add_special") else 0)))
            reply = {"tokens": tokens}
            assert schema_errors(NATIVE, "TokenizeResponse", reply) == []
            return Reply.json(reply)
        return Reply.json({"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}, 404)


@pytest.fixture
def server() -> Any:
    with plugins.registered(LlamacppProvider), FakeLlamaServer() as srv:
        yield srv


def expected(body: dict[str, Any]) -> int:
    return len(render(body).split()) + 1  # + the BOS the server adds (add_special)


def test_messages_are_templated_then_tokenized(server: FakeLlamaServer) -> None:
    n = count_tokens("smollm2", MESSAGES, provider="llamacpp", api_base=server.url + "/v1", max_tokens=5)
    assert n == expected({"messages": MESSAGES})
    template, tokenize = server.requests
    assert (template.method, template.path, tokenize.path) == ("POST", "/apply-template", "/tokenize")
    assert template.json == {"model": "smollm2", "messages": MESSAGES}  # max_tokens does not shape the prompt
    assert tokenize.json == {"content": render(template.json), "add_special": True, "parse_special": True}


def test_tools_and_call_options_reach_the_template(server: FakeLlamaServer) -> None:
    n = asyncio.run(
        acount_tokens(
            "smollm2",
            MESSAGES,
            provider="llamacpp",
            api_base=server.url + "/v1",
            tools=[TOOL],
            extra_headers={"X-Trace": "t1"},
            chat_template_kwargs={"enable_thinking": False},
        )
    )
    template, tokenize = server.requests
    assert template.json["tools"] == [TOOL] and template.json["chat_template_kwargs"] == {"enable_thinking": False}
    assert n == expected({"messages": MESSAGES, "tools": [TOOL]}) > expected({"messages": MESSAGES})
    assert template.headers.get("x-trace") == tokenize.headers.get("x-trace") == "t1"


def test_a_base_url_without_v1_works_too(server: FakeLlamaServer) -> None:
    assert count_tokens("m", MESSAGES, provider="llamacpp", api_base=server.url) == expected({"messages": MESSAGES})
    assert [r.path for r in server.requests] == ["/apply-template", "/tokenize"]


def test_llama_cpp_python_has_no_such_route() -> None:
    """llama-cpp-python's server (FastAPI) answers 404 {"detail": "Not Found"}: said plainly, nothing tokenized."""
    with plugins.registered(LlamacppProvider), MockServer() as srv:
        srv.queue(Reply.json({"detail": "Not Found"}, 404))
        with pytest.raises(errors.ModelNotFoundError, match="llama-cpp-python's server has no /apply-template"):
            count_tokens("m", MESSAGES, provider="llamacpp", api_base=srv.url + "/v1", max_retries=0)
        assert [r.path for r in srv.requests] == ["/apply-template"]


@pytest.mark.parametrize(
    ("template", "tokens", "what"),
    [({"text": "x"}, {"tokens": [1]}, "'prompt'"), ({"prompt": "x"}, {"count": 1}, "'tokens'")],
)
def test_malformed_replies_are_typed(template: Any, tokens: Any, what: str) -> None:
    with plugins.registered(LlamacppProvider), MockServer() as srv:
        srv.queue(Reply.json(template), Reply.json(tokens))
        with pytest.raises(errors.ResponseValidationError, match=what):
            count_tokens("m", MESSAGES, provider="llamacpp", api_base=srv.url + "/v1", max_retries=0)


class Recorder:
    """A call-hook plugin: what a counting flow reports (start, then its count or its error)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    @hookimpl
    def anyllm_call_start(self, call: Any) -> None:
        self.events.append(("start", call.operation))

    @hookimpl
    def anyllm_call_response(self, call: Any) -> None:
        self.events.append(("response", call.result))

    @hookimpl
    def anyllm_call_error(self, call: Any) -> None:
        self.events.append(("error", type(call.error).__name__))


def test_call_hooks_see_the_counting_flow(server: FakeLlamaServer) -> None:
    recorder = Recorder()
    plugins.register_plugin(recorder, name="count-recorder")
    try:
        n = count_tokens("m", MESSAGES, provider="llamacpp", api_base=server.url + "/v1")
        with pytest.raises(errors.ModelNotFoundError):
            asyncio.run(acount_tokens("m", MESSAGES, provider="llamacpp", api_base=server.url + "/nowhere/v1"))
    finally:
        plugins.unregister_plugin(recorder)
    assert recorder.events == [
        ("start", "count_tokens"),
        ("response", n),
        ("start", "count_tokens"),
        ("error", "ModelNotFoundError"),
    ]
