"""Meta's Llama API (api.llama.com/compat/v1) for anyllm: its OpenAI-compatible chat completions.

Declarations follow any-llm's llama provider (https://www.llama.com/products/llama-api/), with its
one quirk: a tool parameter declared with ``oneOf`` and no ``type`` is rejected, so such a property
is sent with ``"type": "string"`` added (in a copy; the caller's tool is not changed). Meta retired
the Llama API public preview in July 2026 in favour of the Meta Model API (provider ``meta``); this
provider stays for accounts and compatible servers that still serve it.
"""

from __future__ import annotations

import copy
from typing import Any

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams

__all__ = ["LlamaProvider"]


class LlamaProvider(OpenAICompatibleProvider):
    """The Llama API's OpenAI compatibility endpoint."""

    name = "llama"
    display_name = "Llama API"
    api_key_env = ("LLAMA_API_KEY",)
    api_base_env = ("LLAMA_API_BASE",)
    default_api_base = "https://api.llama.com/compat/v1"
    docs_url = "https://www.llama.com/products/llama-api/"
    supports_list_models = True

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body = super().build_body(params)
        if params.tools and any(_needs_type(tool) for tool in params.tools):
            body["tools"] = [_with_oneof_types(tool) if _needs_type(tool) else tool for tool in params.tools]
        return body


def _properties(tool: dict[str, Any]) -> dict[str, Any]:
    function = tool.get("function")
    parameters = function.get("parameters") if isinstance(function, dict) else None
    props = parameters.get("properties") if isinstance(parameters, dict) else None
    return props if isinstance(props, dict) else {}


def _needs_type(tool: dict[str, Any]) -> bool:
    return any(isinstance(p, dict) and "oneOf" in p and "type" not in p for p in _properties(tool).values())


def _with_oneof_types(tool: dict[str, Any]) -> dict[str, Any]:
    patched = copy.deepcopy(tool)
    for prop in _properties(patched).values():
        if isinstance(prop, dict) and "oneOf" in prop and "type" not in prop:
            prop["type"] = "string"
    return patched


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(LlamaProvider)
