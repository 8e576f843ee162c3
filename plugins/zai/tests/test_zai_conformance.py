"""The zai plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_zai import ZaiProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestZaiConformance(OpenAICompatibleConformance):
    provider_class = ZaiProvider
