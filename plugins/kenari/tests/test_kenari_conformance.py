"""The kenari plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_kenari import KenariProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestKenariConformance(OpenAICompatibleConformance):
    provider_class = KenariProvider
