"""The fireworks plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_fireworks import FireworksProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestFireworksConformance(OpenAICompatibleConformance):
    provider_class = FireworksProvider
