"""The github plugin passes the conformance kit with OpenAI-shaped answers and its catalog."""

from anyllm_github import GithubProvider

from any_llm.testing import Reply
from any_llm.testing.conformance import MODEL_IDS, OpenAICompatibleConformance


class TestGithubConformance(OpenAICompatibleConformance):
    provider_class = GithubProvider

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario == "list_models":  # GET /catalog/models answers a bare array naming each publisher
            return Reply.json([{"id": m, "name": m, "publisher": "kit", "registry": "azureml"} for m in MODEL_IDS])
        return super().exchange(scenario)
