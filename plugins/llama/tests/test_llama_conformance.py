"""The llama plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_llama import LlamaProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestLlamaConformance(OpenAICompatibleConformance):
    provider_class = LlamaProvider
