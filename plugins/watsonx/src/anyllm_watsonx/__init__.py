"""IBM watsonx.ai for anyllm: the ``text/chat`` API, authenticated by an IAM API-key exchange.

Wire facts (IBM's watsonx.ai REST reference, "Infer text chat" / "Infer text chat stream", as typed by
IBM's own SDK ``@ibm-cloud/watsonx-ai`` ``TextChatParams`` / ``TextChatResponse`` / ``TextChatStreamItem``):
- ``POST {service_url}/ml/v1/text/chat?version=YYYY-MM-DD`` and ``.../text/chat_stream`` (SSE events
  named ``message``); the ``version`` query parameter is required on every call;
- the body names the model ``model_id`` and carries the ``project_id`` (or ``space_id``) it bills to;
  messages and tools are OpenAI-shaped; ``tool_choice`` is split in two: a string goes in
  ``tool_choice_option`` ("none" / "auto" / "required"), a named function in ``tool_choice``;
- answers are OpenAI-shaped without ``object`` (and, outside streams, without ``model``: ``model_id``);
  ``finish_reason`` may also be ``time_limit`` (read as "length"), ``cancelled`` or ``error``;
- usage comes in the stream's last item unasked (there is no ``stream_options``);
- errors are ``{"errors": [{"code", "message"}], "trace", "status_code"}``.

Authentication is IBM Cloud IAM's: the API key (``WATSONX_API_KEY``) is exchanged at
``https://iam.cloud.ibm.com/identity/token`` (``WATSONX_IAM_URL`` or ``iam_url=`` for private clouds)
for a bearer token living about an hour; core caches and refreshes it (:mod:`any_llm.auth`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from any_llm import errors, hookimpl
from any_llm.auth import TokenAuth, TokenFlow, TokenRequest
from any_llm.openai_compat import OpenAICompatibleProvider, OpenAIStreamParser
from any_llm.plugins import ProviderRegistry
from any_llm.provider import CompletionParams, HTTPRequest, StreamEvent
from any_llm.types.completion import ChatCompletionChunk
from any_llm.wire import error_details_from_json, loads

__all__ = ["DEFAULT_IAM_URL", "IAMTokenAuth", "WatsonxProvider"]

DEFAULT_IAM_URL = "https://iam.cloud.ibm.com/identity/token"
DEFAULT_VERSION = "2025-02-06"
IAM_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
_FINISH = {"time_limit": "length"}
_TOO_LONG = re.compile(r"(?i)input tokens.*(exceed|greater than)|tokens? limit|maximum sequence length")


class IAMTokenAuth(TokenAuth):
    """IBM Cloud IAM: API key → bearer token (``grant_type=urn:ibm:params:oauth:grant-type:apikey``)."""

    def __init__(self, api_key: str, iam_url: str = DEFAULT_IAM_URL) -> None:
        self._request = TokenRequest("POST", iam_url, form={"grant_type": IAM_GRANT, "apikey": api_key})

    def __repr__(self) -> str:
        return f"IAMTokenAuth(url={self._request.url!r})"

    def token_flow(self) -> TokenFlow:
        response = yield self._request
        return response.oauth_token("watsonx", "WATSONX_API_KEY (an IBM Cloud API key) and WATSONX_IAM_URL")


class WatsonxStreamParser(OpenAIStreamParser):
    """An ``event: error`` in the stream is the provider's error, not a chunk."""

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        if event.event == "error":
            data = loads(event.data, "watsonx")
            raise self.provider.parse_error(_status_of(data), {}, event.data)
        return super().feed(event)


def _status_of(data: Any) -> int:
    status = data.get("status_code") if isinstance(data, dict) else None
    return status if isinstance(status, int) and 400 <= status < 600 else 500


