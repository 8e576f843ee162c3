"""The moonshot plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_moonshot import MoonshotProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestMoonshotConformance(OpenAICompatibleConformance):
    provider_class = MoonshotProvider
