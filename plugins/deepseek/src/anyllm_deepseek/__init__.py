"""DeepSeek (api.deepseek.com) for anyllm: OpenAI's protocol plus DeepSeek's thinking mode.

Quirks (https://api-docs.deepseek.com/api/create-chat-completion, /guides/thinking_mode, /guides/json_mode):
- thinking is toggled with ``thinking: {"type": "enabled" | "disabled"}`` (on by default for V4 models):
  ``reasoning_effort="none"`` disables it, other levels enable it and are sent as ``reasoning_effort``
  (DeepSeek maps low/medium to high and xhigh to max); ``"minimal"`` is refused;
- the chain of thought comes as ``reasoning_content`` (lifted by the core) and must be sent back on
  assistant turns that made tool calls, so it is, as ``reasoning_content``;
- only ``{"type": "json_object"}`` exists: a JSON schema (e.g. a pydantic ``response_format``) becomes
  json_object plus the schema in the system prompt, as the JSON-mode guide asks;
- only ``max_tokens`` exists; ``n``, ``logit_bias`` do not; ``logprobs``/``top_logprobs`` fail in thinking
  mode, so they are accepted only with ``reasoning_effort="none"``;
- prompt-cache hits are reported as ``usage.prompt_cache_hit_tokens`` and copied to
  ``usage.prompt_tokens_details.cached_tokens``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, StreamEvent
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk, CompletionUsage, PromptTokensDetails

__all__ = ["DeepseekProvider"]

SCHEMA_PROMPT = "Reply with a single JSON object, and nothing else, that matches this JSON schema:\n"


class _DeepseekStreamParser(OpenAIStreamParser):
    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        chunks = super().feed(event)
        for chunk in chunks:
            _copy_cache_hits(chunk.usage)
        return chunks


class DeepseekProvider(OpenAICompatibleProvider):
    """DeepSeek's OpenAI-compatible endpoint."""

    name = "deepseek"
    max_choices = 1
    stream_parser_class = _DeepseekStreamParser
    display_name = "DeepSeek"
    api_key_env = ("DEEPSEEK_API_KEY",)
    api_base_env = ("DEEPSEEK_API_BASE",)
    default_api_base = "https://api.deepseek.com"
    docs_url = "https://api-docs.deepseek.com/"
    supports_reasoning = True
    supports_list_models = True
    unsupported_params = frozenset({"logit_bias"})
    param_renames: ClassVar[dict[str, str]] = {"max_completion_tokens": "max_tokens"}

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        if params.reasoning_effort != "none":
            for name in ("top_logprobs", "logprobs"):  # the more specific one first
                if getattr(params, name):
                    raise errors.UnsupportedParameterError(
                        name, self.name, "only available with thinking off (reasoning_effort='none')"
                    )

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort == "none":
            return {"thinking": {"type": "disabled"}}
        if effort == "minimal":
            raise errors.UnsupportedParameterError(
                "reasoning_effort", self.name, "'minimal' is not accepted; use none, low, medium, high or xhigh"
            )
        return {"thinking": {"type": "enabled"}, "reasoning_effort": effort}

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body = super().build_body(params)
        fmt = body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            body["response_format"] = {"type": "json_object"}
            body["messages"] = _with_schema_prompt(body["messages"], fmt["json_schema"]["schema"])
        return body

    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = super().convert_messages(messages)
        for sent, original in zip(out, messages):
            reasoning = original.get("reasoning")
            if sent.get("tool_calls") and isinstance(reasoning, dict) and reasoning.get("content"):
                sent["reasoning_content"] = reasoning["content"]
        return out

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        completion = super().parse_completion(body, params)
        _copy_cache_hits(completion.usage)
        return completion


def _with_schema_prompt(messages: list[dict[str, Any]], schema: dict[str, Any]) -> list[dict[str, Any]]:
    text = SCHEMA_PROMPT + json.dumps(schema)
    first = messages[0] if messages else {}
    if first.get("role") == "system" and isinstance(first.get("content"), str):
        return [{**first, "content": f"{first['content']}\n\n{text}"}, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def _copy_cache_hits(usage: CompletionUsage | None) -> None:
    hits = (usage.model_extra or {}).get("prompt_cache_hit_tokens") if usage is not None else None
    if usage is None or not isinstance(hits, int):
        return
    if usage.prompt_tokens_details is None:
        usage.prompt_tokens_details = PromptTokensDetails(cached_tokens=hits)
    elif usage.prompt_tokens_details.cached_tokens is None:
        usage.prompt_tokens_details.cached_tokens = hits


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(DeepseekProvider)
