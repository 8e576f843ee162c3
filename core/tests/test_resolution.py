"""Model strings, provider resolution, keys and base URLs."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from any_llm import LLMProvider, completion
from any_llm.api import split_model
from any_llm.client import AnyLLM
from any_llm.errors import ConfigurationError, MissingApiKeyError, UnsupportedProviderError
from any_llm.testing import MockServer, Reply


@pytest.mark.parametrize(
    ("model", "provider", "expected"),
    [
        ("gpt-4", "openai", ("openai", "gpt-4")),
        ("gpt-4", "OpenAI", ("openai", "gpt-4")),
        ("gpt-4", LLMProvider.OPENAI, ("openai", "gpt-4")),
        ("openai:gpt-4", None, ("openai", "gpt-4")),
        ("ollama:llama3:8b", None, ("ollama", "llama3:8b")),
        ("meta-llama/Llama-3-8B", "together", ("together", "meta-llama/Llama-3-8B")),
        ("openrouter:meta-llama/llama-3", None, ("openrouter", "meta-llama/llama-3")),
        ("llama3:8b", "ollama", ("ollama", "llama3:8b")),
    ],
)
def test_split_model(model: str, provider: object, expected: tuple[str, str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert split_model(model, provider) == expected


def test_legacy_slash_form_warns() -> None:
    with pytest.warns(DeprecationWarning, match="provider/model"):
        assert split_model("mistral/mistral-small") == ("mistral", "mistral-small")


@pytest.mark.parametrize("model", ["gpt-4", "", ":x", "x:"])
def test_model_without_provider_is_a_value_error(model: str) -> None:
    with pytest.raises(ValueError, match="provider|non-empty") as info:
        split_model(model)
    assert isinstance(info.value, ConfigurationError)


def test_unknown_first_party_provider_says_what_to_install() -> None:
    with pytest.raises(UnsupportedProviderError) as info:
        completion(model="x", provider="definitely-not-installed", messages=[{"role": "user", "content": "x"}])
    assert "definitely-not-installed" in str(info.value)
    assert "openai" in info.value.supported_providers
    with pytest.raises(UnsupportedProviderError, match="pip install anyllm-mistral"), _only_openai():
        completion(model="x", provider="mistral", messages=[{"role": "user", "content": "x"}])


class _only_openai:
    """Restrict discovery to anyllm-openai for one block."""

    def __enter__(self) -> None:
        import os

        from any_llm import plugins

        self._old = os.environ.get("ANYLLM_PLUGINS")
        os.environ["ANYLLM_PLUGINS"] = "anyllm-openai"
        plugins.reset()

    def __exit__(self, *exc: object) -> None:
        import os

        from any_llm import plugins

        if self._old is None:
            os.environ.pop("ANYLLM_PLUGINS", None)
        else:
            os.environ["ANYLLM_PLUGINS"] = self._old
        plugins.reset()


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingApiKeyError, match="OPENAI_API_KEY"):
        completion(model="gpt-4", provider="openai", messages=[{"role": "user", "content": "x"}])


def test_key_and_base_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with MockServer() as server:
        server.queue(
            Reply.json(
                {
                    "id": "1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "m",
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
                    ],
                }
            )
        )
        monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-123456")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v9")
        out = completion(model="m", provider="openai", messages=[{"role": "user", "content": "x"}])
        assert out.choices[0].message.content == "hi"
        assert server.requests[0].path == "/v9/chat/completions"
        assert server.requests[0].headers["authorization"] == "Bearer sk-from-env-123456"


@pytest.mark.parametrize("base", ["localhost:8080/v1", "ftp://x", ""])
def test_api_base_needs_a_scheme(base: str) -> None:
    with pytest.raises(ConfigurationError, match="http:// or https://"):
        AnyLLM.create("openai", api_key="sk-123456789", api_base=base)


def test_unknown_client_args_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown client_args.*bogus"):
        AnyLLM.create("openai", api_key="sk-123456789", bogus=1)


def test_session_label_is_deprecated_and_ignored(mock_server: MockServer) -> None:
    mock_server.queue(
        Reply.json(
            {
                "id": "1",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
            }
        )
    )
    with pytest.warns(DeprecationWarning, match="session_label"):
        completion(
            model="m",
            provider="openai",
            api_key="sk-123456789",
            api_base=mock_server.url,
            session_label="x",
            messages=[{"role": "user", "content": "x"}],
        )
    assert "session_label" not in mock_server.requests[0].json


def test_create_openai_compatible_reports_its_name(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json({"error": {"message": "no such model", "type": "invalid_request_error"}}, 404))
    client = AnyLLM.create_openai_compatible("my-gateway", api_base=mock_server.url + "/v1")
    from any_llm.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError) as info:
        client.completion("m", [{"role": "user", "content": "x"}])
    assert info.value.provider == "my-gateway"
    assert "authorization" not in mock_server.requests[0].headers
    client.close()


def test_single_token_limit_refuses_both_limits() -> None:
    from any_llm.params import build_params
    from any_llm.provider import Provider

    class One(Provider):
        name = "one-limit"
        single_token_limit = True

    both = build_params("m", [{"role": "user", "content": "x"}], {"max_tokens": 5, "max_completion_tokens": 6}, {})
    with pytest.raises(ConfigurationError, match="not both"):
        One().check_params(both)
    One().check_params(build_params("m", [{"role": "user", "content": "x"}], {"max_tokens": 5}, {}))
    type("Two", (Provider,), {"name": "two"})().check_params(both)  # the flag is opt-in
    same = build_params("m", [{"role": "user", "content": "x"}], {"max_tokens": 5, "max_completion_tokens": 5}, {})
    One().check_params(same)  # one value given twice is not a conflict


def test_params_give_the_output_limit_and_stop_as_a_list() -> None:
    from any_llm.params import build_params
    from any_llm.provider import CompletionParams

    def made(**given: object) -> CompletionParams:
        return build_params("m", [{"role": "user", "content": "x"}], given, {})

    assert made(max_tokens=5).output_limit == 5
    assert made(max_tokens=5, max_completion_tokens=7).output_limit == 7
    assert made().output_limit is None
    assert made(stop="END").stop_sequences == ["END"]
    assert made(stop=["a", "b"]).stop_sequences == ["a", "b"]
    assert made().stop_sequences is None


def test_declared_tool_choices_are_checked_by_core() -> None:
    from any_llm.errors import UnsupportedParameterError
    from any_llm.params import build_params
    from any_llm.provider import Provider

    class AutoOnly(Provider):
        name = "auto-only"
        display_name = "AutoOnly"
        tool_choices = frozenset({"auto", "none"})
        named_tool_choice = False

    def made(choice: object) -> Any:
        return build_params("m", [{"role": "user", "content": "x"}], {"tool_choice": choice}, {})

    AutoOnly().check_params(made("auto"))
    with pytest.raises(UnsupportedParameterError, match='AutoOnly takes "auto" or "none", got \'required\''):
        AutoOnly().check_params(made("required"))
    named = {"type": "function", "function": {"name": "f"}}
    with pytest.raises(UnsupportedParameterError, match="no named tool"):
        AutoOnly().check_params(made(named))
    forcing = type("Forcing", (AutoOnly,), {"name": "forcing", "named_tool_choice": True})
    forcing().check_params(made(named))
    with pytest.raises(UnsupportedParameterError, match=r'or \{"type": "function"'):
        forcing().check_params(made("required"))
    type("Open", (Provider,), {"name": "open"})().check_params(made("required"))  # no declaration: all pass
