"""embedding()/list_models() through the real HTTP stack, and the capability check that guards them."""

from __future__ import annotations

import pytest

from any_llm import AnyLLM, aembedding, alist_models, embedding, list_models
from any_llm.errors import ConfigurationError, UnsupportedCapabilityError
from any_llm.testing import MockServer, Reply
from any_llm.testing.schema import OPENAI_SPEC, schema_errors
from any_llm.types import CreateEmbeddingResponse

SPEC = OPENAI_SPEC

KEY = "sk-test-emb-123456789"
EMB = {
    "object": "list",
    "model": "text-embedding-3-small",
    "usage": {"prompt_tokens": 4, "total_tokens": 4},
    "data": [
        {"object": "embedding", "index": 0, "embedding": [0.1, 0.2]},
        {"object": "embedding", "index": 1, "embedding": [0.3, 0.4]},
    ],
}
MODELS = {"object": "list", "data": [{"id": "gpt-4.1-mini", "object": "model", "created": 1, "owned_by": "openai"}]}


async def test_embedding_sync_and_async(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json(EMB), Reply.json(EMB))
    kw = {"provider": "openai", "api_key": KEY, "api_base": mock_server.url + "/v1"}
    out = embedding(model="text-embedding-3-small", inputs=["a", "b"], **kw)
    assert isinstance(out, CreateEmbeddingResponse)
    assert [d.embedding for d in out.data] == [[0.1, 0.2], [0.3, 0.4]]
    out2 = await aembedding(model="text-embedding-3-small", inputs="one", dimensions=2, **kw)
    assert out2.usage.total_tokens == 4
    first, second = (r.json for r in mock_server.requests)
    assert mock_server.requests[0].path == "/v1/embeddings"
    assert first == {"model": "text-embedding-3-small", "input": ["a", "b"]}
    assert second == {"model": "text-embedding-3-small", "input": ["one"], "dimensions": 2}
    for body in (first, second):
        assert schema_errors(SPEC, "CreateEmbeddingRequest", body) == []


async def test_list_models_sync_and_async(mock_server: MockServer) -> None:
    mock_server.queue(Reply.json(MODELS), Reply.json(MODELS))
    kw = {"api_key": KEY, "api_base": mock_server.url + "/v1"}
    assert [m.id for m in list_models("openai", **kw)] == ["gpt-4.1-mini"]
    assert [m.owned_by for m in await alist_models("openai", **kw)] == ["openai"]
    assert mock_server.requests[0].method == "GET"
    assert mock_server.requests[0].path == "/v1/models"


def test_missing_capability_is_refused_before_sending(mock_server: MockServer) -> None:
    from anyllm_openai import OpenAIProvider

    class NoEmbeddings(OpenAIProvider):
        supports_embedding = False
        supports_list_models = False

    client = AnyLLM(NoEmbeddings(api_key=KEY, api_base=mock_server.url))
    with pytest.raises(UnsupportedCapabilityError, match="embedding"):
        client.embedding("m", "x")
    with pytest.raises(UnsupportedCapabilityError, match="list_models"):
        client.list_models()
    assert mock_server.requests == []
    client.close()


@pytest.mark.parametrize("inputs", [[], [1, 2], None])
def test_bad_inputs(inputs: object, mock_server: MockServer) -> None:
    with pytest.raises(ConfigurationError, match="inputs"):
        embedding(model="m", inputs=inputs, provider="openai", api_key=KEY, api_base=mock_server.url)  # type: ignore[arg-type]
    assert mock_server.requests == []
