"""llama.cpp's OpenAI-compatible server for anyllm: upstream ``llama-server`` and llama-cpp-python's server.

Both speak OpenAI's chat protocol with differences that this provider smooths over (each one was
seen on a real server; see the README):

- ``max_completion_tokens`` is sent as ``max_tokens``: llama-cpp-python ignores the former.
- ``response_format`` ``json_schema`` is sent as ``{"type": "json_object", "schema": ...}``, the form
  every llama.cpp server version grammar-forces (llama-cpp-python answers HTTP 500 to json_schema).
- ``n > 1`` is refused before sending: the servers return one choice (or reject the request).
- the legacy ``function_call`` field that llama-cpp-python adds next to ``tool_calls`` (its name has a
  stray ``:``, and it repeats in every stream chunk) is dropped, so only ``tool_calls`` remain.
- errors: llama-server's ``exceed_context_size_error`` becomes ContextLengthExceededError;
  llama-cpp-python's request-validation failures (HTTP 500) become InvalidRequestError; a stream that
  ends before its first chunk (llama-cpp-python fails after sending 200) becomes a ProviderError saying why.
- rerank: ``llama-server --reranking`` answers ``/v1/rerank`` with ``results`` of index + relevance_score.
- count_tokens: ``/tokenize`` counts a string, so the messages are first rendered by the server's own chat
  template (``/apply-template``), then the prompt is tokenized the way the server tokenizes a chat prompt
  (special tokens added and parsed): the count is the ``prompt_tokens`` a completion of the same messages
  reports. Upstream ``llama-server`` serves both routes at its root; llama-cpp-python's server has neither.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, StreamEvent, StreamParser
from any_llm.types.completion import ChatCompletion, ChatCompletionChunk
from any_llm.wire import loads_object

if TYPE_CHECKING:
    from any_llm.families.flow import Flow

__all__ = ["LlamacppProvider", "refine_error"]

_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "exceed_context_size",
    "context size",
    "context window",
    "context length",
)

_NOT_TEMPLATED = frozenset({"stream", "stream_options", "n", "max_tokens", "max_completion_tokens"})
"""Chat body fields that do not shape the prompt (and that /apply-template need not see)."""


class LlamacppProvider(OpenAICompatibleProvider):
    """A llama.cpp server (``llama-server`` or ``python -m llama_cpp.server``); no key needed."""

    name = "llamacpp"
    single_token_limit = True
    display_name = "llama.cpp"
    api_key_env = ("LLAMACPP_API_KEY",)
    api_base_env = ("LLAMACPP_API_BASE",)
    default_api_base = "http://127.0.0.1:8080/v1"
    requires_api_key = False
    docs_url = "https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md"
    supports_reasoning = True
    supports_embedding = True
    supports_list_models = True
    supports_rerank = True
    """`llama-server --reranking` serves `/v1/rerank` (the Jina shape); llama-cpp-python has none."""
    supports_count_tokens = True
    """`llama-server`'s `/apply-template` + `/tokenize` (see the module docstring); llama-cpp-python has neither."""
    param_renames: ClassVar[Mapping[str, str]] = {"max_completion_tokens": "max_tokens"}
    max_choices = 1
    json_schema_as_json_object = True  # llama-cpp-python rejects json_schema; a json_object's schema is a grammar
    context_markers = ("exceed_context_size", "context size")

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        completion = super().parse_completion(body, params)
        for choice in completion.choices:
            message = choice.message
            if message.tool_calls and message.function_call is not None:
                message.function_call = None
                message.__pydantic_fields_set__.discard("function_call")
        return completion

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return LlamacppStreamParser(self, params)

    # -- token counting: /apply-template, then /tokenize --------------------------------------------

    def _root(self, route: str) -> str:
        """A route at the server's root (``/tokenize``...): the base URL without its ``/v1``."""
        base = self.api_base[: -len("/v1")] if self.api_base.endswith("/v1") else self.api_base
        return f"{base}/{route}"

    def count_tokens_flow(self, params: CompletionParams) -> Flow[int]:
        return self._count_tokens(params)

    def _count_tokens(self, params: CompletionParams) -> Flow[int]:
        body = {k: v for k, v in self.build_body(params).items() if k not in _NOT_TEMPLATED}
        answer = yield HTTPRequest("POST", self._root("apply-template"), json=body)
        prompt = loads_object(answer.content, self.name, "an /apply-template reply").get("prompt")
        if not isinstance(prompt, str):
            raise errors.ResponseValidationError(
                f"{self.name}: the /apply-template reply has no 'prompt' string",
                provider=self.name,
                body=answer.content.decode("utf-8", "replace"),
            )
        # as the server tokenizes a chat prompt: special tokens (BOS) added, their text parsed as tokens
        answer = yield HTTPRequest(
            "POST", self._root("tokenize"), json={"content": prompt, "add_special": True, "parse_special": True}
        )
        tokens = loads_object(answer.content, self.name, "a /tokenize reply").get("tokens")
        if not isinstance(tokens, list):
            raise errors.ResponseValidationError(
                f"{self.name}: the /tokenize reply has no 'tokens' list",
                provider=self.name,
                body=answer.content.decode("utf-8", "replace"),
            )
        return len(tokens)

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        err = refine_error(super().parse_error(status_code, headers, body))
        data = _loads(body)
        if status_code == 404 and data == {"detail": "Not Found"}:
            # FastAPI's answer for a route it does not serve: llama-cpp-python's server
            return errors.ModelNotFoundError(
                "the llama.cpp server does not serve this route. llama-cpp-python's server has no "
                "/apply-template or /tokenize (count_tokens needs upstream llama-server); otherwise check "
                "that api_base is the server's /v1 URL",
                provider=err.provider,
                status_code=err.status_code,
                request_id=err.request_id,
                body=err.body,
            )
        inner = data.get("error") if isinstance(data, dict) else None
        if status_code >= 500 and isinstance(inner, dict) and inner.get("message") == "":
            # llama-cpp-python turns a failed assert into HTTP 500 with an empty message
            return errors.ProviderError(
                f"the llama.cpp server failed with HTTP {status_code} and no message. llama-cpp-python's "
                "server does this for tool_choice='required', for example: name the tool instead, "
                "tool_choice={'type': 'function', 'function': {'name': ...}}",
                provider=err.provider,
                status_code=err.status_code,
                request_id=err.request_id,
                body=err.body,
            )
        return err


