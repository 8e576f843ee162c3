"""Token counting (Vertex's ``:countTokens``), image generation (Imagen ``:predict``, Gemini image models'
``:generateContent``) and the declared batch gap, through the real transport with a service-account
token verified by the local Google token endpoint, and in express mode; every body checked against
Vertex's trimmed v1 schemas (tests/spec/vertex-aiplatform.json merged into the Gemini API spec)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyllm_vertexai import VertexaiProvider

import any_llm
from any_llm import errors, plugins
from any_llm.client import AnyLLM
from any_llm.testing import MockServer, RecordedRequest, Reply
from any_llm.testing.families import IMAGE_BYTES
from any_llm.testing.schema import schema_errors

from .conftest import PROJECT, GoogleTokenServer

HERE = Path(__file__).parent
GEMINI_SPEC = HERE.parents[1] / "gemini" / "tests" / "spec" / "gemini-native.json"
MODEL = "gemini-2.5-flash"
BASE = f"/v1/projects/{PROJECT}/locations/us-central1/publishers/google/models"
B64 = base64.b64encode(IMAGE_BYTES).decode()
KEY = "AQ.vertex-express-key-0123456789"


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Gemini API spec with Vertex's own request schemas added (they refer to its Content, Tool...)."""
    merged = json.loads(GEMINI_SPEC.read_text())
    merged["components"]["schemas"].update(
        json.loads((HERE / "spec" / "vertex-aiplatform.json").read_text())["components"]["schemas"]
    )
    path = tmp_path_factory.mktemp("spec") / "vertex-merged.json"
    path.write_text(json.dumps(merged))
    return path


def valid(spec: Path, name: str, body: Any) -> None:
    problems = schema_errors(spec, name, body)
    assert not problems, f"{name}: {problems[:3]}"


class Vertex:
    """A Vertex endpoint that answers only requests carrying a token the Google token endpoint issued."""

    def __init__(self, google: GoogleTokenServer | None) -> None:
        self.google = google
        self.replies: list[Reply] = []
        self.server = MockServer(self.handle)

    def handle(self, request: RecordedRequest) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        key = request.headers.get("x-goog-api-key")
        if (self.google is None and key != KEY) or (self.google is not None and token not in self.google.issued):
            return Reply.json(
                {"error": {"code": 401, "message": "invalid credentials", "status": "UNAUTHENTICATED"}}, 401
            )
        return self.replies.pop(0)


@pytest.fixture
def vertex(google: GoogleTokenServer, sa_file: Path) -> Iterator[Vertex]:
    v = Vertex(google)
    with v.server, plugins.registered(VertexaiProvider):
        yield v


@pytest.fixture
def express(clean_google_env: Path) -> Iterator[Vertex]:
    v = Vertex(None)
    with v.server, plugins.registered(VertexaiProvider):
        yield v


def client(v: Vertex, **kw: Any) -> AnyLLM:
    return AnyLLM.create("vertexai", api_base=v.server.url, max_retries=0, **kw)


TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "weather in Paris?"}]


