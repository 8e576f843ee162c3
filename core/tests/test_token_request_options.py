"""Two small core declarations: a TokenRequest's own timeout, retry limit and raw body (what a credential
library whose requests core sends needs), and ``capability_notes`` (why a capability is declared off)."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import pytest

from any_llm import AnyLLM, errors, plugins
from any_llm.auth import Token, TokenAuth, TokenFlow, TokenRequest
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import MESSAGES, TEXT, completion_json


class RawAuth(TokenAuth):
    def __init__(self, url: str, **request: Any) -> None:
        self.url, self.request = url, request

    def token_flow(self) -> TokenFlow:
        answer = yield TokenRequest("POST", self.url, **self.request)
        return answer.oauth_token("rawtoken", "the test")


class RawTokenProvider(OpenAICompatibleProvider):
    name = "rawtoken"
    display_name = "Raw token test"
    api_key_env = ()
    requires_api_key = False
    default_api_base = ""
    supports_embedding = False
    capability_notes: ClassVar[dict[str, str]] = {"embedding": "this test provider only chats; use another one"}
    client_options: ClassVar[frozenset[str]] = frozenset({"token_url", "request"})

    def __init__(self, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
        super().__init__(api_key, api_base)
        self.token_url = options.get("token_url", "")
        self.request_options = options.get("request", {})

    def token_auth(self) -> TokenAuth | None:
        return RawAuth(self.token_url, **self.request_options)


def _client(token: MockServer, api: MockServer, **request: Any) -> AnyLLM:
    return AnyLLM.create(
        "rawtoken", api_base=api.url, max_retries=2, token_url=token.url + "/token", request=request, timeout=5.0
    )


def test_raw_content_is_sent_as_given() -> None:
    with MockServer() as token, MockServer() as api, plugins.registered(RawTokenProvider):
        token.queue(Reply.json({"access_token": "raw-token-0001", "expires_in": 3600}))
        api.queue(Reply.json(completion_json({"role": "assistant", "content": TEXT})))
        body = b"grant_type=client_credentials&scope=a%20b"
        with _client(token, api, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}) as c:
            assert c.completion("m", MESSAGES).choices[0].message.content == TEXT
        assert token.requests[0].body == body
        assert api.requests[0].headers["authorization"] == "Bearer raw-token-0001"


def test_a_token_requests_own_timeout_and_retry_limit_win() -> None:
    """The client allows 5 s and 2 retries; the token request asks for 0.3 s and none: one attempt, fast."""
    with MockServer() as token, MockServer() as api, plugins.registered(RawTokenProvider):
        token.queue(*[Reply(fault="hang")] * 3)
        start = time.monotonic()
        with (
            _client(token, api, form={"a": "b"}, timeout=0.3, max_retries=0) as c,
            pytest.raises(errors.APITimeoutError),
        ):
            c.completion("m", MESSAGES)
        assert time.monotonic() - start < 2.0
        assert len(token.requests) == 1 and api.requests == []


def test_capability_notes_say_why_before_sending() -> None:
    with MockServer() as api, plugins.registered(RawTokenProvider):
        with AnyLLM.create("rawtoken", api_base=api.url) as c, pytest.raises(errors.UnsupportedCapabilityError) as info:
            c.embedding("m", ["a"])
        assert str(info.value).startswith("rawtoken does not support embedding: this test provider only chats")
        assert info.value.capability == "embedding" and api.requests == []
    assert "count_tokens: " not in str(errors.UnsupportedCapabilityError.declared(RawTokenProvider, "count_tokens"))


def test_token_value_is_not_in_the_request_repr() -> None:
    request = TokenRequest("POST", "https://t.example/token", content=b"secret=abc", timeout=1.0, max_retries=0)
    assert "abc" not in repr(request)
    assert Token("x-token-value").value == "x-token-value"
