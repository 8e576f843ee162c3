"""The mzai plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_mzai import MzaiProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestMzaiConformance(OpenAICompatibleConformance):
    provider_class = MzaiProvider
