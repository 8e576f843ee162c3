"""The dashscope plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_dashscope import DashscopeProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestDashscopeConformance(OpenAICompatibleConformance):
    provider_class = DashscopeProvider
