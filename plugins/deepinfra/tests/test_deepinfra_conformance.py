"""The deepinfra plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_deepinfra import DeepinfraProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestDeepinfraConformance(OpenAICompatibleConformance):
    provider_class = DeepinfraProvider