def refine_error(err: errors.AnyLLMError) -> errors.AnyLLMError:
    """Reclassify what the shared status mapping cannot tell apart for llama.cpp servers."""
    if not isinstance(err, (errors.InvalidRequestError, errors.ProviderError)) or isinstance(
        err, (errors.ContextLengthExceededError, errors.ContentFilterError)
    ):
        return err
    kwargs: dict[str, Any] = {
        "provider": err.provider,
        "status_code": err.status_code,
        "request_id": err.request_id,
        "body": err.body,
    }
    text = f"{err.message} {err.body or ''}".lower()
    if any(marker in text for marker in _CONTEXT_MARKERS):
        return errors.ContextLengthExceededError(err.message, **kwargs)
    if isinstance(err, errors.ProviderError) and "validation error" in text:
        # llama-cpp-python reports a request its pydantic model rejects as HTTP 500, with a traceback
        first = err.message.split("\n\n  File ", 1)[0].strip()
        return errors.InvalidRequestError(f"the llama.cpp server rejected the request: {first}", **kwargs)
    return err


class LlamacppStreamParser(OpenAIStreamParser):
    """OpenAI stream parsing plus llama.cpp's stream quirks (legacy function_call, silent failures)."""

    def __init__(self, provider: LlamacppProvider, params: CompletionParams) -> None:
        super().__init__(provider, pad_usage=provider.supports_stream_usage and params.stream_options is None)
        self._has_tools = bool(params.tools)

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        try:
            chunks = super().feed(event)
        except errors.AnyLLMError as exc:
            raise refine_error(exc) from None
        for chunk in chunks:
            for choice in chunk.choices:
                delta = choice.delta
                if delta.tool_calls and delta.function_call is not None:
                    delta.function_call = None
        return chunks

    def finish(self) -> Iterable[ChatCompletionChunk]:
        if self._last is None and not self.done:
            why = "the prompt does not fit the context window"
            if self._has_tools:
                why += ", or the model chose a tool under tool_choice='auto' (name the tool to stream it)"
            raise errors.ProviderError(
                "the llama.cpp server ended the stream before its first chunk. llama-cpp-python's server "
                f"does this when the request fails after it answered 200, e.g. {why}. "
                "Send the request with stream=False to get the server's error.",
                provider=self.provider.name,
            )
        return super().finish()


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(LlamacppProvider)
