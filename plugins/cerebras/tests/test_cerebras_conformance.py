"""The cerebras plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_cerebras import CerebrasProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestCerebrasConformance(OpenAICompatibleConformance):
    provider_class = CerebrasProvider
