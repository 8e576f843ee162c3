"""The family scenarios of the conformance kit pass a correct provider and catch each broken one."""

from __future__ import annotations

from typing import Any

import pytest

from any_llm.families.params import ModerationParams, RerankParams, TranscriptionParams
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.provider import HTTPRequest
from any_llm.testing.conformance import OpenAICompatibleConformance
from any_llm.testing.families import FAMILIES
from any_llm.types.moderation import ModerationResponse
from any_llm.types.rerank import RerankResponse


class AllFamilies(OpenAICompatibleProvider):
    name = "kit-families"
    display_name = "Kit families"
    supports_rerank = True
    supports_moderation = True
    supports_image_generation = True
    supports_speech = True
    supports_transcription = True
    supports_batch = True


class UnsortedRerank(AllFamilies):
    def parse_rerank(self, body: bytes, params: RerankParams) -> RerankResponse:
        out = super().parse_rerank(body, params)
        out.results.reverse()
        return out


class FlagsEverything(AllFamilies):
    def parse_moderation(self, body: bytes, params: ModerationParams) -> ModerationResponse:
        out = super().parse_moderation(body, params)
        for result in out.results:
            result.flagged = True
        return out


class SendsTheFileName(AllFamilies):
    """Uploads the file's name instead of its bytes."""

    def build_transcription_request(self, params: TranscriptionParams) -> HTTPRequest:
        request = super().build_transcription_request(params)
        assert request.upload is not None
        request.upload.files["file"].source = params.file.filename.encode()  # type: ignore[union-attr]
        return request


class SpeechNotDeclaredButSent(OpenAICompatibleProvider):
    """Declares no speech, yet the core must refuse before its (inherited) builder runs."""

    name = "kit-no-speech"


class BadModerationBody(AllFamilies):
    def build_moderation_request(self, params: ModerationParams) -> HTTPRequest:
        request = super().build_moderation_request(params)
        body = dict(request.json)
        body["inputs"] = body.pop("input")
        request.json = body
        return request


def run(provider: type[Any], family: str, use_async: bool = False) -> None:
    kit = type("Kit", (OpenAICompatibleConformance,), {"provider_class": provider})()
    kit.run_family(family, use_async)


@pytest.mark.parametrize(
    ("broken", "family"),
    [
        (UnsortedRerank, "rerank"),
        (FlagsEverything, "moderation"),
        (SendsTheFileName, "transcription"),
        (BadModerationBody, "moderation"),
    ],
)
def test_kit_catches_each_defect(broken: type[Any], family: str) -> None:
    with pytest.raises(AssertionError):
        run(broken, family)


@pytest.mark.parametrize("use_async", [False, True])
@pytest.mark.parametrize("family", FAMILIES)
def test_a_correct_provider_passes_every_family(family: str, use_async: bool) -> None:
    run(AllFamilies, family, use_async)


@pytest.mark.parametrize("family", FAMILIES)
def test_an_undeclared_family_sends_nothing(family: str) -> None:
    run(SpeechNotDeclaredButSent, family)  # the kit asserts UnsupportedCapabilityError and no request
