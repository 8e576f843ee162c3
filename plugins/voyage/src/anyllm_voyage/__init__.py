"""Voyage AI (api.voyageai.com/v1) for anyllm: embeddings, built and parsed natively.

Voyage serves embeddings (and reranking, another API family), no chat: completion, streaming,
tools and structured output are declared unsupported and refused before anything is sent.

The wire (https://docs.voyageai.com/reference/embeddings-api): ``POST /embeddings`` with
``{"input": [...], "model": ..., "input_type"?, "truncation"?, "output_dimension"?,
"output_dtype"?, "encoding_format"?}``, ``Authorization: Bearer``; the answer is OpenAI-shaped
except that ``usage`` has only ``total_tokens``, which is also reported as ``prompt_tokens`` (every
token of an embedding request is input). Voyage's own options go as keywords and are sent as given;
openai-python's ``dimensions`` is sent as Voyage's ``output_dimension``. ``encoding_format="base64"``
is refused: the answer would not be the float vectors ``CreateEmbeddingResponse`` holds;
``encoding_format="float"`` (openai-python's spelling of the default) is not sent, because Voyage's
spec knows only ``base64`` and means float vectors when the field is absent.
Request bodies are checked in the tests against Voyage's published OpenAPI description
(``tests/spec/voyage-openapi.json``).
"""

from __future__ import annotations

from typing import Any

from any_llm import errors, hookimpl
from any_llm.families.openai_wire import parse_rerank_json
from any_llm.families.params import RerankParams
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, Provider
from any_llm.types.embedding import CreateEmbeddingResponse
from any_llm.types.rerank import RerankResponse
from any_llm.wire import loads_object

__all__ = ["VoyageProvider"]


class VoyageProvider(Provider):
    """Voyage AI's embeddings endpoint."""

    name = "voyage"
    display_name = "Voyage AI"
    api_key_env = ("VOYAGE_API_KEY",)
    api_base_env = ("VOYAGE_API_BASE",)
    default_api_base = "https://api.voyageai.com/v1"
    docs_url = "https://docs.voyageai.com/"
    supports_completion = False
    supports_streaming = False
    supports_tools = False
    supports_structured_output = False
    supports_embedding = True
    supports_rerank = True

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        raise errors.UnsupportedCapabilityError("completion", self.name)

    def build_rerank_request(self, params: RerankParams) -> HTTPRequest:
        """``POST /rerank`` (https://docs.voyageai.com/reference/reranker-api): ``top_n`` is Voyage's
        ``top_k``; Voyage cuts documents by its own ``truncation`` flag, not a token count."""
        if params.max_tokens_per_doc is not None:
            raise errors.UnsupportedParameterError(
                "max_tokens_per_doc", self.name, "Voyage truncates documents itself (pass truncation=False to refuse)"
            )
        body: dict[str, Any] = {"query": params.query, "documents": params.documents, "model": params.model}
        if params.top_n is not None:
            body["top_k"] = params.top_n
        body.update(params.extra)
        return HTTPRequest("POST", "rerank", json=body)

    def parse_rerank(self, body: bytes, params: RerankParams) -> RerankResponse:
        return parse_rerank_json(body, self.name, params.documents)

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        body: dict[str, Any] = {"input": inputs, "model": model}
        options = dict(extra)
        if "dimensions" in options:
            if "output_dimension" in options:
                raise errors.ConfigurationError(
                    "dimensions and output_dimension are the same setting for voyage; pass one", provider=self.name
                )
            options["output_dimension"] = options.pop("dimensions")
        if options.get("encoding_format") not in (None, "float"):
            raise errors.UnsupportedParameterError(
                "encoding_format",
                self.name,
                "only float vectors fit CreateEmbeddingResponse; leave encoding_format unset",
            )
        if options.get("encoding_format") == "float":
            del options["encoding_format"]  # Voyage's default; its spec's enum has only "base64"
        body.update(options)
        return HTTPRequest("POST", "embeddings", json=body)

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        """Whatever a body of another shape makes this raise, core hands the caller as ResponseValidationError."""
        data = loads_object(body, self.name)
        usage = data.get("usage")
        total = usage.get("total_tokens", 0) if isinstance(usage, dict) else 0
        return CreateEmbeddingResponse.model_validate(
            {
                "object": "list",
                "data": data["data"],
                "model": data.get("model") or model,
                "usage": {"prompt_tokens": total, "total_tokens": total},
            }
        )


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(VoyageProvider)
