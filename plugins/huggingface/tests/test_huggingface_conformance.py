"""The huggingface plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_huggingface import HuggingfaceProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestHuggingfaceConformance(OpenAICompatibleConformance):
    provider_class = HuggingfaceProvider
