"""Anthropic Messages API for anyllm: chat, streaming, tools, extended thinking, structured output, models,
and message batches behind OpenAI's batch shape (:mod:`anyllm_anthropic._batch`).

Pure translation between our OpenAI-shaped types and ``POST /v1/messages``; the core sends the
requests. See the README for every mapping choice (max_tokens default, thinking budgets, usage).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from any_llm import errors, hookimpl
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, Provider, StreamParser
from any_llm.types.completion import ChatCompletion
from any_llm.types.model import Model
from any_llm.wire import loads, loads_object
from anyllm_anthropic import _batch
from anyllm_anthropic._request import (
    THINKING_BUDGETS,
    convert_messages,
    convert_tool_choice,
    convert_tools,
    output_schema,
)
from anyllm_anthropic._response import convert_message, convert_models, error_for
from anyllm_anthropic._stream import AnthropicStreamParser

if TYPE_CHECKING:
    from any_llm.families.flow import Flow
    from any_llm.families.params import BatchParams
    from any_llm.types.batch import Batch, BatchResult
    from any_llm.types.messages import MessageResponse

__all__ = ["API_VERSION", "DEFAULT_MAX_TOKENS", "THINKING_BUDGETS", "AnthropicProvider"]

API_VERSION = "2023-06-01"
"""The ``anthropic-version`` header every request carries."""
DEFAULT_MAX_TOKENS = 4096
"""``max_tokens`` sent when the caller gives none (the API requires it); every current model allows it."""
_NO_PARAMS = CompletionParams(model="", messages=[])
"""parse_completion's params for batch results (it reads nothing from them)."""
_SERVICE_TIERS = {"auto": "auto", "default": "standard_only", "standard_only": "standard_only"}


