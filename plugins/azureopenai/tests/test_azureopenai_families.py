"""Azure routes the families to deployments (images, audio) or the resource (files, batches), with api-version."""

from __future__ import annotations

import json
from pathlib import Path

from anyllm_azureopenai import AzureopenaiProvider

from any_llm import AnyLLM, plugins
from any_llm.testing import MockServer
from any_llm.testing.families import AUDIO_BYTES, BATCH_LINES, openai_family_exchanges


def test_family_urls_and_the_batch_endpoint(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in BATCH_LINES))
    answers = openai_family_exchanges()
    with plugins.registered(AzureopenaiProvider), MockServer() as server:
        server.queue(answers["image_generation"], answers["speech"], answers["transcription"])  # type: ignore[arg-type]
        server.queue(*answers["batch"][:2])  # type: ignore[index]
        with AnyLLM.create("azureopenai", api_key="azure-key-123456", api_base=server.url, max_retries=0) as client:
            client.image_generation("my dall-e", "a red circle", api_version="2025-04-01-preview")
            assert client.speech("tts", "hello", "alloy") == AUDIO_BYTES
            client.transcription("whisper", AUDIO_BYTES, filename="a.mp3")
            client.create_batch(str(path), "/v1/chat/completions")
        paths = [r.path for r in server.requests]
        headers = server.requests[0].headers
        job = server.requests[-1].json
    assert paths == [
        "/openai/deployments/my%20dall-e/images/generations?api-version=2025-04-01-preview",
        "/openai/deployments/tts/audio/speech?api-version=2024-10-21",
        "/openai/deployments/whisper/audio/transcriptions?api-version=2024-10-21",
        "/openai/files?api-version=2024-10-21",
        "/openai/batches?api-version=2024-10-21",
    ]
    assert headers["api-key"] == "azure-key-123456" and "authorization" not in headers
    assert job == {"input_file_id": "file-in", "endpoint": "/chat/completions", "completion_window": "24h"}
    assert "api_version" not in json.dumps(job)
