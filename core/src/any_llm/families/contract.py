"""What a provider declares and translates for each family; the base class of :class:`~any_llm.provider.Provider`.

Every ``supports_<family>`` flag is False here, and every build/parse function raises
:class:`~any_llm.errors.UnsupportedCapabilityError`; a provider that serves a family turns its flag on
and implements the pair (OpenAI-shaped services inherit them from
:class:`~any_llm.families.openai_wire.OpenAIFamilyWire`). The core checks the flag before building
anything, so a declared gap never sends a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from any_llm import errors

if TYPE_CHECKING:
    from collections.abc import Mapping

    from any_llm.families.flow import Flow
    from any_llm.families.params import (
        BatchParams,
        ImageGenerationParams,
        ModerationParams,
        RerankParams,
        SpeechParams,
        TranscriptionParams,
    )
    from any_llm.provider import HTTPRequest
    from any_llm.types.audio import Transcription
    from any_llm.types.batch import Batch, BatchResult
    from any_llm.types.files import FileObject
    from any_llm.types.image import ImagesResponse
    from any_llm.types.moderation import ModerationResponse
    from any_llm.types.rerank import RerankResponse
    from any_llm.uploads import FilePart

__all__ = ["FamilyHooks"]


class FamilyHooks:
    """Declarations and pure translation functions of the families beside chat."""

    name: ClassVar[str] = ""

    supports_rerank: ClassVar[bool] = False
    supports_moderation: ClassVar[bool] = False
    supports_image_generation: ClassVar[bool] = False
    supports_speech: ClassVar[bool] = False
    supports_transcription: ClassVar[bool] = False
    supports_batch: ClassVar[bool] = False

    def _unsupported(self, capability: str) -> errors.UnsupportedCapabilityError:
        return errors.UnsupportedCapabilityError(capability, self.name)

    # -- rerank ---------------------------------------------------------------------------------

    def build_rerank_request(self, params: RerankParams) -> HTTPRequest:
        raise self._unsupported("rerank")

    def parse_rerank(self, body: bytes, params: RerankParams) -> RerankResponse:
        raise self._unsupported("rerank")

    # -- moderation -----------------------------------------------------------------------------

    def build_moderation_request(self, params: ModerationParams) -> HTTPRequest:
        raise self._unsupported("moderation")

    def parse_moderation(self, body: bytes, params: ModerationParams) -> ModerationResponse:
        raise self._unsupported("moderation")

    # -- images ---------------------------------------------------------------------------------

    def build_image_generation_request(self, params: ImageGenerationParams) -> HTTPRequest:
        raise self._unsupported("image_generation")

    def parse_image_generation(self, body: bytes, params: ImageGenerationParams) -> ImagesResponse:
        raise self._unsupported("image_generation")

    # -- audio ----------------------------------------------------------------------------------

    def build_speech_request(self, params: SpeechParams) -> HTTPRequest:
        """The request for speech audio; the core streams the binary answer (``download=True``)."""
        raise self._unsupported("speech")

    def build_transcription_request(self, params: TranscriptionParams) -> HTTPRequest:
        """A multipart upload (:class:`~any_llm.uploads.Multipart`); the core streams the file."""
        raise self._unsupported("transcription")

    def parse_transcription(
        self, body: bytes, headers: Mapping[str, str], params: TranscriptionParams
    ) -> Transcription:
        raise self._unsupported("transcription")

    # -- batch (multi-request flows, see any_llm.families.flow) -------------------------------------

    def create_batch_flow(self, params: BatchParams) -> Flow[Batch]:
        """Upload the OpenAI batch JSONL at ``params.input_file_path`` (translated if the provider needs
        another format) and create the job."""
        raise self._unsupported("batch")

    def retrieve_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        raise self._unsupported("batch")

    def cancel_batch_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[Batch]:
        raise self._unsupported("batch")

    def list_batches_flow(self, after: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[Batch]]:
        """Every batch after ``after`` (following the provider's pages), at most ``limit``."""
        raise self._unsupported("batch")

    def batch_results_flow(self, batch_id: str, extra: dict[str, Any]) -> Flow[BatchResult]:
        """The results of a finished batch in OpenAI's output shape; raises
        :class:`~any_llm.errors.BatchNotCompleteError` while it is not done."""
        raise self._unsupported("batch")

    # -- files (what batch jobs need; served where ``supports_batch`` is) ----------------------------

    def build_upload_file_request(self, file: FilePart, purpose: str, extra: dict[str, Any]) -> HTTPRequest:
        """A streamed multipart upload of ``file``; answered with a file object (:meth:`parse_file`)."""
        raise self._unsupported("files")

    def build_file_request(self, method: str, file_id: str, extra: dict[str, Any]) -> HTTPRequest:
        """GET (retrieve) or DELETE ``file_id``."""
        raise self._unsupported("files")

    def build_file_content_request(self, file_id: str, extra: dict[str, Any]) -> HTTPRequest:
        """The file's bytes; the core streams them (``download``)."""
        raise self._unsupported("files")

    def parse_file(self, body: bytes) -> FileObject:
        raise self._unsupported("files")

    def list_files_flow(self, purpose: str | None, limit: int | None, extra: dict[str, Any]) -> Flow[list[FileObject]]:
        """Every file (of ``purpose``), following the provider's pages, at most ``limit``."""
        raise self._unsupported("files")

    # -- pagination -----------------------------------------------------------------------------

    def next_list_models_request(self, previous: HTTPRequest, body: bytes) -> HTTPRequest | None:
        """The request for the next page of models after ``body``, or None on the last page."""
        return None
