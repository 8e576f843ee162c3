"""The sambanova plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_sambanova import SambanovaProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestSambanovaConformance(OpenAICompatibleConformance):
    provider_class = SambanovaProvider
