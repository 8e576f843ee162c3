"""``speech`` / ``transcription`` and async twins: text to audio (streamed out), audio to text (streamed up)."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

from any_llm.api import get_client, split_model
from any_llm.families.twins import async_twin

if TYPE_CHECKING:
    from any_llm.api import LLMProvider
    from any_llm.downloads import AsyncBinaryStream, BinaryStream
    from any_llm.types.audio import Transcription

__all__ = ["aspeech", "atranscription", "speech", "transcription"]


def speech(
    model: str,
    input: str,
    voice: str,
    *,
    provider: str | LLMProvider | None = None,
    instructions: str | None = None,
    response_format: str | None = None,
    speed: float | None = None,
    stream: bool = False,
    output_file: str | os.PathLike[str] | IO[bytes] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> bytes | int | BinaryStream:
    """Generate speech from text.

    Args:
        model: The speech model, with ``provider=`` or as 'provider:model' (e.g. 'openai:gpt-4o-mini-tts').
        input: The text to speak.
        voice: The voice (e.g. 'alloy').
        provider: Provider name or ``LLMProvider``; the model is then used verbatim.
        instructions: How to speak (models that take it).
        response_format: 'mp3', 'opus', 'aac', 'flac', 'wav' or 'pcm'.
        speed: 0.25 to 4.0.
        stream: Return a ``BinaryStream`` (iterate it for chunks, or ``write_to(path)``) instead of bytes.
        output_file: A path or binary file object to write the audio to as it arrives; returns the bytes written.
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        client_args: Client settings (timeout, max_retries, default_headers, httpx options).
        **kwargs: Provider-specific fields, sent in the request body as given.

    Returns:
        The audio bytes; a ``BinaryStream`` with ``stream=True`` (``AsyncBinaryStream`` from ``aspeech``);
        the number of bytes written with ``output_file``. A body cut mid-way raises ``APIConnectionError``.
    """
    name, model_id = split_model(model, provider)
    client = get_client(name, api_key, api_base, client_args)
    named = dict(instructions=instructions, response_format=response_format, speed=speed)
    return client.speech(model_id, input, voice, stream=stream, output_file=output_file, **named, **kwargs)


async def aspeech(
    model: str,
    input: str,
    voice: str,
    *,
    provider: str | LLMProvider | None = None,
    instructions: str | None = None,
    response_format: str | None = None,
    speed: float | None = None,
    stream: bool = False,
    output_file: str | os.PathLike[str] | IO[bytes] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> bytes | int | AsyncBinaryStream:
    name, model_id = split_model(model, provider)
    client = get_client(name, api_key, api_base, client_args)
    named = dict(instructions=instructions, response_format=response_format, speed=speed)
    return await client.aspeech(model_id, input, voice, stream=stream, output_file=output_file, **named, **kwargs)


aspeech.__doc__ = speech.__doc__


def transcription(
    model: str,
    file: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    provider: str | LLMProvider | None = None,
    language: str | None = None,
    prompt: str | None = None,
    response_format: str | None = None,
    temperature: float | None = None,
    timestamp_granularities: list[str] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Transcription:
    """Transcribe audio.

    Args:
        model: The transcription model, with ``provider=`` or as 'provider:model' (e.g. 'openai:whisper-1',
            'groq:whisper-large-v3-turbo', 'mistral:voxtral-mini-latest').
        file: A path, the audio bytes, or a binary file object; uploaded as multipart, streamed from disk.
            A path or seekable file is re-read on a retry; a pipe is never resent once partly sent.
        provider: Provider name or ``LLMProvider``; the model is then used verbatim.
        language: The audio's language (ISO-639-1).
        prompt: Text to guide the style or continue a previous segment.
        response_format: 'json', 'text', 'srt', 'verbose_json' or 'vtt'.
        temperature: Sampling temperature, 0 to 1.
        timestamp_granularities: 'word' and/or 'segment' (with verbose_json).
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        client_args: Client settings (timeout, max_retries, default_headers, httpx options).
        **kwargs: Provider-specific form fields; ``filename=`` and ``mime_type=`` name the upload.

    Returns:
        A ``Transcription`` (``text``; the verbose fields with 'verbose_json'; the raw document in ``text``
        for 'text', 'srt' and 'vtt').
    """
    name, model_id = split_model(model, provider)
    client = get_client(name, api_key, api_base, client_args)
    named = dict(
        language=language,
        prompt=prompt,
        response_format=response_format,
        temperature=temperature,
        timestamp_granularities=timestamp_granularities,
    )
    return client.transcription(model_id, file, **named, **kwargs)


atranscription = async_twin(transcription)
