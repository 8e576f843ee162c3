"""The portkey plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_portkey import PortkeyProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestPortkeyConformance(OpenAICompatibleConformance):
    provider_class = PortkeyProvider
