"""llamafile's local OpenAI-compatible server for anyllm (``./model.llamafile --server``).

llamafile embeds a llama.cpp server, so it shares llama.cpp's differences from OpenAI:

- ``max_completion_tokens`` is sent as ``max_tokens``: the server of llamafile 0.8/0.9 ignores it.
- ``response_format`` ``json_schema`` is sent as ``{"type": "json_object", "schema": ...}``, which those
  servers grammar-force (they reject json_schema), as does the llama-server inside llamafile 0.10.
- ``n > 1`` is refused before sending: every llamafile server returns one choice or rejects ``n``.
- "prompt too big for model context size" and llama-server's ``exceed_context_size_error`` are
  ContextLengthExceededError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry

__all__ = ["LlamafileProvider"]


class LlamafileProvider(OpenAICompatibleProvider):
    """A running llamafile (``--server``); no key needed unless it was started with ``--api-key``."""

    name = "llamafile"
    single_token_limit = True
    display_name = "llamafile"
    api_key_env = ("LLAMAFILE_API_KEY",)
    api_base_env = ("LLAMAFILE_API_BASE",)
    default_api_base = "http://127.0.0.1:8080/v1"
    requires_api_key = False
    docs_url = "https://github.com/mozilla-ai/llamafile"
    supports_reasoning = True
    supports_list_models = True
    param_renames: ClassVar[Mapping[str, str]] = {"max_completion_tokens": "max_tokens"}
    max_choices = 1
    json_schema_as_json_object = True  # llama.cpp's server under the hood: a json_object's schema is a grammar
    context_markers = ("exceed_context_size", "context size")


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(LlamafileProvider)
