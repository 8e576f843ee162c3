"""azure specifics: api-version, the extra-parameters header, key headers and Entra ID."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from anyllm_azure import AzureProvider

from any_llm import AnyLLM, errors, plugins
from any_llm.params import build_params
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MESSAGES, TEXT, completion_json
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "azure-model-inference.json"


@pytest.fixture(autouse=True)
def no_ambient(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_API_KEY", "AZURE_OPENAI_AD_TOKEN", "AZURE_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(sys.modules, "azure.identity", None)


def request(**args: Any) -> Any:
    extra = args.pop("extra", {})
    provider = AzureProvider(api_key="azure-key-0123456789", api_base="https://r.services.ai.azure.com/models")
    return provider.build_completion_request(build_params("Mistral-Large-2411", MESSAGES, args, extra))


def test_documented_fields_need_no_pass_through() -> None:
    r = request(temperature=0.2, max_tokens=10, seed=1, stop=["x"])
    assert r.params == {"api-version": "2024-05-01-preview"}
    assert "extra-parameters" not in r.headers
    assert not schema_errors(SPEC, "ChatCompletionsOptions", r.json)


@pytest.mark.parametrize("args", [{"n": 2}, {"logprobs": True}, {"extra": {"safe_prompt": True}}])
def test_other_fields_are_passed_through_not_dropped(args: dict[str, Any]) -> None:
    r = request(**args)
    assert r.headers["extra-parameters"] == "pass-through"


def test_api_version_per_call_and_option() -> None:
    assert request(extra={"api_version": "2025-01-01"}).params == {"api-version": "2025-01-01"}
    provider = AzureProvider(
        api_key="azure-key-0123456789", api_base="https://x.invalid", api_version="2024-08-01-preview"
    )
    assert provider.build_completion_request(build_params("m", MESSAGES, {}, {})).params == {
        "api-version": "2024-08-01-preview"
    }


def test_key_headers_and_entra_bearer() -> None:
    with plugins.registered(AzureProvider), MockServer() as server:
        server.queue(*[Reply.json(completion_json({"role": "assistant", "content": TEXT}))] * 2)
        with AnyLLM.create("azure", api_key="azure-key-0123456789", api_base=server.url) as client:
            client.completion("m", MESSAGES)
        with AnyLLM.create(
            "azure", api_base=server.url, azure_ad_token_provider=lambda: "entra-token-000007"
        ) as client:
            client.completion("m", MESSAGES)
    keyed, entra = server.requests
    assert keyed.headers["api-key"] == "azure-key-0123456789"
    assert keyed.headers["authorization"] == "Bearer azure-key-0123456789"
    assert entra.headers["authorization"] == "Bearer entra-token-000007" and "api-key" not in entra.headers
    assert entra.path == "/chat/completions?api-version=2024-05-01-preview"


def test_missing_credentials() -> None:
    with plugins.registered(AzureProvider), pytest.raises(errors.MissingApiKeyError, match="AZURE_API_KEY"):
        AnyLLM.create("azure", api_base="https://x.invalid")
