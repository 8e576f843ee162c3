"""The nebius plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_nebius import NebiusProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestNebiusConformance(OpenAICompatibleConformance):
    provider_class = NebiusProvider
