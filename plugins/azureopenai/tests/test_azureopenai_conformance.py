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


def test_responses_go_to_the_v1_route_with_the_deployment_in_the_body() -> None:
    from any_llm import plugins
    from any_llm.client import AnyLLM
    from any_llm.testing import MockServer
    from any_llm.testing.api_conformance import openai_responses_exchanges

    with plugins.registered(AzureopenaiProvider), MockServer() as server:
        server.queue(openai_responses_exchanges()["plain"])  # type: ignore[arg-type]
        client = AnyLLM.create("azureopenai", api_key="azure-key-1", api_base=server.url + "/openai", max_retries=0)
        answer = client.responses("my-deployment", "Hi")
        client.close()
    request = server.requests[0]
    assert request.path == "/openai/v1/responses"  # no api-version on the v1 route
    assert request.headers["api-key"] == "azure-key-1" and "authorization" not in request.headers
    assert request.json["model"] == "my-deployment"
    assert answer.output_text == "The capital of France is Paris."
