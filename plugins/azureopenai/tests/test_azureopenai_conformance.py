"""The azureopenai plugin passes the conformance kit with OpenAI-shaped answers."""

from pathlib import Path
from typing import ClassVar

from anyllm_azureopenai import AzureopenaiProvider

from any_llm.testing.conformance import OpenAICompatibleConformance
from any_llm.testing.families import OPENAI_FAMILY_SCHEMAS


class TestAzureopenaiConformance(OpenAICompatibleConformance):
    provider_class = AzureopenaiProvider
    base_path = ""
    """The endpoint is the resource root; the provider adds ``/openai/deployments/<model>/...``."""
    family_request_schemas: ClassVar[dict[str, tuple[str | Path, str]]] = {
        k: v for k, v in OPENAI_FAMILY_SCHEMAS.items() if k != "batch"
    }
    """Azure writes a batch's endpoint ``/chat/completions``, which OpenAI's CreateBatchRequest enum lacks
    (test_azureopenai_families checks that body)."""
