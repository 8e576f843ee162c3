"""GitHub Models (models.github.ai/inference) for anyllm: chat and embeddings with a GitHub token.

Quirks (https://docs.github.com/en/rest/models, any-llm's github provider):
- only ``max_tokens`` exists, so ``max_completion_tokens`` is sent under that name;
- the model list is GitHub's catalog at ``/catalog/models`` on the same host (outside the inference
  path), a bare JSON array whose entries name their ``publisher`` (read as ``owned_by``).
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import HTTPRequest
from any_llm.types.model import Model
from any_llm.wire import loads

__all__ = ["GithubProvider"]

CATALOG_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GithubProvider(OpenAICompatibleProvider):
    """GitHub Models' OpenAI-compatible inference API."""

    name = "github"
    display_name = "GitHub Models"
    api_key_env = ("GITHUB_TOKEN",)
    api_base_env = ("GITHUB_MODELS_API_BASE",)
    default_api_base = "https://models.github.ai/inference"
    docs_url = "https://docs.github.com/en/rest/models/inference"
    supports_embedding = True
    supports_list_models = True
    param_renames: ClassVar[dict[str, str]] = {"max_completion_tokens": "max_tokens"}

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        base = urlsplit(self.api_base)
        return HTTPRequest(
            "GET",
            f"{base.scheme}://{base.netloc}/catalog/models",
            headers=dict(CATALOG_HEADERS),
            params={k: str(v) for k, v in extra.items()} or None,
        )

    def parse_list_models(self, body: bytes) -> list[Model]:
        items = loads(body, self.name)
        if not isinstance(items, list):
            raise errors.ResponseValidationError(
                f"{self.name} catalog is not a JSON array", provider=self.name, body=body.decode("utf-8", "replace")
            )
        return [
            Model.model_validate(
                {
                    **{k: v for k, v in item.items() if k not in ("object", "created")},
                    "owned_by": str(item.get("publisher") or ""),
                }
            )
            for item in items
            if isinstance(item, dict) and item.get("id")
        ]


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(GithubProvider)
