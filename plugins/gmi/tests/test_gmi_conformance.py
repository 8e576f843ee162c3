"""The gmi plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_gmi import GmiProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestGmiConformance(OpenAICompatibleConformance):
    provider_class = GmiProvider
