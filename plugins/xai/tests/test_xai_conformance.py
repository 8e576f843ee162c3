"""The xai plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_xai import XaiProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestXaiConformance(OpenAICompatibleConformance):
    provider_class = XaiProvider
