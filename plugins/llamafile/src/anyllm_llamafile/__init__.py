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
from typing import Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.provider import CompletionParams

__all__ = ["LlamafileProvider"]

_CONTEXT_MARKERS = ("exceed_context_size", "context size", "context window", "context length")


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

    def check_params(self, params: CompletionParams) -> None:
        super().check_params(params)
        if params.n is not None and params.n > 1:
            raise errors.UnsupportedParameterError(
                "n", self.name, "llamafile returns a single choice; make several calls instead"
            )

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body = super().build_body(params)
        fmt = body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema")
            schema = spec.get("schema") if isinstance(spec, dict) else None
            body["response_format"] = (
                {"type": "json_object", "schema": schema} if isinstance(schema, dict) else {"type": "json_object"}
            )
        return body

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        err = super().parse_error(status_code, headers, body)
        if isinstance(err, errors.InvalidRequestError) and not isinstance(
            err, (errors.ContextLengthExceededError, errors.ContentFilterError)
        ):
            text = f"{err.message} {err.body or ''}".lower()
            if any(marker in text for marker in _CONTEXT_MARKERS):
                return errors.ContextLengthExceededError(
                    err.message,
                    provider=err.provider,
                    status_code=err.status_code,
                    request_id=err.request_id,
                    body=err.body,
                )
        return err


@hookimpl
def anyllm_register_providers(registry: Any) -> None:
    registry.register(LlamafileProvider)
