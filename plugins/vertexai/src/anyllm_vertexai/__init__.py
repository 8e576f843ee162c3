"""Gemini on Google Cloud Vertex AI for anyllm, reusing ``anyllm-gemini``'s translation.

The request and response bodies are the Gemini API's (``GenerateContentRequest`` /
``GenerateContentResponse``, SSE with ``alt=sse``): :class:`VertexaiProvider` subclasses
:class:`anyllm_gemini.GeminiProvider` and changes only where the request goes and how it is
authenticated:

- ``POST {endpoint}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent``
  (``:streamGenerateContent?alt=sse``), endpoint and project as in :mod:`anyllm_vertexai.settings`;
- a Google OAuth2 access token (``Authorization: Bearer``) from Application Default Credentials
  (:mod:`anyllm_vertexai.google_auth`), fetched, cached and refreshed by core;
- with ``api_key=`` (or ``VERTEXAI_API_KEY``) instead: Vertex AI express mode, the key in
  ``x-goog-api-key`` and no project in the path.

Embeddings use Vertex's own ``:predict`` (``{"instances": [{"content": ...}], "parameters": {...}}`` →
``predictions[].embeddings.values``); model listing is another API on Vertex and is not offered.

Token counting is Vertex's ``:countTokens`` (its ``CountTokensRequest``: ``contents``,
``systemInstruction``, ``tools``, ``generationConfig`` at the top level, not the Gemini API's
``generateContentRequest`` wrapper), answered ``{"totalTokens": n}``. Images are the gemini plugin's
translation sent to the Vertex path: Imagen's ``:predict`` or a Gemini image model's ``:generateContent``.
Batch jobs are declared off: Vertex's ``batchPredictionJobs`` read their input from Cloud Storage or
BigQuery and write results there, so they need a bucket or dataset this plugin does not manage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from anyllm_gemini import GeminiProvider

from any_llm import errors, hookimpl
from any_llm.auth import TokenAuth
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, Provider
from any_llm.types.embedding import CreateEmbeddingResponse, Embedding, Usage
from any_llm.wire import loads, shape_error
from anyllm_vertexai.settings import ENDPOINT_TEMPLATE, OPTIONS, VertexSettings

if TYPE_CHECKING:
    from any_llm.families.params import ImageGenerationParams

__all__ = ["VertexaiProvider"]

_COUNTED = frozenset({"contents", "systemInstruction", "tools", "generationConfig"})
"""The fields of Vertex's CountTokensRequest that a generateContent body shares."""
_NOT_COUNTED = frozenset({"toolConfig", "safetySettings", "labels"})
"""generateContent fields that steer generation and hold no prompt tokens."""


