"""The neosantara plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_neosantara import NeosantaraProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestNeosantaraConformance(OpenAICompatibleConformance):
    provider_class = NeosantaraProvider
