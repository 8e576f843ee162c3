"""llamafile through the real HTTP stack: the core's conformance kit (seed examples sync/async, streaming,
tools, structured output, usage, typed errors with llamafile's plain-text error bodies, env vars, models),
plus what is llamafile's own: json_schema goes out as json_object + schema, n > 1 and both token limits
are refused before sending, and plain-text 400s map to typed errors."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_llamafile import LlamafileProvider

from any_llm import completion, errors
from any_llm.testing.conformance import OpenAICompatibleConformance, get_weather, openai_exchanges, run_scenario
from any_llm.testing.server import MockServer, Reply


class TestLlamafileConformance(OpenAICompatibleConformance):
    provider_class = LlamafileProvider

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        # llamafile 0.8/0.9 answer errors as plain text, not OpenAI's {"error": {...}}
        if scenario == "error_context_length":
            return Reply.text("prompt too big for model context size\r\n", 400)
        if scenario == "error_5xx":
            return Reply.text("llama_decode prefill failed\r\n", 500)
        return openai_exchanges()[scenario]


def common(server: MockServer) -> dict[str, Any]:
    return {"provider": "llamafile", "model": "LLaMA_CPP", "api_base": server.url + "/v1", "api_key": "test-key-123456"}


def test_structured_output_is_sent_as_json_object_with_schema() -> None:
    # llamafile's servers grammar-force json_object + schema; its 0.8/0.9 server rejects json_schema
    # the kit's structured scenario (its CityInfo model); the kit also checks this body against the spec
    outcome = run_scenario(
        LlamafileProvider, "structured", [openai_exchanges()["structured"]], use_async=False, base_path="/v1"
    )
    body = (outcome.requests or [])[0].json
    assert body["response_format"]["type"] == "json_object"
    assert body["response_format"]["schema"]["required"] == ["name", "country", "population"]


def test_plain_text_error_bodies(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.text("prompt too big for model context size\r\n", 400),
        Reply.text("OpenAI tools field not supported\r\n", 400),
    )
    kw = {**common(mock_server), "client_args": {"max_retries": 0}}
    with pytest.raises(errors.ContextLengthExceededError, match="context size"):
        completion(messages=[{"role": "user", "content": "hi"}], **kw)
    with pytest.raises(errors.InvalidRequestError, match="tools field not supported") as info:
        completion(messages=[{"role": "user", "content": "hi"}], tools=[get_weather], **kw)
    assert type(info.value) is errors.InvalidRequestError


@pytest.mark.parametrize("args", [{"n": 2}, {"max_tokens": 5, "max_completion_tokens": 5}])
def test_refused_before_sending(mock_server: MockServer, args: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigurationError):
        completion(messages=[{"role": "user", "content": "hi"}], **args, **common(mock_server))
    assert mock_server.requests == []
