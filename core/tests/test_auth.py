"""Token auth flows (any_llm.auth) through the real transport against local token and API servers.

The token server issues numbered tokens with a chosen lifetime and counts requests; the API server
accepts only tokens it has not revoked. Together they check the cache, refresh before expiry, single
flight across 20 threads and 20 asyncio tasks, the one refresh + one resend on a 401, and that no
token or key reaches a log line, error or repr.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import pytest

from any_llm import errors, plugins
from any_llm.auth import CallableTokenAuth, Token, TokenAuth, TokenFlow, TokenRequest, token_endpoint_error
from any_llm.client import AnyLLM
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import completion_json

KEY = "sk-auth-test-key-0123456789"
MESSAGES = [{"role": "user", "content": "hi"}]


class TokenServer:
    """Issues ``tok-<n>-<secret>`` tokens living ``expires_in`` seconds, after ``delay`` seconds."""

    def __init__(self, expires_in: float = 3600.0, delay: float = 0.0) -> None:
        self.expires_in = expires_in
        self.delay = delay
        self.issued: list[str] = []
        self.forms: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self.server = MockServer(self.handle)

    def handle(self, request: Any) -> Reply:
        form = dict(parse_qsl(request.body.decode()))
        with self._lock:
            self.forms.append(form)
            if form.get("apikey") != KEY:
                return Reply.json({"error": "invalid_grant", "error_description": "unknown API key"}, status=400)
            token = f"tok-{len(self.issued) + 1}-Zq8vX31kP0"
            self.issued.append(token)
        reply = Reply.json({"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in})
        reply.delay = self.delay
        return reply


class ApiServer:
    """An OpenAI-style API accepting the token server's tokens unless revoked."""

    def __init__(self, tokens: TokenServer) -> None:
        self.tokens = tokens
        self.revoked: set[str] = set()
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self.server = MockServer(self.handle)

    def handle(self, request: Any) -> Reply:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        with self._lock:
            self.seen.append(token)
        if token not in self.tokens.issued or token in self.revoked:
            return Reply.json({"error": {"message": "token expired or invalid", "code": "unauthorized"}}, status=401)
        return Reply.json(completion_json({"role": "assistant", "content": "hello"}))


