"""The voyage plugin through the conformance kit: every chat scenario is a declared gap, refused before
sending; the embedding, key-from-env and list_models checks run against Voyage-shaped answers."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from anyllm_voyage import VoyageProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import EMBEDDINGS, ProviderConformance
from any_llm.testing.families import RERANK_ORDER, RERANK_SCORES

VOYAGE_EMBEDDINGS = {
    "object": "list",
    "data": [{"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(EMBEDDINGS)],
    "model": "test-model",
    "usage": {"total_tokens": 2},
}


SPEC = Path(__file__).parent / "spec" / "voyage-openapi.json"


class TestVoyageConformance(ProviderConformance):
    provider_class = VoyageProvider
    base_path = "/v1"
    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = {"rerank": (SPEC, "RerankRequest")}

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario == "embedding":
            return Reply.json(VOYAGE_EMBEDDINGS)
        if scenario == "rerank":  # https://docs.voyageai.com/reference/reranker-api, canonical values
            ranked = [{"relevance_score": s, "index": i} for i, s in zip(RERANK_ORDER, RERANK_SCORES)]
            return Reply.json({"object": "list", "data": ranked, "model": "rerank-2", "usage": {"total_tokens": 26}})
        raise AssertionError(f"voyage declares no chat, so the kit must not ask for {scenario!r}")