@pytest.mark.parametrize("use_async", [False, True])
def test_count_tokens_is_vertex_count_tokens_with_the_fields_at_the_top(
    vertex: Vertex, spec: Path, use_async: bool
) -> None:
    vertex.replies.append(Reply.json({"totalTokens": 31, "totalBillableCharacters": 70}))
    with client(vertex) as c:
        if use_async:
            import asyncio

            n = asyncio.run(c.acount_tokens(MODEL, MESSAGES, tools=[TOOL], tool_choice="required", temperature=0.2))
        else:
            n = c.count_tokens(MODEL, MESSAGES, tools=[TOOL], tool_choice="required", temperature=0.2)
    assert n == 31
    (request,) = vertex.server.requests
    assert request.path == f"{BASE}/{MODEL}:countTokens"
    body = request.json
    valid(spec, "CountTokensRequest", body)
    assert body["systemInstruction"]["parts"] == [{"text": "be brief"}]
    assert body["contents"][0]["parts"] == [{"text": "weather in Paris?"}]
    assert body["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"
    assert body["generationConfig"]["temperature"] == 0.2
    assert "toolConfig" not in body and "generateContentRequest" not in body


def test_count_tokens_in_express_mode_and_a_zero(express: Vertex, spec: Path) -> None:
    express.replies.append(Reply.json({}))  # proto3 leaves a zero out
    with client(express, api_key=KEY) as c:
        assert c.count_tokens(MODEL, [{"role": "user", "content": ""}]) == 0
    (request,) = express.server.requests
    assert request.path == f"/v1/publishers/google/models/{MODEL}:countTokens"
    assert request.headers["x-goog-api-key"] == KEY and "authorization" not in request.headers
    valid(spec, "CountTokensRequest", request.json)


def test_a_field_count_tokens_cannot_take_is_refused_before_sending(vertex: Vertex) -> None:
    with client(vertex) as c, pytest.raises(errors.UnsupportedParameterError, match="cachedContent"):
        c.count_tokens(MODEL, MESSAGES, cachedContent="cachedContents/abc")
    assert vertex.server.requests == []


@pytest.mark.parametrize("use_async", [False, True])
def test_imagen_predict_on_the_vertex_path(vertex: Vertex, spec: Path, use_async: bool) -> None:
    vertex.replies.append(Reply.json({"predictions": [{"bytesBase64Encoded": B64, "mimeType": "image/png"}] * 2}))
    call = any_llm.aimage_generation if use_async else any_llm.image_generation
    kw: dict[str, Any] = {"provider": "vertexai", "api_base": vertex.server.url, "n": 2, "size": "16:9"}
    result = call("imagen-4.0-generate-001", "a red circle", personGeneration="dont_allow", addWatermark=True, **kw)
    if use_async:
        import asyncio

        result = asyncio.run(result)
    (request,) = vertex.server.requests
    assert request.path == f"{BASE}/imagen-4.0-generate-001:predict"
    valid(spec, "ImagenPredictRequest", request.json)
    assert request.json["parameters"] == {
        "sampleCount": 2,
        "aspectRatio": "16:9",
        "personGeneration": "dont_allow",
        "addWatermark": True,
    }
    assert [img.decode() for img in result.data] == [IMAGE_BYTES, IMAGE_BYTES]
    any_llm.api.close_clients("vertexai")


def test_gemini_image_model_on_the_vertex_path(vertex: Vertex, spec: Path) -> None:
    parts = [{"text": "Here it is."}, {"inlineData": {"mimeType": "image/png", "data": B64}}]
    vertex.replies.append(Reply.json({"candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}]}))
    with client(vertex) as c:
        result = c.image_generation("gemini-2.5-flash-image", "a cat", size="1:1")
    (request,) = vertex.server.requests
    assert request.path == f"{BASE}/gemini-2.5-flash-image:generateContent"
    valid(spec, "GenerateContentRequest", request.json)
    assert request.json["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]
    assert result.data[0].decode() == IMAGE_BYTES


def test_imagen_schema_can_fail(spec: Path) -> None:
    assert schema_errors(spec, "ImagenPredictRequest", {"instances": [{"prompt": "x"}], "parameters": {"n": 2}})
    assert schema_errors(spec, "CountTokensRequest", {"generateContentRequest": {}})


def test_batch_is_declared_off_and_says_why(vertex: Vertex, tmp_path: Path) -> None:
    requests = tmp_path / "in.jsonl"
    requests.write_text(json.dumps({"custom_id": "1", "body": {"model": MODEL, "messages": MESSAGES}}) + "\n")
    with client(vertex) as c, pytest.raises(errors.UnsupportedCapabilityError) as info:
        c.create_batch(str(requests), endpoint="/v1/chat/completions")
    message = str(info.value)
    assert "Cloud Storage" in message and "BigQuery" in message and "gemini" in message
    assert info.value.capability == "batch"
    assert vertex.server.requests == []
