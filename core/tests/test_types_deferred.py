"""The response types cost nothing until used: a chat call builds only the models it validates."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
import any_llm.types.completion as c
loaded = sorted(m for m in sys.modules if m.startswith("any_llm.types."))
built_at_import = sorted(n for n in ("ChatCompletion", "ChatCompletionChunk") if getattr(c, n).__pydantic_complete__)
c.ChatCompletion.model_validate_json(
    b'{"id": "c", "created": 1, "model": "m", "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]}'
)
from any_llm.types import CreateEmbeddingResponse, Model, Usage
print(json.dumps({
    "loaded": loaded,
    "built_at_import": built_at_import,
    "chat_built": c.ChatCompletion.__pydantic_complete__,
    "chunk_built": c.ChatCompletionChunk.__pydantic_complete__,
    "embedding_default": CreateEmbeddingResponse(data=[], model="m").usage == Usage(),
    "model": Model(id="x").id,
}))
"""


def test_a_chat_call_builds_only_what_it_validates() -> None:
    out = json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout)
    assert out["loaded"] == ["any_llm.types.completion"], "the package must not import the embedding/model modules"
    assert out["built_at_import"] == [], "a model's schema was built at import"
    assert out["chat_built"] and not out["chunk_built"]
    assert out["embedding_default"] and out["model"] == "x"


def test_every_public_name_resolves_and_star_import_works() -> None:
    import any_llm.types as types

    namespace: dict[str, object] = {}
    exec("from any_llm.types import *", namespace)
    assert set(types.__all__) <= set(namespace)
    assert all(getattr(types, name) is namespace[name] for name in types.__all__)
    with pytest.raises(AttributeError, match="NotAType"):
        types.NotAType  # noqa: B018
