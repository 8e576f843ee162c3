"""The groq plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_groq import GroqProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestGroqConformance(OpenAICompatibleConformance):
    provider_class = GroqProvider
