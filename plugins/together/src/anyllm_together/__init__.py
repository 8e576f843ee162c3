"""Together AI (api.together.xyz/v1) for anyllm: chat, embeddings and models, OpenAI's protocol.

Quirks (https://docs.together.ai/docs/openai-api-compatibility, /reference/models-1):
- ``GET /models`` answers with a bare JSON array, not ``{"data": [...]}`` (the core accepts both);
- reasoning models answer with ``message.reasoning`` or ``<think>`` in the content; the core lifts both;
- ``POST /v1/rerank`` (https://docs.together.ai/reference/rerank) takes Cohere's fields (no
  ``max_tokens_per_doc``) and answers ``results`` of index + relevance_score;
- batches take OpenAI's JSONL, uploaded to ``/v1/files/upload``; jobs map onto OpenAI's ``Batch``
  (:mod:`anyllm_together._batch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.provider import HTTPRequest
from anyllm_together import _batch

if TYPE_CHECKING:
    from any_llm.families.flow import Flow
    from any_llm.types.batch import Batch
    from any_llm.uploads import FilePart

__all__ = ["TogetherProvider"]


class TogetherProvider(OpenAICompatibleProvider):
    """Together AI's OpenAI-compatible endpoint."""

    name = "together"
    display_name = "Together AI"
    api_key_env = ("TOGETHER_API_KEY",)
    api_base_env = ("TOGETHER_API_BASE",)
    default_api_base = "https://api.together.xyz/v1"
    docs_url = "https://docs.together.ai/docs/openai-api-compatibility"
    supports_reasoning = True
    supports_images = True
    supports_embedding = True
    supports_list_models = True
    supports_rerank = True
    supports_batch = True
    batch_file_purpose = "batch-api"
    batch_endpoints: ClassVar[frozenset[str]] = frozenset({"/v1/chat/completions", "/v1/completions"})

    def build_upload_file_request(self, file: FilePart, purpose: str, extra: dict[str, Any]) -> HTTPRequest:
        """``/v1/files/upload`` also wants the name and type as fields."""
        fields = {"file_name": file.filename, "file_type": "jsonl", **extra}
        request = super().build_upload_file_request(file, purpose, fields)
        request.url = "files/upload"
        return request

    def parse_batch(self, body: bytes) -> Batch:
        return _batch.batch_from_job(body, self.name)

    def list_batches_flow(self, after: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[Batch]]:
        """One answer holds every job (no pages); ``after`` and ``limit`` are applied here."""
        answer = yield HTTPRequest("GET", self.batches_path, params={k: str(v) for k, v in extra.items()} or None)
        batches = _batch.batches_from_list(answer.content, self.name)
        if after is not None:
            ids = [b.id for b in batches]
            batches = batches[ids.index(after) + 1 :] if after in ids else []
        return batches[:limit] if limit is not None else batches


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(TogetherProvider)
