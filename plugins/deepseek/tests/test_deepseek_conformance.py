"""The deepseek plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_deepseek import DeepseekProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestDeepseekConformance(OpenAICompatibleConformance):
    provider_class = DeepseekProvider
