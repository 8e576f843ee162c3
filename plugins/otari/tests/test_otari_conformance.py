"""The otari plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_otari import OtariProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestOtariConformance(OpenAICompatibleConformance):
    provider_class = OtariProvider
