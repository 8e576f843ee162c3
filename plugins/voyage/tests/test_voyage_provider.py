"""Voyage: declarations, and the quirks the conformance kit does not cover."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anyllm_voyage import VoyageProvider
from hypothesis import given, settings
from hypothesis import strategies as st

from any_llm import errors, plugins
from any_llm.client import AnyLLM
from any_llm.plugins import get_provider_class
from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import KEY
from any_llm.testing.schema import schema_errors
from any_llm.wire import call_plugin

SPEC = Path(__file__).parent / "spec" / "voyage-openapi.json"
"""Voyage's own OpenAPI description, trimmed (see spec/README.md)."""


def assert_valid(schema: str, body: Any) -> None:
    problems = schema_errors(SPEC, schema, body)
    assert not problems, f"{schema}: {problems[:3]} in {body}"


def test_declarations() -> None:
    assert get_provider_class("voyage") is VoyageProvider
    assert VoyageProvider.api_key_env == ("VOYAGE_API_KEY",)
    assert VoyageProvider.api_base_env == ("VOYAGE_API_BASE",)
    assert VoyageProvider.default_api_base == "https://api.voyageai.com/v1"
    # the capabilities declared on; every other flag core knows (now or later) stays off
    assert {cap for cap, on in VoyageProvider.capabilities().items() if on} == {"embedding", "rerank"}


MODEL = "voyage-3.5-lite"
ANSWER = {
    "object": "list",
    "data": [
        {"object": "embedding", "embedding": [0.5, -0.25], "index": 0},
        {"object": "embedding", "embedding": [0.125, 1.0], "index": 1},
    ],
    "model": MODEL,
    "usage": {"total_tokens": 9},
}


def _embed(replies: list[Reply], **kwargs: Any) -> tuple[Any, list[Any]]:
    with plugins.registered(VoyageProvider), MockServer() as server:
        server.queue(*replies)
        client = AnyLLM.create("voyage", api_key=KEY, api_base=server.url + "/v1", max_retries=0)
        try:
            return client.embedding(MODEL, ["a", "b"], **kwargs), server.requests
        except errors.AnyLLMError as exc:
            return exc, server.requests
        finally:
            client.close()
            for request in server.requests:  # every body the plugin sent, against Voyage's spec
                assert_valid("EmbeddingsRequest", request.json)


def test_request_and_usage() -> None:
    result, requests = _embed([Reply.json(ANSWER)], input_type="document", truncation=False, dimensions=256)
    (request,) = requests
    assert request.path == "/v1/embeddings"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json == {
        "input": ["a", "b"],
        "model": MODEL,
        "input_type": "document",
        "truncation": False,
        "output_dimension": 256,
    }
    assert [d.embedding for d in result.data] == [[0.5, -0.25], [0.125, 1.0]]
    assert (result.usage.prompt_tokens, result.usage.total_tokens, result.model) == (9, 9, MODEL)


def test_one_string_is_sent_as_a_list() -> None:
    with plugins.registered(VoyageProvider), MockServer() as server:
        server.queue(Reply.json({**ANSWER, "data": ANSWER["data"][:1]}))
        with AnyLLM.create("voyage", api_key=KEY, api_base=server.url + "/v1") as client:
            client.embedding(MODEL, "a")
        assert server.requests[0].json["input"] == ["a"]
        assert_valid("EmbeddingsRequest", server.requests[0].json)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"encoding_format": "base64"}, errors.UnsupportedParameterError),
        ({"dimensions": 256, "output_dimension": 512}, errors.ConfigurationError),
    ],
)
def test_refused_before_sending(kwargs: dict[str, Any], error: type[Exception]) -> None:
    result, requests = _embed([], **kwargs)
    assert isinstance(result, error) and requests == []


def test_completion_is_refused_before_sending() -> None:
    with plugins.registered(VoyageProvider), MockServer() as server:
        client = AnyLLM.create("voyage", api_key=KEY, api_base=server.url)
        with client, pytest.raises(errors.UnsupportedCapabilityError) as info:
            client.completion(MODEL, [{"role": "user", "content": "hi"}])
        assert info.value.capability == "completion" and server.requests == []


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply.json({"detail": "Provided API key is invalid."}, 401), errors.AuthenticationError),
        (Reply.json({"detail": "Rate limit exceeded."}, 429, headers={"retry-after": "7"}), errors.RateLimitError),
        (Reply.json({"detail": "Model voyage-9 is not supported."}, 400), errors.InvalidRequestError),
        (Reply.json({"detail": "Internal server error"}, 500), errors.ProviderError),
    ],
)
def test_errors(reply: Reply, error: type[errors.AnyLLMError]) -> None:
    result, _ = _embed([reply])
    assert isinstance(result, error) and result.provider == "voyage"
    assert KEY not in str(result) and KEY not in repr(result)
    if isinstance(result, errors.RateLimitError):
        assert result.retry_after == 7.0


