"""The edenai plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_edenai import EdenaiProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestEdenaiConformance(OpenAICompatibleConformance):
    provider_class = EdenaiProvider
