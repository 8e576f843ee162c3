"""The inception plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_inception import InceptionProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestInceptionConformance(OpenAICompatibleConformance):
    provider_class = InceptionProvider
