"""anyllm: one ``completion()`` call for every LLM provider; each provider is a plugin.

Public names load on first use, so ``import any_llm`` stays cheap: pydantic types, plugins and
provider modules are imported only when a call needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

_LAZY = {
    "completion": "any_llm.api",
    "acompletion": "any_llm.api",
    "embedding": "any_llm.api",
    "aembedding": "any_llm.api",
    "list_models": "any_llm.api",
    "alist_models": "any_llm.api",
    "responses": "any_llm.api_responses",
    "aresponses": "any_llm.api_responses",
    "messages": "any_llm.api_responses",
    "amessages": "any_llm.api_responses",
    "LLMProvider": "any_llm.api",
    "AnyLLM": "any_llm.client",
    "hookimpl": "any_llm.hookspecs",
    "list_providers": "any_llm.plugins",
    "register_provider": "any_llm.plugins",
    "register_plugin": "any_llm.plugins",
    "CallInfo": "any_llm.callhooks",
    "cost": "any_llm.pricing",
    "model_info": "any_llm.model_metadata",
    "count_tokens": "any_llm.tokens",
    "acount_tokens": "any_llm.tokens",
    "ModelInfo": "any_llm.model_metadata",
    "Cost": "any_llm.pricing",
    "AttemptInfo": "any_llm.callhooks",
    "Provider": "any_llm.provider",
    "CompletionParams": "any_llm.provider",
    "HTTPRequest": "any_llm.provider",
    "OpenAICompatibleProvider": "any_llm.openai_compat",
    "AnyLLMError": "any_llm.errors",
    # the API families beside chat
    "rerank": "any_llm.families.rerank",
    "arerank": "any_llm.families.rerank",
    "moderation": "any_llm.families.moderation",
    "amoderation": "any_llm.families.moderation",
    "image_generation": "any_llm.families.images",
    "aimage_generation": "any_llm.families.images",
    "speech": "any_llm.families.audio",
    "aspeech": "any_llm.families.audio",
    "transcription": "any_llm.families.audio",
    "atranscription": "any_llm.families.audio",
    "create_batch": "any_llm.families.batch",
    "acreate_batch": "any_llm.families.batch",
    "retrieve_batch": "any_llm.families.batch",
    "aretrieve_batch": "any_llm.families.batch",
    "cancel_batch": "any_llm.families.batch",
    "acancel_batch": "any_llm.families.batch",
    "list_batches": "any_llm.families.batch",
    "alist_batches": "any_llm.families.batch",
    "retrieve_batch_results": "any_llm.families.batch",
    "aretrieve_batch_results": "any_llm.families.batch",
    "upload_file": "any_llm.families.files",
    "list_files": "any_llm.families.files",
    "alist_files": "any_llm.families.files",
    "aupload_file": "any_llm.families.files",
    "retrieve_file": "any_llm.families.files",
    "aretrieve_file": "any_llm.families.files",
    "file_content": "any_llm.families.files",
    "afile_content": "any_llm.families.files",
    "delete_file": "any_llm.families.files",
    "adelete_file": "any_llm.families.files",
    "ProviderRegistry": "any_llm.plugins",
    "RawResponse": "any_llm.calls",
    "SEED_PARAMS": "any_llm.params",
    "FallbacksExhaustedError": "any_llm.errors",
    "RetryPolicy": "any_llm.retry",
    "Router": "any_llm.router",
    "Deployment": "any_llm.router",
}

__all__ = [
    "SEED_PARAMS",
    "AnyLLM",
    "AnyLLMError",
    "AttemptInfo",
    "CallInfo",
    "CompletionParams",
    "Cost",
    "Deployment",
    "FallbacksExhaustedError",
    "HTTPRequest",
    "LLMProvider",
    "ModelInfo",
    "OpenAICompatibleProvider",
    "Provider",
    "ProviderRegistry",
    "RawResponse",
    "RetryPolicy",
    "Router",
    "__version__",
    "acancel_batch",
    "acompletion",
    "acount_tokens",
    "acreate_batch",
    "adelete_file",
    "aembedding",
    "afile_content",
    "aimage_generation",
    "alist_batches",
    "alist_files",
    "alist_models",
    "amessages",
    "amoderation",
    "arerank",
    "aresponses",
    "aretrieve_batch",
    "aretrieve_batch_results",
    "aretrieve_file",
    "aspeech",
    "atranscription",
    "aupload_file",
    "cancel_batch",
    "completion",
    "cost",
    "count_tokens",
    "create_batch",
    "delete_file",
    "embedding",
    "file_content",
    "hookimpl",
    "image_generation",
    "list_batches",
    "list_files",
    "list_models",
    "list_providers",
    "messages",
    "model_info",
    "moderation",
    "register_plugin",
    "register_provider",
    "rerank",
    "responses",
    "retrieve_batch",
    "retrieve_batch_results",
    "retrieve_file",
    "speech",
    "transcription",
    "upload_file",
]

if TYPE_CHECKING:
    __version__: str
    from any_llm.api import (
        LLMProvider,
        acompletion,
        aembedding,
        alist_models,
        completion,
        embedding,
        list_models,
    )
    from any_llm.api_responses import amessages, aresponses, messages, responses
    from any_llm.callhooks import AttemptInfo, CallInfo
    from any_llm.calls import RawResponse
    from any_llm.client import AnyLLM
    from any_llm.errors import AnyLLMError, FallbacksExhaustedError
    from any_llm.families.audio import aspeech, atranscription, speech, transcription
    from any_llm.families.batch import (
        acancel_batch,
        acreate_batch,
        alist_batches,
        aretrieve_batch,
        aretrieve_batch_results,
        cancel_batch,
        create_batch,
        list_batches,
        retrieve_batch,
        retrieve_batch_results,
    )
    from any_llm.families.files import (
        adelete_file,
        afile_content,
        alist_files,
        aretrieve_file,
        aupload_file,
        delete_file,
        file_content,
        list_files,
        retrieve_file,
        upload_file,
    )
    from any_llm.families.images import aimage_generation, image_generation
    from any_llm.families.moderation import amoderation, moderation
    from any_llm.families.rerank import arerank, rerank
    from any_llm.hookspecs import hookimpl
    from any_llm.model_metadata import ModelInfo, model_info
    from any_llm.openai_compat import OpenAICompatibleProvider
    from any_llm.params import SEED_PARAMS
    from any_llm.plugins import ProviderRegistry, list_providers, register_plugin, register_provider
    from any_llm.pricing import Cost, cost
    from any_llm.provider import CompletionParams, HTTPRequest, Provider
    from any_llm.retry import RetryPolicy
    from any_llm.router import Deployment, Router
    from any_llm.tokens import acount_tokens, count_tokens


def __getattr__(name: str) -> Any:
    if name == "__version__":  # stated once, in core/pyproject.toml; read from the installed metadata
        from importlib.metadata import version

        value: str = version("anyllm-core")
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'any_llm' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})
