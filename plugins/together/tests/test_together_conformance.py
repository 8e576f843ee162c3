"""The together plugin passes the conformance kit with OpenAI-shaped answers and its model list."""

from anyllm_together import TogetherProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import MODEL_IDS, OpenAICompatibleConformance


class TestTogetherConformance(OpenAICompatibleConformance):
    provider_class = TogetherProvider

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario == "list_models":  # GET /models answers a bare array, not {"data": [...]}
            return Reply.json([{"id": m, "object": "model", "created": 1733443200, "type": "chat"} for m in MODEL_IDS])
        return super().exchange(scenario)
