"""The meta plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_meta import MetaProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestMetaConformance(OpenAICompatibleConformance):
    provider_class = MetaProvider