@pytest.mark.parametrize("body", [b'{"data": "nope"}', b"[1, 2]", b'{"data": [{"embedding": "x", "index": 0}]}'])
def test_wrong_shapes_are_typed_errors(body: bytes) -> None:
    result, _ = _embed([Reply.text(body, content_type="application/json")])
    assert isinstance(result, errors.ResponseValidationError)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["data", "embedding", "index", "usage", "total_tokens", "model", "x"]), inner, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(_JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=40)))
def test_any_body_gives_embeddings_or_a_typed_error(body: bytes) -> None:
    """The parser of the answer never lets a raw exception out, whatever the bytes."""
    provider = VoyageProvider(KEY)
    try:  # as core runs a plugin's parser: anything it raises reaches the caller typed
        result = call_plugin("voyage", "an embedding response", body, 200, provider.parse_embedding, body, MODEL)
    except errors.ResponseValidationError:
        return
    assert all(isinstance(v, float) for d in result.data for v in d.embedding)


@settings(max_examples=100, deadline=None)
@given(st.integers(400, 599), st.binary(max_size=60))
def test_any_error_answer_gives_a_typed_error(status: int, body: bytes) -> None:
    error = VoyageProvider(KEY).parse_error(status, {}, body)
    assert isinstance(error, errors.AnyLLMError) and error.status_code == status


def test_rerank_sends_voyage_fields_and_reads_its_answer(mock_server: MockServer) -> None:
    import any_llm

    docs = ["Paris is in France.", "Berlin is in Germany.", "The sky is blue."]
    answer = {
        "object": "list",
        "data": [{"relevance_score": 0.9, "index": 0}, {"relevance_score": 0.2, "index": 2}],
        "model": "rerank-2",
        "usage": {"total_tokens": 30},
    }
    mock_server.queue(Reply.json(answer))
    result = any_llm.rerank(
        "rerank-2",
        "Where is Paris?",
        docs,
        provider="voyage",
        api_key="pa-test-0123456789",
        api_base=mock_server.url,
        top_n=2,
    )
    assert mock_server.requests[0].path == "/rerank"
    assert mock_server.requests[0].json == {
        "query": "Where is Paris?",
        "documents": docs,
        "model": "rerank-2",
        "top_k": 2,
    }
    assert_valid("RerankRequest", mock_server.requests[0].json)
    assert [(r.index, r.relevance_score) for r in result.results] == [(0, 0.9), (2, 0.2)]
    assert result.usage is not None and result.usage.total_tokens == 30
    with pytest.raises(errors.UnsupportedParameterError, match="max_tokens_per_doc"):
        any_llm.rerank(
            "rerank-2",
            "q",
            docs,
            provider="voyage",
            api_key="pa-test-0123456789",
            api_base=mock_server.url,
            max_tokens_per_doc=100,
        )
    assert len(mock_server.requests) == 1


def test_float_encoding_format_is_voyages_default_and_not_sent() -> None:
    result, requests = _embed([Reply.json(ANSWER)], encoding_format="float")
    assert not isinstance(result, errors.AnyLLMError)
    assert "encoding_format" not in requests[0].json  # Voyage's spec: only "base64", absent means float


def test_the_spec_catches_what_voyage_would_refuse() -> None:
    """The trimmed schema can fail: OpenAI names and values Voyage does not document are caught."""
    assert schema_errors(SPEC, "EmbeddingsRequest", {"input": ["a"], "model": MODEL, "dimensions": 256})
    assert schema_errors(SPEC, "EmbeddingsRequest", {"input": ["a"], "model": MODEL, "encoding_format": "float"})
    assert schema_errors(SPEC, "EmbeddingsRequest", {"input": ["a"], "model": MODEL, "input_type": "search"})
    assert schema_errors(SPEC, "RerankRequest", {"query": "q", "documents": ["d"], "model": "m", "top_n": 1})
    assert schema_errors(SPEC, "RerankRequest", {"query": "q", "documents": "d", "model": "m"})


_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "input_type": st.sampled_from(["query", "document", None]),
        "truncation": st.booleans(),
        "dimensions": st.sampled_from([256, 512, 1024, 2048]),
        "output_dtype": st.sampled_from(["float", "int8", "uint8", "binary", "ubinary"]),
        "encoding_format": st.sampled_from(["float", None]),
    },
)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=1, max_size=4), _OPTIONS)
def test_every_embedding_body_matches_voyages_spec(inputs: list[str], options: dict[str, Any]) -> None:
    request = VoyageProvider(KEY).build_embedding_request(MODEL, inputs, options)
    assert_valid("EmbeddingsRequest", request.json)


@settings(max_examples=80, deadline=None)
@given(
    st.text(max_size=10),
    st.lists(st.text(max_size=8), max_size=4),
    st.none() | st.integers(1, 5),
    st.fixed_dictionaries({}, optional={"return_documents": st.booleans(), "truncation": st.booleans()}),
)
def test_every_rerank_body_matches_voyages_spec(
    query: str, documents: list[str], top_n: int | None, extra: dict[str, Any]
) -> None:
    from any_llm.families.params import RerankParams

    params = RerankParams(model="rerank-2", query=query, documents=documents, top_n=top_n, extra=extra)
    assert_valid("RerankRequest", VoyageProvider(KEY).build_rerank_request(params).json)
