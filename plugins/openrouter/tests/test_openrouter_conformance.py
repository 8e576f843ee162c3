"""The openrouter plugin passes the conformance kit with OpenAI-shaped answers and its model list."""

from anyllm_openrouter import OpenrouterProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import MODEL_IDS, OpenAICompatibleConformance


class TestOpenrouterConformance(OpenAICompatibleConformance):
    provider_class = OpenrouterProvider

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario == "list_models":  # entries carry no "object" or "owned_by"
            return Reply.json(
                {"data": [{"id": m, "name": m, "created": 1744651381, "context_length": 8192} for m in MODEL_IDS]}
            )
        return super().exchange(scenario)
