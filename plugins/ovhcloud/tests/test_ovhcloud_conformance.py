"""The ovhcloud plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_ovhcloud import OvhcloudProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestOvhcloudConformance(OpenAICompatibleConformance):
    provider_class = OvhcloudProvider
