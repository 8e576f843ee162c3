"""One row → one provider call, returning the OpenAI-shaped body *and* the answer's headers.

This is the seam between the bulk runner and the core: the runner needs the response headers
(``x-ratelimit-*``) that ``acompletion()`` does not return, so it calls through the client's
``with_raw_response``; and it needs every 429 to reach its adaptive limiter instead of being
retried quietly inside the transport, so clients are made with ``max_retries=0`` (the runner
retries, and learns from each failure).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from any_llm import errors

if TYPE_CHECKING:
    from any_llm.client import AnyLLM
    from any_llm.types.completion import ChatCompletion
    from any_llm.types.embedding import CreateEmbeddingResponse
    from any_llm.types.responses import Response

__all__ = ["FAMILIES", "Answer", "Caller", "completion_json", "estimate_tokens"]

FAMILIES = {
    "/v1/chat/completions": "chat",
    "/v1/embeddings": "embeddings",
    "/v1/responses": "responses",
}
"""Batch-file ``url`` → call family (the three urls OpenAI's batch API takes for these calls)."""

DEFAULT_COMPLETION_ESTIMATE = 256
"""Tokens assumed for an answer whose request sets no max_tokens (until usage teaches better)."""


@dataclass
class Answer:
    body: str
    """The OpenAI-shaped response body, as JSON text."""
    status_code: int
    request_id: str | None
    headers: Mapping[str, str]
    prompt_tokens: int | None
    completion_tokens: int | None

    @property
    def total_tokens(self) -> int | None:
        if self.prompt_tokens is None and self.completion_tokens is None:
            return None
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)


def _text_len(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_text_len(v) for v in value)
    if isinstance(value, dict):
        return sum(_text_len(v) for k, v in value.items() if k in ("content", "text", "input", "arguments"))
    return 0


def estimate_tokens(family: str, body: Mapping[str, Any], completion_guess: float = DEFAULT_COMPLETION_ESTIMATE) -> int:
    """A cheap upper-ish guess (4 characters a token, plus the answer's budget) for tpm pacing."""
    if family == "embeddings":
        return _text_len(body.get("input")) // 4 + 1
    if family == "responses":
        prompt = (_text_len(body.get("input")) + _text_len(body.get("instructions"))) // 4 + 1
        budget = body.get("max_output_tokens")
    else:
        prompt = _text_len(body.get("messages")) // 4 + 1
        budget = body.get("max_completion_tokens") or body.get("max_tokens")
    answer = budget if isinstance(budget, int) and not isinstance(budget, bool) else int(completion_guess)
    return prompt + answer


class Caller:
    """Resolves providers once per job and sends rows; ``client_args`` apply to every client."""

    def __init__(
        self,
        provider: str | None = None,
        api_key: str | None = None,
        api_base: str | None = None,
        client_args: dict[str, Any] | None = None,
    ) -> None:
        self.provider = provider
        self.api_key = api_key
        self.api_base = api_base
        self.client_args = {**(client_args or {}), "max_retries": 0}
        self._clients: dict[str, AnyLLM] = {}

    def _client(self, model: Any) -> tuple[AnyLLM, str]:
        from any_llm.api import get_client, split_model

        if not isinstance(model, str) or not model:
            raise errors.ConfigurationError(
                f'body.model must be a non-empty string such as "openai:gpt-4.1-mini", got {model!r}'
            )
        name, model_id = split_model(model, self.provider)
        client = self._clients.get(name)
        if client is None:
            client = self._clients[name] = get_client(name, self.api_key, self.api_base, self.client_args)
        return client, model_id

    async def call(self, family: str, body: Mapping[str, Any]) -> Answer:
        if family == "chat":
            return await self._chat(body)
        if family == "embeddings":
            return await self._embeddings(body)
        if family == "responses":
            return await self._responses(body)
        raise errors.ConfigurationError(f"unknown call family {family!r}")

    async def _chat(self, body: Mapping[str, Any]) -> Answer:
        args = dict(body)
        client, model = self._client(args.pop("model", None))
        messages = args.pop("messages", None)
        if args.get("stream"):
            raise errors.ConfigurationError(
                'body.stream is true: bulk rows are answered whole; remove "stream" from the row'
            )
        args.pop("stream", None)
        args.setdefault("reasoning_effort", "auto")  # what completion() sends by default
        raw = await client.with_raw_response.acompletion(model, messages, **args)
        completion: ChatCompletion = raw.parse()
        usage = completion.usage
        return Answer(
            completion_json(completion),
            raw.status_code,
            _request_id(raw.headers),
            raw.headers,
            usage.prompt_tokens if usage is not None else None,
            usage.completion_tokens if usage is not None else None,
        )

    async def _responses(self, body: Mapping[str, Any]) -> Answer:
        args = dict(body)
        client, model = self._client(args.pop("model", None))
        input_data = args.pop("input", None)
        if args.pop("stream", None):
            raise errors.ConfigurationError(
                'body.stream is true: bulk rows are answered whole; remove "stream" from the row'
            )
        raw = await client.with_raw_response.aresponses(model, input_data, **args)
        result: Response = raw.parse()
        usage = result.usage
        return Answer(
            result.model_dump_json(exclude_none=True),
            raw.status_code,
            _request_id(raw.headers),
            raw.headers,
            usage.input_tokens if usage is not None else None,
            usage.output_tokens if usage is not None else None,
        )

    async def _embeddings(self, body: Mapping[str, Any]) -> Answer:
        args = dict(body)
        client, model = self._client(args.pop("model", None))
        inputs = args.pop("input", None)
        raw = await client.with_raw_response.aembedding(model, inputs, **args)
        result: CreateEmbeddingResponse = raw.parse()
        return Answer(
            result.model_dump_json(exclude_none=True),
            raw.status_code,
            _request_id(raw.headers),
            raw.headers,
            result.usage.prompt_tokens,
            0,
        )


def completion_json(completion: ChatCompletion) -> str:
    """OpenAI's shape: optional fields left out when unset (not null), the required nullable ones
    (``message.content``, ``message.refusal``, ``choice.logprobs``) always present."""
    import json

    data = completion.model_dump(mode="json", exclude_none=True)
    for choice in data.get("choices", ()):
        choice.setdefault("logprobs", None)
        message = choice.get("message")
        if isinstance(message, dict):
            message.setdefault("content", None)
            message.setdefault("refusal", None)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _request_id(headers: Mapping[str, str]) -> str | None:
    value = headers.get("x-request-id") or headers.get("request-id")
    if value:
        return errors.redact(value)
    return None
