"""Imagen (``:predict``) and Gemini image models (``:generateContent``) as OpenAI-shaped image results."""

from __future__ import annotations

import asyncio
import base64

import pytest
from anyllm_gemini import GeminiProvider

import any_llm
from any_llm import errors, plugins
from any_llm.testing import MockServer, Reply
from any_llm.testing.families import IMAGE_BYTES

KEY = "gemini-test-key-123456"
B64 = base64.b64encode(IMAGE_BYTES).decode()


@pytest.mark.parametrize("use_async", [False, True])
def test_imagen_predict_with_sample_count_and_aspect_ratio(use_async: bool) -> None:
    answer = {"predictions": [{"bytesBase64Encoded": B64, "mimeType": "image/png"}] * 2}
    with plugins.registered(GeminiProvider), MockServer() as server:
        server.queue(Reply.json(answer))
        kw = dict(provider="gemini", api_key=KEY, api_base=server.url + "/v1beta", n=2, size="16:9")
        call = any_llm.aimage_generation if use_async else any_llm.image_generation
        result = call("imagen-4.0-generate-001", "a red circle", personGeneration="dont_allow", **kw)
        if use_async:
            result = asyncio.run(result)
        request = server.requests[0]
    assert request.path == "/v1beta/models/imagen-4.0-generate-001:predict"
    assert request.headers["x-goog-api-key"] == KEY
    assert request.json == {
        "instances": [{"prompt": "a red circle"}],
        "parameters": {"sampleCount": 2, "aspectRatio": "16:9", "personGeneration": "dont_allow"},
    }
    assert [img.decode() for img in result.data] == [IMAGE_BYTES, IMAGE_BYTES]
    assert result.data[0].mime_type == "image/png"


def test_pixel_sizes_become_ratios_and_options_gemini_lacks_are_refused() -> None:
    with plugins.registered(GeminiProvider), MockServer() as server:
        server.queue(Reply.json({"candidates": [{"content": {"parts": [{"inlineData": {"data": B64}}]}}]}))
        client = any_llm.AnyLLM.create("gemini", api_key=KEY, api_base=server.url, max_retries=0)
        client.image_generation("gemini-2.5-flash-image", "a cat", size="1024x1024")
        assert server.requests[0].json["generationConfig"] == {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": "1:1"},
        }
        refused = [
            {"size": "1792x1000"},
            {"quality": "hd"},
            {"style": "vivid"},
            {"response_format": "url"},
            {"n": 2},
            {"user": "u1"},
        ]
        for kwargs in refused:
            with pytest.raises(errors.UnsupportedParameterError):
                client.image_generation("gemini-2.5-flash-image", "a cat", **kwargs)
        server.queue(Reply.json({"candidates": [{"content": {"parts": [{"text": "I cannot draw that."}]}}]}))
        with pytest.raises(errors.ResponseValidationError, match="without an image"):
            client.image_generation("gemini-2.5-flash-image", "a cat")
        client.close()
        assert len(server.requests) == 2
