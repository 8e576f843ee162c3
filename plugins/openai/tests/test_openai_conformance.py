"""The openai plugin passes the conformance kit every plugin must pass."""

from anyllm_openai import OpenAIProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestOpenAIConformance(OpenAICompatibleConformance):
    provider_class = OpenAIProvider