class ExchangeAuth(TokenAuth):
    """The shape of an API-key → bearer exchange (IBM IAM's), with the endpoint under test."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key

    def token_flow(self) -> TokenFlow:
        response = yield TokenRequest("POST", self.url, form={"grant_type": "apikey", "apikey": self.key})
        if response.status_code != 200:
            raise token_endpoint_error("tokentest", response, "the API key")
        data = response.json_object("tokentest")
        return Token(data["access_token"], expires_in=data.get("expires_in"))


class TokenTestProvider(OpenAICompatibleProvider):
    name = "tokentest"
    display_name = "Token test"
    api_key_env = ("TOKENTEST_API_KEY",)
    default_api_base = ""
    client_options: ClassVar[frozenset[str]] = frozenset({"token_url", "token_provider"})

    def __init__(
        self, api_key: str | None = None, api_base: str | None = None, token_url: str = "", token_provider: Any = None
    ) -> None:
        super().__init__(api_key, api_base)
        self.token_url = token_url
        self.token_provider = token_provider

    def auth_headers(self) -> dict[str, str]:
        return {}

    def token_auth(self) -> TokenAuth | None:
        if self.token_provider is not None:
            return CallableTokenAuth(self.token_provider, what="token_provider")
        assert self.api_key is not None
        return ExchangeAuth(self.token_url, self.api_key.get())


@pytest.fixture
def servers() -> Iterator[tuple[TokenServer, ApiServer]]:
    tokens = TokenServer()
    api = ApiServer(tokens)
    with tokens.server, api.server, plugins.registered(TokenTestProvider):
        yield tokens, api


def make_client(tokens: TokenServer, api: ApiServer, **kw: Any) -> AnyLLM:
    kw.setdefault("token_url", tokens.server.url + "/token")
    return AnyLLM.create("tokentest", api_key=KEY, api_base=api.server.url, max_retries=0, **kw)


def text(result: Any) -> str:
    return str(result.choices[0].message.content)


def test_token_is_fetched_once_and_reused(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    with make_client(tokens, api) as client:
        for _ in range(3):
            assert text(client.completion("m", MESSAGES)) == "hello"
        assert asyncio.run(client.acompletion("m", MESSAGES)).choices[0].message.content == "hello"
    assert len(tokens.issued) == 1
    assert api.seen == [tokens.issued[0]] * 4
    assert tokens.forms[0] == {"grant_type": "apikey", "apikey": KEY}
    assert tokens.server.requests[0].headers["content-type"] == "application/x-www-form-urlencoded"


def test_token_is_refreshed_shortly_before_expiry(servers: tuple[TokenServer, ApiServer]) -> None:
    import time

    tokens, api = servers
    tokens.expires_in = 3.0  # counts as stale after 1.5 s (the margin is capped at half the lifetime)
    with make_client(tokens, api) as client:
        client.completion("m", MESSAGES)
        client.completion("m", MESSAGES)
        assert len(tokens.issued) == 1
        time.sleep(1.6)
        client.completion("m", MESSAGES)
    assert len(tokens.issued) == 2
    assert api.seen == [tokens.issued[0], tokens.issued[0], tokens.issued[1]]


def test_single_flight_across_20_threads(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    tokens.delay = 0.2  # every thread arrives while the one fetch is under way
    results: list[str] = []
    barrier = threading.Barrier(20)
    with make_client(tokens, api) as client:

        def call() -> None:
            barrier.wait()
            results.append(text(client.completion("m", MESSAGES)))

        threads = [threading.Thread(target=call) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert client.transport.tokens.fetches == 1
    assert results == ["hello"] * 20
    assert len(tokens.server.requests) == 1
    assert set(api.seen) == {tokens.issued[0]}


def test_single_flight_across_20_tasks(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    tokens.delay = 0.2
    client = make_client(tokens, api)

    async def main() -> list[Any]:
        return await asyncio.gather(*(client.acompletion("m", MESSAGES) for _ in range(20)))

    results = asyncio.run(main())
    client.close()
    assert [r.choices[0].message.content for r in results] == ["hello"] * 20
    assert len(tokens.server.requests) == 1
    assert len(api.seen) == 20


def test_single_flight_across_threads_and_loops_together(servers: tuple[TokenServer, ApiServer]) -> None:
    """Sync callers and tasks on two other loops share one fetch too."""
    tokens, api = servers
    tokens.delay = 0.3
    barrier = threading.Barrier(8)
    out: list[str] = []
    with make_client(tokens, api) as client:

        def sync_call() -> None:
            barrier.wait()
            out.append(text(client.completion("m", MESSAGES)))

        def loop_call() -> None:
            async def many() -> None:
                rs = await asyncio.gather(*(client.acompletion("m", MESSAGES) for _ in range(5)))
                out.extend(str(r.choices[0].message.content) for r in rs)

            barrier.wait()
            asyncio.run(many())

        threads = [threading.Thread(target=sync_call) for _ in range(6)]
        threads += [threading.Thread(target=loop_call) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert out == ["hello"] * 16
    assert len(tokens.server.requests) == 1


@pytest.mark.parametrize("use_async", [False, True])
def test_401_refreshes_once_and_resends_once(servers: tuple[TokenServer, ApiServer], use_async: bool) -> None:
    tokens, api = servers
    with make_client(tokens, api) as client:
        client.completion("m", MESSAGES)
        api.revoked.add(tokens.issued[0])  # the server stops accepting the cached token early
        result = asyncio.run(client.acompletion("m", MESSAGES)) if use_async else client.completion("m", MESSAGES)
        assert text(result) == "hello"
    assert len(tokens.issued) == 2
    assert api.seen == [tokens.issued[0], tokens.issued[0], tokens.issued[1]]


@pytest.mark.parametrize("use_async", [False, True])
def test_a_second_401_is_the_callers_error(servers: tuple[TokenServer, ApiServer], use_async: bool) -> None:
    tokens, api = servers
    api.handle = lambda request: (  # type: ignore[method-assign]
        api.seen.append(request.headers.get("authorization", "")),
        Reply.json({"error": {"message": "no access to this project"}}, status=401),
    )[1]
    api.server.handler = api.handle
    with make_client(tokens, api) as client:
        call = (
            (lambda: asyncio.run(client.acompletion("m", MESSAGES)))
            if use_async
            else (lambda: client.completion("m", MESSAGES))
        )
        with pytest.raises(errors.AuthenticationError):
            call()
    assert len(api.seen) == 2  # the first try and one resend, no loop
    assert len(tokens.issued) == 2


def test_20_concurrent_401s_refresh_once(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    client = make_client(tokens, api)
    client.completion("m", MESSAGES)
    api.revoked.add(tokens.issued[0])
    tokens.delay = 0.2

    async def main() -> list[Any]:
        return await asyncio.gather(*(client.acompletion("m", MESSAGES) for _ in range(20)))

    results = asyncio.run(main())
    client.close()
    assert len(results) == 20
    assert len(tokens.issued) == 2


def test_token_endpoint_refusal_is_a_typed_error_without_secrets(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    client = AnyLLM.create(
        "tokentest",
        api_key="sk-wrong-key-abcdefghijkl",
        api_base=api.server.url,
        max_retries=0,
        token_url=tokens.server.url + "/token",
    )
    with pytest.raises(errors.AuthenticationError) as info:
        client.completion("m", MESSAGES)
    client.close()
    assert "invalid_grant" in str(info.value) and "unknown API key" in str(info.value)
    assert "sk-wrong-key-abcdefghijkl" not in str(info.value) + repr(info.value)
    assert api.server.requests == []  # nothing was sent without a token


def test_unreachable_token_endpoint(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    client = make_client(tokens, api, token_url="http://127.0.0.1:9/token")
    with pytest.raises(errors.APIConnectionError, match="while fetching an access token"):
        client.completion("m", MESSAGES)
    client.close()


def test_token_endpoint_5xx_is_retried(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    tokens.server.queue(Reply.json({"error": "busy"}, status=503))
    client = AnyLLM.create(
        "tokentest", api_key=KEY, api_base=api.server.url, max_retries=1, token_url=tokens.server.url + "/token"
    )
    assert text(client.completion("m", MESSAGES)) == "hello"
    client.close()
    assert len(tokens.server.requests) == 2


def test_no_token_or_key_in_logs_errors_or_reprs(
    servers: tuple[TokenServer, ApiServer], caplog: pytest.LogCaptureFixture
) -> None:
    tokens, api = servers
    caplog.set_level(logging.DEBUG)
    for name in ("any_llm", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test (a level left at DEBUG
        # makes every later test's captured log hold each call's records)
    with make_client(tokens, api) as client:
        client.completion("m", MESSAGES)
        api.revoked.add(tokens.issued[0])
        client.completion("m", MESSAGES)  # a 401 and a refresh, logged at DEBUG
        api.revoked.add(tokens.issued[1])
        api.server.handler = lambda request: Reply.json(
            {"error": {"message": f"bad token {request.headers.get('authorization')}"}}, status=401
        )
        with pytest.raises(errors.AuthenticationError) as info:
            client.completion("m", MESSAGES)
        reprs = [repr(client), repr(client.provider), repr(client.transport.tokens), repr(client.provider.token_auth())]
        cached = client.transport.tokens._token
        reprs += [repr(cached), str(cached)]
    texts = [caplog.text, str(info.value), repr(info.value), str(info.value.body), *reprs]
    assert "fetched an access token" in caplog.text
    for secret in [KEY, *tokens.issued]:
        for t in texts:
            assert secret not in t
    assert "tok-" not in str(info.value.body)


def test_callable_token_provider_sync_and_async(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    tokens.issued.append("tok-from-callable-9f8e7d6c")
    calls: list[str] = []

    def provider() -> str:
        calls.append("sync")
        return "tok-from-callable-9f8e7d6c"

    with make_client(tokens, api, token_provider=provider) as client:
        assert text(client.completion("m", MESSAGES)) == "hello"
        assert asyncio.run(client.acompletion("m", MESSAGES)).choices[0].message.content == "hello"
    assert calls == ["sync"]  # cached: no expiry given, so kept until a 401

    class AccessToken:  # azure.core.credentials.AccessToken's shape
        def __init__(self, token: str, expires_on: int) -> None:
            self.token, self.expires_on = token, expires_on

    async def async_provider() -> AccessToken:
        import time

        calls.append("async")
        return AccessToken("tok-from-callable-9f8e7d6c", int(time.time()) + 3600)

    with make_client(tokens, api, token_provider=async_provider) as client:
        assert asyncio.run(client.acompletion("m", MESSAGES)).choices[0].message.content == "hello"
        with pytest.raises(errors.ConfigurationError, match="async"):
            AnyLLM.create("tokentest", api_key=KEY, api_base=api.server.url, token_provider=async_provider).completion(
                "m", MESSAGES
            )
    assert calls == ["sync", "async"]
    assert tokens.server.requests == []


def test_callable_returning_garbage_is_a_configuration_error(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    with (
        make_client(tokens, api, token_provider=lambda: 42) as client,
        pytest.raises(errors.ConfigurationError, match="token string"),
    ):
        client.completion("m", MESSAGES)


def test_flow_bug_is_typed_and_quotes_nothing(servers: tuple[TokenServer, ApiServer]) -> None:
    tokens, api = servers
    tokens.server.queue(Reply.json({"token": "tok-unexpected-shape-123456"}))
    with make_client(tokens, api) as client, pytest.raises(errors.AuthenticationError) as info:
        client.completion("m", MESSAGES)
    assert "unexpected shape" in str(info.value)
    assert "tok-unexpected" not in str(info.value)


def test_unknown_client_args_still_refused() -> None:
    with plugins.registered(TokenTestProvider), pytest.raises(errors.ConfigurationError, match="unknown client_args"):
        AnyLLM.create("tokentest", api_key=KEY, api_base="http://127.0.0.1:9", token_urll="x")