class AnthropicProvider(Provider):
    """api.anthropic.com's Messages API, translated to and from OpenAI chat completions."""

    name = "anthropic"
    max_choices = 1
    single_token_limit = True
    display_name = "Anthropic"
    api_key_env: ClassVar[tuple[str, ...]] = ("ANTHROPIC_API_KEY",)
    api_base_env: ClassVar[tuple[str, ...]] = ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_BASE")
    default_api_base = "https://api.anthropic.com"
    docs_url = "https://docs.anthropic.com/en/api/messages"
    supports_reasoning = True
    supports_images = True
    supports_documents = True
    supports_embedding = False
    supports_list_models = True
    supports_batch = True

    supports_count_tokens = True
    supports_messages_native = True
    unsupported_params: ClassVar[frozenset[str]] = frozenset(
        {"seed", "presence_penalty", "frequency_penalty", "top_logprobs", "prompt_cache_key"}
    )

    def auth_headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key.get()} if self.api_key else {}

    def _path(self, tail: str) -> str:
        """``v1/<tail>`` under the base URL, or ``<tail>`` when the base already ends in /v1."""
        return tail if self.api_base.endswith("/v1") else f"v1/{tail}"

    # -- requests ---------------------------------------------------------------------------------

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        refuse = errors.UnsupportedParameterError
        if params.logprobs:
            raise refuse("logprobs", self.name, "Anthropic does not return token log probabilities")
        if params.logit_bias:
            raise refuse("logit_bias", self.name, "Anthropic has no token biasing")
        if params.temperature is not None and params.temperature > 1:
            raise refuse("temperature", self.name, f"Anthropic accepts 0 to 1, got {params.temperature}")
        if params.service_tier is not None and params.service_tier not in _SERVICE_TIERS:
            raise refuse("service_tier", self.name, "Anthropic takes 'auto' or 'standard_only' ('default')")
        if params.response_format and params.response_format.get("type") == "json_object":
            raise refuse(
                "response_format",
                self.name,
                "Anthropic has no JSON mode; pass a json_schema or a pydantic model instead",
            )

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        return HTTPRequest(
            "POST",
            self._path("messages"),
            json=self.build_body(params),
            headers={"anthropic-version": API_VERSION},
            stream=bool(params.stream),
        )

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        """The ``/v1/messages`` body for ``params`` (already checked)."""
        system, messages = convert_messages(params.messages)
        given_max = params.output_limit
        body: dict[str, Any] = {"model": params.model, "max_tokens": given_max or DEFAULT_MAX_TOKENS}
        if system is not None:
            body["system"] = system
        body["messages"] = messages
        effort = params.reasoning_effort
        if effort in THINKING_BUDGETS:
            budget = THINKING_BUDGETS[effort]
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            if given_max is None:
                body["max_tokens"] = budget + DEFAULT_MAX_TOKENS
            elif given_max <= budget:  # the budget must fit below max_tokens: the caller's limit is the answer's
                body["max_tokens"] = budget + given_max
        elif effort == "none":
            body["thinking"] = {"type": "disabled"}
        if params.tools is not None:
            body["tools"] = convert_tools(params.tools)
        # parallel_tool_calls without tools has nothing to act on: send no tool_choice for it then
        choice = convert_tool_choice(params.tool_choice, params.parallel_tool_calls if params.tools else None)
        if choice is not None:
            body["tool_choice"] = choice
        if params.stop is not None:
            body["stop_sequences"] = params.stop_sequences
        if params.temperature is not None:
            body["temperature"] = params.temperature
        if params.top_p is not None:
            body["top_p"] = params.top_p
        if params.user is not None:
            body["metadata"] = {"user_id": params.user}
        if params.service_tier is not None:
            body["service_tier"] = _SERVICE_TIERS[params.service_tier]
        rf = params.response_format
        if rf and rf.get("type") == "json_schema":
            schema = output_schema(rf["json_schema"]["schema"])
            body["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        if params.stream:
            body["stream"] = True
        for key, value in params.extra.items():
            if isinstance(value, dict) and isinstance(body.get(key), dict):
                body[key] = {**body[key], **value}  # e.g. output_config={"effort": ...} next to a format
            else:
                body[key] = value
        return body

    # -- responses --------------------------------------------------------------------------------

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        return convert_message(loads(body, self.name), body)

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return AnthropicStreamParser(params)

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            return error_for(payload, status_code, headers)
        return super().parse_error(status_code, headers, body)

    # -- the native Messages API: messages() bodies are this API's own -------------------------------

    def build_messages_request(self, body: dict[str, Any]) -> HTTPRequest:
        body = dict(body)
        headers = {"anthropic-version": API_VERSION}
        betas = body.pop("betas", None)
        if betas:
            headers["anthropic-beta"] = ",".join(betas)
        return HTTPRequest("POST", self._path("messages"), json=body, headers=headers, stream=bool(body.get("stream")))

    def parse_messages(self, body: bytes) -> MessageResponse:
        from any_llm.bridges.messages import parse_message_body

        return parse_message_body(body, self.name)

    def messages_stream_parser(self) -> StreamParser:
        from any_llm.bridges.messages import MessagesStreamParser

        return MessagesStreamParser(self.name, error_for)

    # -- models -----------------------------------------------------------------------------------

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        query = {"limit": "1000", **{k: str(v) for k, v in extra.items()}}  # pages of 1000, followed to the end
        return HTTPRequest("GET", self._path("models"), params=query, headers={"anthropic-version": API_VERSION})

    def parse_list_models(self, body: bytes) -> list[Model]:
        return convert_models(loads(body, self.name), body)

    def next_list_models_request(self, previous: HTTPRequest, body: bytes) -> HTTPRequest | None:
        """``has_more`` pages continue after ``last_id`` (``after_id``)."""
        from any_llm.families.pages import next_page

        data = loads(body, self.name)
        if isinstance(data, dict) and data.get("has_more") and isinstance(data.get("last_id"), str):
            return next_page(previous, after_id=data["last_id"])
        return None

    # -- message batches (see anyllm_anthropic._batch) ---------------------------------------------

    def _batch_body(self, params: CompletionParams) -> dict[str, Any]:
        from any_llm.params import check_request

        check_request(self, params)  # what core checks before any completion, for each line
        return self.build_body(params)

    def _batches(self, tail: str = "", method: str = "GET", **kw: Any) -> HTTPRequest:
        return HTTPRequest(
            method, self._path("messages/batches" + tail), headers={"anthropic-version": API_VERSION}, **kw
        )

    def create_batch_flow(self, params: BatchParams) -> Flow[Batch]:
        from any_llm.uploads import StreamBody

        if params.endpoint != "/v1/chat/completions":
            raise errors.ConfigurationError(
                "anthropic batches run chat completions only (endpoint='/v1/chat/completions'), "
                f"got {params.endpoint!r}"
            )
        for name in ("metadata", "completion_window"):
            value = getattr(params, name)
            if value not in (None, "24h"):
                raise errors.UnsupportedParameterError(name, self.name, "message batches have a fixed 24h window")
        _batch.check_input(params.input_file_path, params.endpoint, self._batch_body)
        body = StreamBody(
            lambda: _batch.request_lines(params.input_file_path, params.endpoint, self._batch_body),
            "application/json",
        )
        answer = yield self._batches(method="POST", upload=body)
        return _batch.batch_from_message_batch(answer.content, self.name)

    def retrieve_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        answer = yield self._batches("/" + quote(batch_id, safe=""))
        return _batch.batch_from_message_batch(answer.content, self.name)

    def cancel_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        answer = yield self._batches(f"/{quote(batch_id, safe='')}/cancel", method="POST")
        return _batch.batch_from_message_batch(answer.content, self.name)

    def list_batches_flow(self, after: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[Batch]]:
        """Every page (``after_id`` / ``has_more`` / ``last_id``), newest first, at most ``limit``."""
        out: list[Batch] = []
        cursor = after
        while True:
            query = {
                "limit": str(min(limit - len(out), 1000) if limit else 1000),
                **{k: str(v) for k, v in extra.items()},
            }
            if cursor:
                query["after_id"] = cursor
            answer = yield self._batches(params=query)
            data = loads_object(answer.content, self.name, "a message batch list")
            items = data.get("data")
            if not isinstance(items, list):
                raise errors.ResponseValidationError(f"{self.name} batch list has no 'data' array", provider=self.name)
            out.extend(_batch.batch_from_message_batch(json.dumps(item).encode(), self.name) for item in items)
            cursor = data.get("last_id")
            if (limit is not None and len(out) >= limit) or not data.get("has_more") or not items or not cursor:
                return out[:limit] if limit is not None else out

    def batch_results_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[BatchResult]:
        from any_llm.types.batch import BatchResult

        batch = yield from self.retrieve_batch_flow(batch_id, extra)
        if batch.status not in ("completed", "cancelled", "expired"):
            raise errors.BatchNotCompleteError(batch_id, batch.status, provider=self.name)
        answer = yield self._batches(f"/{quote(batch_id, safe='')}/results")
        parse = lambda message: self.parse_completion(message, _NO_PARAMS)  # noqa: E731
        items = [_batch.result_item(line, self.name, parse) for line in answer.content.splitlines() if line.strip()]
        return BatchResult(results=items)

    # -- token counting: POST /v1/messages/count_tokens -----------------------------------------

    def build_count_tokens_request(self, params: CompletionParams) -> HTTPRequest:
        """The messages body, cut to what the counting endpoint takes (model, system, messages, tools)."""
        body = {k: v for k, v in self.build_body(params).items() if k in _COUNT_FIELDS}
        return HTTPRequest(
            "POST", self._path("messages/count_tokens"), json=body, headers={"anthropic-version": API_VERSION}
        )

    def parse_count_tokens(self, body: bytes) -> int:
        data = loads(body, self.name)
        count = data.get("input_tokens") if isinstance(data, dict) else None
        if not isinstance(count, int) or isinstance(count, bool):
            raise errors.ResponseValidationError(
                f"{self.name} count_tokens reply has no integer input_tokens",
                provider=self.name,
                body=body.decode("utf-8", "replace"),
            )
        return count


_COUNT_FIELDS = frozenset({"model", "messages", "system", "tools", "tool_choice", "thinking"})
"""The fields of a messages body that /v1/messages/count_tokens accepts (its CountMessageTokensRequest)."""


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(AnthropicProvider)