class VertexaiProvider(GeminiProvider):
    """Gemini models on Vertex AI (``publishers/google``)."""

    name = "vertexai"
    display_name = "Google Vertex AI"
    api_key_env: ClassVar[tuple[str, ...]] = ("VERTEXAI_API_KEY",)
    api_base_env = ("VERTEXAI_API_BASE",)
    default_api_base = ENDPOINT_TEMPLATE
    requires_api_key = False
    docs_url = "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference"
    supports_embedding = True
    supports_list_models = False
    supports_image_generation = True
    supports_count_tokens = True
    supports_batch = False
    capability_notes: ClassVar[dict[str, str]] = {
        "batch": (
            "Vertex AI batch prediction jobs (batchPredictionJobs) read their input from Cloud Storage or "
            "BigQuery and write the results there, not inline; create the job with a gs:// or bq:// source "
            "(gcloud, the console or the Vertex SDK), or use the gemini provider's batch() with a Gemini API key"
        ),
        "list_models": "Vertex AI lists publisher models through its Model Garden API, not this endpoint",
    }
    client_options: ClassVar[frozenset[str]] = OPTIONS
    default_location: ClassVar[str] = "us-central1"

    def __init__(self, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
        Provider.__init__(self, api_key, api_base)  # not Gemini's: no /v1beta on the base URL
        self.vertex = VertexSettings(self.name, self.default_location)
        self.vertex.configure(options)  # project, location, credentials from client_args

    def auth_headers(self) -> dict[str, str]:
        return super().auth_headers() if self.api_key else {}

    def token_auth(self) -> TokenAuth | None:
        if self.api_key is not None:
            return None  # express mode: the key is the credential
        return self.vertex.auth()[0]

    def _model_url(self, model: str, method: str) -> str:
        """``{model path}:{method}`` on Vertex: under the project and location, or (express mode, with a
        key) under the global endpoint's ``publishers/google``."""
        if self.api_key is not None:
            base = "https://aiplatform.googleapis.com" if self.api_base == ENDPOINT_TEMPLATE else self.api_base
            name = quote(model.strip().removeprefix("publishers/google/models/"), safe="@.")
            return f"{base}/v1/publishers/google/models/{name}:{method}"
        return f"{self.vertex.model_path(self.api_base, 'google', model)}:{method}"

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        request = super().build_completion_request(params)
        method = request.url.rpartition(":")[2]  # generateContent / streamGenerateContent
        request.url = self._model_url(params.model, method)
        return request

    # -- token counting: Vertex's countTokens takes the request's fields at the top level ------------

    def build_count_tokens_request(self, params: CompletionParams) -> HTTPRequest:
        """The gemini plugin's generateContent body, as Vertex's ``CountTokensRequest``. ``toolConfig``
        and ``safetySettings`` steer generation and hold no prompt tokens, so they are left out; any
        other field (``cachedContent``...) is refused rather than left uncounted."""
        inner = dict(super().build_count_tokens_request(params).json["generateContentRequest"])
        inner.pop("model", None)
        for name in _NOT_COUNTED:
            inner.pop(name, None)
        unknown = sorted(set(inner) - _COUNTED)
        if unknown:
            raise errors.UnsupportedParameterError(
                unknown[0],
                self.name,
                "Vertex's countTokens takes contents, systemInstruction, tools and generationConfig",
            )
        return HTTPRequest("POST", self._model_url(params.model, "countTokens"), json=inner)

    # -- images: the gemini plugin's translation (Imagen :predict, Gemini :generateContent) on Vertex ---

    def build_image_generation_request(self, params: ImageGenerationParams) -> HTTPRequest:
        request = super().build_image_generation_request(params)
        request.url = self._model_url(params.model, request.url.rpartition(":")[2])
        return request

    # -- embeddings: Vertex's predict API, not the Gemini API's batchEmbedContents ------------------

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        options = dict(extra)
        task = options.pop("task_type", None)
        title = options.pop("title", None)
        parameters: dict[str, Any] = {}
        for name in ("dimensions", "output_dimensionality", "outputDimensionality"):
            if name in options:
                parameters["outputDimensionality"] = options.pop(name)
        if "auto_truncate" in options:
            parameters["autoTruncate"] = options.pop("auto_truncate")
        parameters.update(options)  # anything else is Vertex's own parameter name
        instances = []
        for text in inputs:
            instance: dict[str, Any] = {"content": text}
            if task is not None:
                instance["task_type"] = task
            if title is not None:
                instance["title"] = title
            instances.append(instance)
        body: dict[str, Any] = {"instances": instances}
        if parameters:
            body["parameters"] = parameters
        return HTTPRequest("POST", self._model_url(model, "predict"), json=body)

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        data = loads(body, self.name)
        predictions = data.get("predictions") if isinstance(data, dict) else None
        vectors = []
        tokens = 0
        for p in predictions if isinstance(predictions, list) else [None]:
            emb = p.get("embeddings") if isinstance(p, dict) else None
            values = emb.get("values") if isinstance(emb, dict) else None
            if not isinstance(values, list):
                raise errors.ResponseValidationError(
                    f"{self.name} embeddings answer has no predictions[].embeddings.values",
                    provider=self.name,
                    body=body.decode("utf-8", "replace"),
                )
            stats = emb.get("statistics") if isinstance(emb, dict) else None
            count = stats.get("token_count") if isinstance(stats, dict) else None
            tokens += int(count) if isinstance(count, (int, float)) else 0
            vectors.append(values)
        try:
            return CreateEmbeddingResponse(
                data=[Embedding(embedding=v, index=i) for i, v in enumerate(vectors)],
                model=model,
                usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
            )
        except ValueError as exc:  # pydantic's ValidationError: a value that is not a number
            raise shape_error(self.name, exc, "an embeddings answer", body) from None


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(VertexaiProvider)
