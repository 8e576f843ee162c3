"""The databricks plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_databricks import DatabricksProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestDatabricksConformance(OpenAICompatibleConformance):
    provider_class = DatabricksProvider
    base_path = ""
    """The base URL is the workspace URL; the provider adds ``/serving-endpoints``."""
