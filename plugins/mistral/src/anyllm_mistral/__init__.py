"""Mistral AI chat completions (reasoning, tools, structured output, images), embeddings, models, moderation,
transcription and batch jobs for anyllm.

Mistral's API looks like OpenAI's but rejects unknown fields, so every seed parameter is either
translated to the field Mistral defines or refused before sending (see README.md for the table).
The translation lives in :mod:`anyllm_mistral._request` (out) and :mod:`anyllm_mistral._response` (back).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest
from any_llm.wire import loads_object
from anyllm_mistral import _batch, _request, _response
from anyllm_mistral._request import mistral_tool_call_id

if TYPE_CHECKING:
    from any_llm.families.flow import Flow
    from any_llm.families.params import BatchParams
    from any_llm.types.batch import Batch

__all__ = ["REASONING_EFFORTS", "MistralProvider", "mistral_tool_call_id"]

REASONING_EFFORTS = ("high", "none")
"""The ``reasoning_effort`` values Mistral's ChatCompletionRequest accepts ("auto" sends nothing)."""

# Seed parameters that Mistral takes under its own name or shape (everything else maps 1:1).
_TRANSLATED = frozenset({"tools", "tool_choice", "response_format", "stream", "stream_options", "reasoning_effort"})


class MistralProvider(OpenAICompatibleProvider):
    """api.mistral.ai: OpenAI's chat protocol with a strict schema, thinking chunks and 9-character tool ids."""

    name = "mistral"
    single_token_limit = True
    display_name = "Mistral AI"
    api_key_env = ("MISTRAL_API_KEY",)
    api_base_env = ("MISTRAL_API_BASE",)
    default_api_base = "https://api.mistral.ai/v1"
    docs_url = "https://docs.mistral.ai/api/"
    supports_reasoning = True
    supports_images = True
    supports_audio = True
    supports_documents = True
    supports_embedding = True
    supports_list_models = True
    supports_stream_usage = False
    """Mistral has no ``stream_options``: it always puts usage on the last stream chunk."""
    param_renames: ClassVar[Mapping[str, str]] = {"seed": "random_seed", "max_completion_tokens": "max_tokens"}
    unsupported_params: ClassVar[frozenset[str]] = frozenset(
        {"user", "logprobs", "top_logprobs", "logit_bias", "service_tier"}
    )
    """Seed parameters with no field in Mistral's ChatCompletionRequest (which forbids unknown fields)."""
    supports_moderation = True
    supports_transcription = True
    supports_batch = True
    moderation_takes_parts = False
    """``/v1/moderations`` (ClassificationRequest) takes a string or strings only."""
    transcription_unsupported_params: ClassVar[frozenset[str]] = frozenset({"prompt", "response_format"})
    """AudioTranscriptionRequest has neither; it always answers JSON."""
    form_list_suffix = ""
    batches_path = "batch/jobs"
    stream_parser_class = _response.MistralStreamParser
    """Normalizes with this stream's tool-call numbering; see :meth:`chunk_needs_normalize` for which chunks."""

    def __init__(self, api_key: str | None = None, api_base: str | None = None) -> None:
        super().__init__(api_key, api_base)
        self._every_chunk = type(self).normalize_chunk is not OpenAICompatibleProvider.normalize_chunk
        """A subclass with its own ``normalize_chunk`` gets every chunk, as the core's default promises."""

    # -- request ------------------------------------------------------------------------------

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        if params.stream_options is not None and params.stream_options != {"include_usage": True}:
            raise errors.UnsupportedParameterError(
                "stream_options",
                self.name,
                "Mistral has no stream_options and always sends usage on the last chunk, so only "
                "{'include_usage': True} can be honoured",
            )

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body: dict[str, Any] = {"model": params.model, "messages": self.convert_messages(params.messages)}
        for name, value in params.given().items():
            if name not in _TRANSLATED:
                body[self.param_renames.get(name, name)] = value
        if params.tools is not None:
            body["tools"] = _request.convert_tools(params.tools)
        if params.tool_choice is not None:
            body["tool_choice"] = _request.convert_tool_choice(params.tool_choice)
        if params.response_format is not None:
            body["response_format"] = _request.convert_response_format(params.response_format)
        if params.reasoning_effort is not None and params.reasoning_effort != "auto":
            body.update(self.map_reasoning_effort(params.reasoning_effort))
        if params.stream:
            body["stream"] = True
        body.update(params.extra)
        return body

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        if effort not in REASONING_EFFORTS:
            raise errors.UnsupportedParameterError(
                "reasoning_effort",
                self.name,
                f"Mistral accepts 'high' or 'none' ('auto' sends nothing), got {effort!r}",
            )
        return {"reasoning_effort": effort}

    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _request.convert_messages(messages)

    # -- response -----------------------------------------------------------------------------

    def error_from_payload(self, payload: dict[str, Any]) -> errors.AnyLLMError:
        """Mistral's mapping (capacity → 429, its context-length wording, the body's request_id, nested
        validation details) for an error object; the core's for an ``error`` key beside ``choices``."""
        if "choices" in payload:
            return super().error_from_payload(payload)
        return _response.error_from_payload(self.name, payload)

    def normalize_response(self, data: dict[str, Any]) -> dict[str, Any]:
        return _response.normalize_response(data, self.name)

    def chunk_needs_normalize(self, data: bytes) -> bool:
        """Only chunks with keys normalization rewrites leave the core's fast path (a chunk that does not
        validate as it is leaves it anyway): plain text chunks, nearly all of them, are validated as they are."""
        return self._every_chunk or _response.chunk_needs_normalize(data)

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        message, code = self.error_details(body)
        return _response.map_error(self.name, status_code, headers, body, message, code)

    def error_details(self, body: bytes) -> tuple[str | None, str | None]:
        return _response.error_details(body)

    # -- embeddings ---------------------------------------------------------------------------

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        extra = dict(extra)
        if "dimensions" in extra:  # OpenAI's name for Mistral's output_dimension
            if "output_dimension" in extra:
                raise errors.ConfigurationError("pass dimensions or output_dimension, not both")
            extra["output_dimension"] = extra.pop("dimensions")
        if extra.get("encoding_format") not in (None, "float"):
            raise errors.UnsupportedParameterError(
                "encoding_format", self.name, "embeddings are returned as float lists; leave it unset"
            )
        return super().build_embedding_request(model, inputs, extra)

    # -- batch jobs (see anyllm_mistral._batch) -------------------------------------------------

    def create_batch_flow(self, params: BatchParams) -> Flow[Batch]:
        model = _batch.scan_input(params)
        answer = yield _batch.upload_request(params)
        file = self.parse_file(answer.content)
        answer = yield _batch.job_request(file.id, model, params)
        return _batch.batch_from_job(answer.content, self.name)

    def parse_batch(self, body: bytes) -> Batch:
        return _batch.batch_from_job(body, self.name)

    def list_batches_flow(self, after: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[Batch]]:
        """Every page of ``GET /v1/batch/jobs`` (newest first), skipping up to ``after``."""
        out: list[Batch] = []
        skipping = after is not None
        page = 0
        while True:
            query = {"page": str(page), "page_size": "100", **{k: str(v) for k, v in extra.items()}}
            answer = yield HTTPRequest("GET", self.batches_path, params=query)
            data = loads_object(answer.content, self.name, "a batch job list")
            items = data.get("data") or []
            if not isinstance(items, list):
                raise errors.ResponseValidationError(f"{self.name} batch job list has no 'data' array")
            for item in items:
                batch = self.parse_batch(json.dumps(item).encode())
                if skipping:
                    skipping = batch.id != after
                    continue
                out.append(batch)
            page += 1
            total = data.get("total")
            if limit is not None and len(out) >= limit:
                return out[:limit]
            if not items or (isinstance(total, int) and page * 100 >= total):
                return out


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(MistralProvider)
