"""The azure plugin passes the conformance kit with the model inference API's (OpenAI-shaped) answers;
request bodies validate against a trimmed ChatCompletionsOptions schema (spec/README.md)."""

from __future__ import annotations

from pathlib import Path

from anyllm_azure import AzureProvider

from any_llm.testing.conformance import OpenAICompatibleConformance

SPEC = Path(__file__).parent / "spec" / "azure-model-inference.json"


class TestAzureConformance(OpenAICompatibleConformance):
    provider_class = AzureProvider
    base_path = "/models"
    request_schema = (SPEC, "ChatCompletionsOptions")
