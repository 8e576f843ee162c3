"""The azureopenai plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_azureopenai import AzureopenaiProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestAzureopenaiConformance(OpenAICompatibleConformance):
    provider_class = AzureopenaiProvider
    base_path = ""
    """The endpoint is the resource root; the provider adds ``/openai/deployments/<model>/...``."""
