"""Claude on Google Cloud Vertex AI for anyllm, reusing ``anyllm-anthropic``'s translation.

The Messages API body and answers are Anthropic's; Vertex changes three things
(https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude):

- the model is in the URL, not the body:
  ``POST {endpoint}/v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:rawPredict``
  (``:streamRawPredict`` for streams, same SSE events);
- the version is a body field, ``"anthropic_version": "vertex-2023-10-16"``, not a header;
- authentication is a Google OAuth2 access token: Application Default Credentials through
  ``anyllm-vertexai``'s :mod:`~anyllm_vertexai.google_auth` (core fetches, caches, refreshes), or a
  ready token as ``api_key=`` (what ``gcloud auth print-access-token`` prints; anthropic's
  ``AnthropicVertex(access_token=...)``).

Token counting is Vertex's ``count-tokens`` endpoint
(https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/count-tokens):
``POST .../publishers/anthropic/models/count-tokens:rawPredict`` with the anthropic plugin's
count_tokens body (the model stays in the body there) plus ``anthropic_version``, answered
``{"input_tokens": n}``. Anthropic's Message Batches are not served on Vertex (its batch prediction
jobs read Cloud Storage or BigQuery): declared off with a note saying so.

Project and location resolve as for ``vertexai`` (:mod:`anyllm_vertexai.settings`), plus the
Anthropic SDK's names: ``ANTHROPIC_VERTEX_PROJECT_ID`` and ``CLOUD_ML_REGION``; the default location
is ``us-east5``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from anyllm_anthropic import AnthropicProvider
from anyllm_anthropic.reuse import OwnErrors
from anyllm_vertexai.settings import ENDPOINT_TEMPLATE, OPTIONS, VertexSettings

from any_llm import errors, hookimpl
from any_llm.auth import TokenAuth
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, Provider

__all__ = ["VERTEX_ANTHROPIC_VERSION", "VertexaianthropicProvider"]

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"


class VertexaianthropicProvider(OwnErrors, AnthropicProvider):
    """Anthropic's Claude models on Vertex AI (``publishers/anthropic``)."""

    name = "vertexaianthropic"
    display_name = "Claude on Vertex AI"
    api_key_env: ClassVar[tuple[str, ...]] = ()
    api_base_env: ClassVar[tuple[str, ...]] = ("ANTHROPIC_VERTEX_BASE_URL",)
    default_api_base = ENDPOINT_TEMPLATE
    requires_api_key = False
    docs_url = "https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude"
    supports_list_models = False
    supports_batch = False
    supports_count_tokens = True
    capability_notes: ClassVar[dict[str, str]] = {
        "batch": (
            "Anthropic's Message Batches API is not served on Vertex AI; Vertex batch prediction jobs read their "
            "input from Cloud Storage or BigQuery (create them with gcloud or the console), or use the anthropic "
            "provider's batch() with an Anthropic API key"
        ),
        "list_models": "Vertex AI lists partner models through its Model Garden API, not this endpoint",
    }
    client_options: ClassVar[frozenset[str]] = OPTIONS
    default_location: ClassVar[str] = "us-east5"

    def __init__(self, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
        Provider.__init__(self, api_key, api_base)
        self.vertex = VertexSettings(
            self.name,
            self.default_location,
            project_env=("ANTHROPIC_VERTEX_PROJECT_ID", "VERTEXAI_PROJECT", "GOOGLE_CLOUD_PROJECT"),
            location_env=("CLOUD_ML_REGION", "VERTEXAI_LOCATION", "GOOGLE_CLOUD_LOCATION"),
        )
        self.vertex.configure(options)  # project, location, credentials from client_args

    def auth_headers(self) -> dict[str, str]:
        # a ready access token given as api_key; otherwise the token flow authenticates
        return {"Authorization": f"Bearer {self.api_key.get()}"} if self.api_key else {}

    def token_auth(self) -> TokenAuth | None:
        return None if self.api_key is not None else self.vertex.auth()[0]

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        body = self.build_body(params)
        del body["model"]
        body["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        method = "streamRawPredict" if params.stream else "rawPredict"
        url = f"{self.vertex.model_path(self.api_base, 'anthropic', params.model)}:{method}"
        return HTTPRequest("POST", url, json=body, stream=bool(params.stream))

    def build_count_tokens_request(self, params: CompletionParams) -> HTTPRequest:
        """The anthropic plugin's count_tokens body (model included: the endpoint is shared by every Claude
        model), the version in the body instead of a header, sent to ``count-tokens:rawPredict``."""
        request = super().build_count_tokens_request(params)
        payload = dict(request.json)
        payload["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        url = f"{self.vertex.model_path(self.api_base, 'anthropic', 'count-tokens')}:rawPredict"
        return HTTPRequest("POST", url, json=payload)

    def build_messages_request(self, body: dict[str, Any]) -> HTTPRequest:
        """``messages()`` sent natively, Vertex's way: the model in the URL, the version (and any betas)
        in the body."""
        request = super().build_messages_request(body)
        payload = dict(request.json)
        model = payload.pop("model", None)
        if not isinstance(model, str) or not model:
            raise errors.ConfigurationError("messages() needs a model", provider=self.name)
        payload["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        request.headers.pop("anthropic-version", None)
        betas = request.headers.pop("anthropic-beta", None)
        if betas:
            payload["anthropic_beta"] = betas.split(",")
        method = "streamRawPredict" if payload.get("stream") else "rawPredict"
        request.url = f"{self.vertex.model_path(self.api_base, 'anthropic', model)}:{method}"
        request.json = payload
        return request

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        raise errors.UnsupportedCapabilityError("list_models", self.name)


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(VertexaianthropicProvider)
