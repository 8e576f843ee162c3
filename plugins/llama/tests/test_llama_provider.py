"""Llama: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

import copy

from anyllm_llama import LlamaProvider

from any_llm.plugins import get_provider_class
from any_llm.testing.conformance import OPENAI_SPEC, request_body


def test_declarations() -> None:
    assert get_provider_class("llama") is LlamaProvider
    assert LlamaProvider.api_key_env == ("LLAMA_API_KEY",)
    assert LlamaProvider.api_base_env == ("LLAMA_API_BASE",)
    assert LlamaProvider.default_api_base == "https://api.llama.com/compat/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in LlamaProvider.capabilities().items() if on} == {
        "completion",
        "streaming",
        "tools",
        "structured_output",
        "list_models",
    }


UNION_TOOL = {
    "type": "function",
    "function": {
        "name": "set_value",
        "parameters": {
            "type": "object",
            "properties": {
                "value": {"oneOf": [{"type": "string"}, {"type": "number"}]},
                "typed": {"type": "integer", "oneOf": [{"minimum": 0}, {"maximum": -10}]},
                "plain": {"type": "string"},
            },
            "required": ["value"],
        },
    },
}


def test_oneof_without_type_gets_string_in_a_copy() -> None:
    tool = copy.deepcopy(UNION_TOOL)
    body = request_body(LlamaProvider, tools=[tool], schema=(OPENAI_SPEC, "CreateChatCompletionRequest"))
    props = body["tools"][0]["function"]["parameters"]["properties"]
    assert props["value"] == {"oneOf": [{"type": "string"}, {"type": "number"}], "type": "string"}
    assert props["typed"]["type"] == "integer" and props["plain"] == {"type": "string"}
    assert tool == UNION_TOOL, "the caller's tool must not be changed"


def test_tools_without_oneof_are_sent_unchanged() -> None:
    plain = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
    assert request_body(LlamaProvider, tools=[plain])["tools"] == [plain]
    no_params = {"type": "function", "function": {"name": "g"}}
    assert request_body(LlamaProvider, tools=[no_params])["tools"] == [no_params]
