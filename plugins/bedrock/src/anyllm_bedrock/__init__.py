"""Amazon Bedrock for anyllm: Converse / ConverseStream, embeddings (Titan, Cohere), model list.

No AWS SDK: requests are built here, signed by core with SigV4 (:mod:`any_llm.aws`) over the exact
bytes sent, or carry a Bedrock API key as a bearer token; ConverseStream's binary event-stream is
decoded by core. Credentials and region: see :mod:`any_llm.aws` (``client_args`` take boto3's names:
``region_name``, ``aws_access_key_id``, ``aws_secret_access_key``, ``aws_session_token``,
``profile_name``).
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from any_llm import errors, hookimpl
from any_llm.aws import AWSProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, StreamParser
from any_llm.types.completion import ChatCompletion
from any_llm.types.embedding import CreateEmbeddingResponse, Embedding, Usage
from any_llm.types.model import Model
from any_llm.wire import loads_object
from anyllm_bedrock._request import build_body
from anyllm_bedrock._response import ConverseStreamParser, parse_converse

__all__ = ["BedrockProvider"]


class BedrockProvider(AWSProvider):
    """Amazon Bedrock Runtime's Converse API, translated to and from OpenAI chat completions."""

    name = "bedrock"
    display_name = "AWS Bedrock"
    api_key_env = ("AWS_BEARER_TOKEN_BEDROCK",)
    api_base_env = ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL")
    default_api_base = "https://bedrock-runtime.{region}.amazonaws.com"
    docs_url = "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html"
    aws_service = "bedrock"
    stream_format = "aws-eventstream"
    supports_reasoning = True
    supports_images = True
    supports_documents = True
    supports_embedding = True
    supports_list_models = True
    single_token_limit = True
    unsupported_params: ClassVar[frozenset[str]] = frozenset(
        {
            "n",
            "presence_penalty",
            "frequency_penalty",
            "seed",
            "logprobs",
            "top_logprobs",
            "logit_bias",
            "parallel_tool_calls",
            "prompt_cache_key",
        }
    )

    # -- chat ---------------------------------------------------------------------------------------

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        action = "converse-stream" if params.stream else "converse"
        return HTTPRequest(
            "POST",
            f"model/{quote(params.model, safe='')}/{action}",
            json=build_body(params),
            stream=bool(params.stream),
        )

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        return parse_converse(body, params)

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        return ConverseStreamParser(params)

    # -- embeddings: InvokeModel with the model family's own body ------------------------------------------

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        body: dict[str, Any]
        if _is_titan(model):
            if len(inputs) != 1:
                raise errors.UnsupportedParameterError(
                    "inputs",
                    self.name,
                    f"Titan embeddings take one text per request ({len(inputs)} given): call embedding() once per "
                    "text, or use a Cohere embedding model for batches",
                )
            body = {"inputText": inputs[0], **extra}
        else:  # Cohere Embed's body (cohere.embed-*), the batch shape
            body = {"texts": inputs, "input_type": "search_document", **extra}
        return HTTPRequest(
            "POST",
            f"model/{quote(model, safe='')}/invoke",
            json=body,
            headers={"Accept": "application/json"},
        )

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        data = loads_object(body, self.name, "an embedding response")
        if "embedding" in data:  # Titan: one vector
            vectors = [data["embedding"]]
            tokens = int(data.get("inputTextTokenCount") or 0)
        else:
            raw = data["embeddings"]
            vectors = raw["float"] if isinstance(raw, dict) else raw  # embedding_types=["float"] nests them
            tokens = 0
        return CreateEmbeddingResponse(
            data=[Embedding(embedding=[float(x) for x in v], index=i) for i, v in enumerate(vectors)],
            model=model,
            usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
        )

    # -- models: the control plane (bedrock.<region>.amazonaws.com) -----------------------------------------

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        # byProvider, byOutputModality, byInferenceType ...: encoded here with %20 for spaces, as SigV4 signs
        # them (httpx's params would send "+", which AWS and the signature read differently)
        query = urlencode({k: str(v) for k, v in extra.items()}, quote_via=quote)
        return HTTPRequest("GET", f"{self.endpoint('bedrock')}/foundation-models" + (f"?{query}" if query else ""))

    def parse_list_models(self, body: bytes) -> list[Model]:
        data = loads_object(body, self.name, "a model list")
        return [
            Model(id=str(m["modelId"]), owned_by=str(m.get("providerName") or "aws"))
            for m in data.get("modelSummaries") or ()
        ]


def _is_titan(model: str) -> bool:
    return "titan-embed" in model


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(BedrockProvider)
