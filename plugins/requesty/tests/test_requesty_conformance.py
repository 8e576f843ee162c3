"""The requesty plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_requesty import RequestyProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestRequestyConformance(OpenAICompatibleConformance):
    provider_class = RequestyProvider
