"""Cohere's ``/v2/rerank`` through the module-level API against a local server, sync and async."""

from __future__ import annotations

import asyncio

import pytest
from anyllm_cohere import CohereProvider

import any_llm
from any_llm import errors, plugins
from any_llm.testing import MockServer, Reply

DOCS = ["Carson City is the capital of Nevada.", "Washington, D.C. is the capital of the United States."]
ANSWER = {  # the documented example answer (https://docs.cohere.com/reference/rerank), two documents
    "id": "07734bd2-2473-4f07-94e1-0d9f0e6843cf",
    "results": [{"index": 1, "relevance_score": 0.999071}, {"index": 0, "relevance_score": 0.32713068}],
    "meta": {"api_version": {"version": "2", "is_experimental": False}, "billed_units": {"search_units": 1}},
}


@pytest.mark.parametrize("use_async", [False, True])
def test_rerank_sends_cohere_fields_and_parses_the_documented_answer(use_async: bool) -> None:
    with plugins.registered(CohereProvider), MockServer() as server:
        server.queue(Reply.json(ANSWER))
        kwargs = dict(
            provider="cohere",
            api_key="co-test-key-123456",
            api_base=server.url,
            top_n=2,
            max_tokens_per_doc=512,
            client_args={"max_retries": 0},
        )
        if use_async:
            result = asyncio.run(any_llm.arerank("rerank-v3.5", "What is the capital of the US?", DOCS, **kwargs))
        else:
            result = any_llm.rerank("rerank-v3.5", "What is the capital of the US?", DOCS, **kwargs)
        request = server.requests[0]
    assert request.path == "/v2/rerank"
    assert request.json == {
        "model": "rerank-v3.5",
        "query": "What is the capital of the US?",
        "documents": DOCS,
        "top_n": 2,
        "max_tokens_per_doc": 512,
    }
    assert request.headers["authorization"] == "Bearer co-test-key-123456"
    assert [(r.index, r.relevance_score) for r in result.results] == [(1, 0.999071), (0, 0.32713068)]
    assert result.meta is not None and result.meta.billed_units == {"search_units": 1}


def test_an_index_outside_the_documents_is_a_validation_error() -> None:
    with plugins.registered(CohereProvider), MockServer() as server:
        server.queue(Reply.json({"id": "x", "results": [{"index": 5, "relevance_score": 0.5}]}))
        client = any_llm.AnyLLM.create("cohere", api_key="co-test-key-123456", api_base=server.url, max_retries=0)
        with pytest.raises(errors.ResponseValidationError, match="index 5"):
            client.rerank("rerank-v3.5", "q", DOCS)
        with pytest.raises(errors.ConfigurationError, match="documents"):
            client.rerank("rerank-v3.5", "q", [])
        client.close()