class WatsonxProvider(OpenAICompatibleProvider):
    """IBM watsonx.ai foundation models through ``/ml/v1/text/chat``."""

    name = "watsonx"
    display_name = "IBM watsonx.ai"
    api_key_env = ("WATSONX_API_KEY",)
    api_base_env = ("WATSONX_SERVICE_URL", "WATSONX_URL")
    default_api_base = "https://us-south.ml.cloud.ibm.com"
    docs_url = "https://cloud.ibm.com/apidocs/watsonx-ai"
    completion_path = "ml/v1/text/chat"
    stream_path: ClassVar[str] = "ml/v1/text/chat_stream"
    supports_images = True
    supports_reasoning = True
    supports_stream_usage = False
    unsupported_params = frozenset(
        {"user", "parallel_tool_calls", "stream_options", "service_tier", "prompt_cache_key"}
    )
    client_options = frozenset({"project_id", "space_id", "iam_url", "api_version"})
    stream_parser_class = WatsonxStreamParser

    def __init__(self, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
        super().__init__(api_key, api_base)
        self.project_id = os.environ.get("WATSONX_PROJECT_ID") or None
        self.space_id = os.environ.get("WATSONX_SPACE_ID") or None
        self.iam_url = os.environ.get("WATSONX_IAM_URL") or DEFAULT_IAM_URL
        self.api_version = os.environ.get("WATSONX_API_VERSION") or DEFAULT_VERSION
        self._configure(options)

    def _configure(self, options: dict[str, Any]) -> None:
        """The ``client_options`` given to ``AnyLLM.create()`` / in ``client_args``."""
        for name in ("project_id", "space_id", "iam_url", "api_version"):
            value = options.get(name)
            if value is not None:
                if not isinstance(value, str) or not value:
                    raise errors.ConfigurationError(f"{name} must be a non-empty string", provider=self.name)
                setattr(self, name, value)

    def auth_headers(self) -> dict[str, str]:
        return {}  # the bearer comes from the IAM exchange, never the API key itself

    def token_auth(self) -> TokenAuth | None:
        if self.api_key is None:
            raise errors.MissingApiKeyError(self.display_name, "WATSONX_API_KEY")
        return IAMTokenAuth(self.api_key.get(), self.iam_url)

    # -- request ------------------------------------------------------------------------------

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        request = super().build_completion_request(params)
        body = request.json
        version = str(body.pop("api_version", None) or self.api_version)
        if params.stream:
            request.url = self.stream_path
        request.params = {"version": version}
        return request

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body = super().build_body(params)
        body["model_id"] = body.pop("model")
        body.pop("stream", None)
        if isinstance(body.get("stop"), str):
            body["stop"] = [body["stop"]]  # the API takes a list only
        choice = body.pop("tool_choice", None)
        if isinstance(choice, str):
            body["tool_choice_option"] = choice
        elif choice is not None:
            body["tool_choice"] = choice
        project = body.pop("project_id", None) or self.project_id
        space = body.pop("space_id", None) or self.space_id
        if project:
            body["project_id"] = project
        elif space:
            body["space_id"] = space
        else:
            raise errors.ConfigurationError(
                "watsonx needs a project (or deployment space) to bill to: set WATSONX_PROJECT_ID, or pass "
                "project_id=... (client_args or the call), or space_id=...",
                provider=self.name,
            )
        return body

    # -- response -----------------------------------------------------------------------------

    def normalize_response(self, data: dict[str, Any]) -> dict[str, Any]:
        data["object"] = "chat.completion"
        data.setdefault("model", data.get("model_id", ""))
        for choice in data.get("choices") or ():
            self._finish(choice)
        return data

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        payload["object"] = "chat.completion.chunk"
        payload.setdefault("model", payload.get("model_id", ""))
        for choice in payload.get("choices") or ():
            self._finish(choice)
        return payload

    def _finish(self, choice: dict[str, Any]) -> None:
        reason = choice.get("finish_reason")
        if reason in ("cancelled", "error"):
            raise errors.ProviderError(
                f"watsonx stopped the completion early (finish_reason={reason!r})", provider=self.name
            )
        if reason in _FINISH:
            choice["finish_reason"] = _FINISH[reason]

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        err = super().parse_error(status_code, headers, body)
        if type(err) is errors.InvalidRequestError and _TOO_LONG.search(err.message):
            return errors.ContextLengthExceededError(
                err.message, provider=self.name, status_code=status_code, request_id=err.request_id, body=err.body
            )
        return err

    def error_details(self, body: bytes) -> tuple[str | None, str | None]:
        data = None
        try:
            data = loads(body, self.name)
        except errors.ResponseValidationError:
            pass
        if isinstance(data, dict) and isinstance(data.get("errors"), list) and data["errors"]:
            first = data["errors"][0]
            if isinstance(first, dict):
                message = first.get("message")
                code = first.get("code")
                return (str(message) if message else None), (str(code) if code else None)
        return error_details_from_json(body)


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(WatsonxProvider)
