"""The cascadia plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_cascadia import CascadiaProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestCascadiaConformance(OpenAICompatibleConformance):
    provider_class = CascadiaProvider
