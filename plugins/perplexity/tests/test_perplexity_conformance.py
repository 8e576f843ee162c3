"""The perplexity plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_perplexity import PerplexityProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestPerplexityConformance(OpenAICompatibleConformance):
    provider_class = PerplexityProvider
