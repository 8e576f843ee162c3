"""list_models follows every page for Anthropic (has_more/after_id), Gemini (pageToken) and Cohere
(page_token), sync and async, against a local server; a server that repeats its cursor is stopped."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from anyllm_anthropic import AnthropicProvider
from anyllm_cohere import CohereProvider
from anyllm_gemini import GeminiProvider

import any_llm
from any_llm import errors, plugins
from any_llm.testing import MockServer, Reply

KEY = "pages-test-key-123456"


def anthropic_page(ids: list[str], more: bool) -> Reply:
    data = [{"type": "model", "id": i, "display_name": i, "created_at": "2025-02-19T00:00:00Z"} for i in ids]
    return Reply.json({"data": data, "has_more": more, "first_id": ids[0], "last_id": ids[-1]})


def gemini_page(ids: list[str], token: str | None) -> Reply:
    body: dict[str, Any] = {"models": [{"name": f"models/{i}"} for i in ids]}
    if token:
        body["nextPageToken"] = token
    return Reply.json(body)


def cohere_page(ids: list[str], token: str | None) -> Reply:
    body: dict[str, Any] = {"models": [{"name": i, "endpoints": ["chat"]} for i in ids]}
    if token:
        body["next_page_token"] = token
    return Reply.json(body)


CASES = {
    "anthropic": (
        AnthropicProvider,
        "",
        [anthropic_page(["a", "b"], True), anthropic_page(["c"], False)],
        [{"limit": "1000"}, {"limit": "1000", "after_id": "b"}],
    ),
    "gemini": (
        GeminiProvider,
        "/v1beta",
        [gemini_page(["a", "b"], "t1"), gemini_page(["c"], None)],
        [{"pageSize": "1000"}, {"pageSize": "1000", "pageToken": "t1"}],
    ),
    "cohere": (
        CohereProvider,
        "",
        [cohere_page(["a", "b"], "t1"), cohere_page(["c"], "")],
        [{"page_size": "1000"}, {"page_size": "1000", "page_token": "t1"}],
    ),
}


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_page_is_listed(name: str, use_async: bool) -> None:
    cls, path, replies, queries = CASES[name]
    with plugins.registered(cls), MockServer() as server:
        server.queue(*replies)
        kw = {"api_key": KEY, "api_base": server.url + path}
        models = asyncio.run(any_llm.alist_models(name, **kw)) if use_async else any_llm.list_models(name, **kw)
        assert [m.id for m in models] == ["a", "b", "c"]
        assert [r.query for r in server.requests] == queries
        any_llm.api.close_clients(name)


def test_a_repeated_cursor_stops_the_listing() -> None:
    with plugins.registered(GeminiProvider), MockServer() as server:
        server.queue(gemini_page(["a"], "same"), gemini_page(["b"], "same"))
        with pytest.raises(errors.ResponseValidationError, match="same cursor"):
            any_llm.list_models("gemini", api_key=KEY, api_base=server.url + "/v1beta")
        assert len(server.requests) == 2
        any_llm.api.close_clients("gemini")
