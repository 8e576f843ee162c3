"""The sans-I/O provider contract: declarations plus pure build/parse functions.

A provider never touches the network. It turns our normalized :class:`CompletionParams` into an
:class:`HTTPRequest`, and turns response bytes and stream events back into our types. The core
(:mod:`any_llm.transport`) sends the request, so every provider gets the same pooling, retries,
timeouts, streaming and error handling, and a provider is testable without any server.

A third-party provider subclasses :class:`Provider` (or :class:`any_llm.openai_compat.OpenAICompatibleProvider`
when the service speaks OpenAI's protocol), and registers the class from its plugin module::

    from any_llm import hookimpl

    @hookimpl
    def anyllm_register_providers(registry):
        registry.register(MyProvider)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from any_llm import errors
from any_llm.families.contract import FamilyHooks
from any_llm.wire import error_details_from_json, errors_from_status

if TYPE_CHECKING:
    from any_llm.auth import TokenAuth
    from any_llm.families.flow import Flow
    from any_llm.types.completion import ChatCompletion, ChatCompletionChunk
    from any_llm.types.embedding import CreateEmbeddingResponse
    from any_llm.types.messages import MessageResponse
    from any_llm.types.model import Model
    from any_llm.types.responses import Response
    from any_llm.uploads import Multipart, StreamBody

__all__ = [
    "CAPABILITIES",
    "CompletionParams",
    "HTTPRequest",
    "Provider",
    "Secret",
    "StreamEvent",
    "StreamParser",
]

CAPABILITIES = (
    "completion",
    "streaming",
    "tools",
    "structured_output",
    "reasoning",
    "images",
    "audio",
    "documents",
    "embedding",
    "list_models",
    "count_tokens",
    # the API families beside chat (any_llm.families)
    "rerank",
    "moderation",
    "image_generation",
    "speech",
    "transcription",
    "batch",
)
"""The capability flags every provider declares (``supports_<name>`` class attributes)."""


class Secret:
    """An API key that never shows itself in a repr, str, log line or error."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        errors.register_secret(value)
        self._value = value

    def get(self) -> str:
        """The key itself, for building an auth header."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("API keys are not picklable")


@dataclass(slots=True)
class HTTPRequest:
    """What a provider wants sent. ``url`` is absolute, or a path joined to the provider's base URL.

    The body is ``json`` (core serializes it) or ``content``, raw bytes sent as given (a binary or
    pre-serialized body; set ``Content-Type`` in ``headers``); giving both is an error.
    """

    method: str
    url: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] | None = None
    stream: bool = False
    upload: Multipart | StreamBody | None = None
    """A streamed body (multipart form or raw chunks, see :mod:`any_llm.uploads`) instead of ``json``."""
    download: bool = False
    """Leave a binary body unread for the caller to stream (speech audio, file contents)."""
    call_headers: dict[str, str] | None = None
    """The caller's ``extra_headers`` for this call: set by core, sent last so they win over every other header."""
    content: bytes | None = None

    def __repr__(self) -> str:
        # Headers carry keys: never show them.
        return f"HTTPRequest(method={self.method!r}, url={self.url!r}, stream={self.stream!r})"


@dataclass(slots=True)
class StreamEvent:
    """One decoded stream event: an SSE event (``event`` may be None), one NDJSON line, or one AWS
    event-stream message (``data`` its payload, ``event`` its ``:event-type`` or ``:exception-type``,
    ``headers`` all its headers, ``:message-type`` among them)."""

    data: bytes
    event: str | None = None
    headers: dict[str, Any] | None = None


# The seed parameters of completion(), in order, as CompletionParams carries them.
@dataclass(slots=True)
class CompletionParams:
    """The normalized request every provider translates.

    ``messages`` are plain dicts in OpenAI's shape, ``tools`` are OpenAI tool dicts (callables are
    already converted), ``response_format`` is the OpenAI wire form and ``output_type`` the pydantic
    model or dataclass to parse into (if any). ``extra`` holds the caller's ``**kwargs``, which go
    into the provider's request body verbatim.
    """

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    response_format: dict[str, Any] | None = None
    stream: bool | None = None
    n: int | None = None
    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    user: str | None = None
    parallel_tool_calls: bool | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    logit_bias: dict[str, float] | None = None
    stream_options: dict[str, Any] | None = None
    max_completion_tokens: int | None = None
    reasoning_effort: str | None = "auto"
    service_tier: str | None = None
    prompt_cache_key: str | None = None
    output_type: type | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def output_limit(self) -> int | None:
        """The caller's cap on generated tokens: ``max_completion_tokens``, else ``max_tokens`` (for
        providers with one limit field; ``single_token_limit`` refuses two different values)."""
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens

    @property
    def stop_sequences(self) -> list[str] | None:
        """``stop`` as a list (OpenAI takes one string or a list; most other APIs take only a list)."""
        return [self.stop] if isinstance(self.stop, str) else None if self.stop is None else list(self.stop)

    def given(self) -> dict[str, Any]:
        """The optional request parameters the caller set (not None; ``reasoning_effort="auto"`` excluded)."""
        out: dict[str, Any] = {}
        for f in _PARAM_FIELDS:
            value = getattr(self, f)
            if value is None or (f == "reasoning_effort" and value == "auto"):
                continue
            out[f] = value
        return out


_PARAM_FIELDS = tuple(
    f.name for f in fields(CompletionParams) if f.name not in ("model", "messages", "output_type", "extra")
)


class StreamParser:
    """Per-stream state turning events into chunks. Subclass it; one instance serves one stream.

    ``feed`` is called once per event, ``finish`` once when the body ends. Either may raise an
    :class:`~any_llm.errors.AnyLLMError` (an error event, or a stream cut before its end).
    """

    done: bool = False
    """Set when the protocol's own end marker arrived; the core stops reading then."""

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        raise NotImplementedError

    def finish(self) -> Iterable[ChatCompletionChunk]:
        """Called once at end of body: return what the parser held back. Core then raises
        :class:`~any_llm.errors.APIConnectionError` itself if the stream was cut (see :meth:`may_end`)."""
        return ()

    def may_end(self) -> bool:
        """Whether the body may end here without the stream having been cut. The default is
        :attr:`done`; a protocol with no end marker (the last event carries a finish reason instead)
        overrides it."""
        return self.done


class Provider(FamilyHooks):
    """Base class of every provider: declarations, then pure translation functions.

    Class attributes are the declarations that discovery, the README's provider table and the
    conformance kit read without instantiating anything.
    """

    name: ClassVar[str] = ""
    """The name users pass as ``provider=`` (lower case, no colon or slash)."""
    display_name: ClassVar[str] = ""
    api_key_env: ClassVar[tuple[str, ...]] = ()
    """Env vars holding the key, in order of preference."""
    api_base_env: ClassVar[tuple[str, ...]] = ()
    """Env vars that override the base URL, in order of preference."""
    default_api_base: ClassVar[str] = ""
    requires_api_key: ClassVar[bool] = True
    stream_format: ClassVar[Literal["sse", "ndjson", "aws-eventstream"]] = "sse"
    docs_url: ClassVar[str] = ""

    supports_completion: ClassVar[bool] = True
    supports_streaming: ClassVar[bool] = True
    supports_tools: ClassVar[bool] = True
    supports_structured_output: ClassVar[bool] = True
    supports_reasoning: ClassVar[bool] = False
    supports_images: ClassVar[bool] = False
    """Image content parts (``image_url``) in messages; core refuses them before sending when False."""
    supports_audio: ClassVar[bool] = False
    """Audio input parts (``input_audio``) in messages."""
    supports_documents: ClassVar[bool] = False
    """File/document parts (``file``: PDFs and the like) in messages."""
    supports_embedding: ClassVar[bool] = False
    supports_list_models: ClassVar[bool] = False
    supports_count_tokens: ClassVar[bool] = False
    """A token-counting endpoint exists: implement build_count_tokens_request / parse_count_tokens."""
    capability_notes: ClassVar[Mapping[str, str]] = {}
    """Why a capability declared off is off and what to use instead (``{"batch": "..."}``): core adds it
    to the UnsupportedCapabilityError it raises before sending anything."""

    supports_responses_native: ClassVar[bool] = False
    """Serves OpenAI's ``POST /responses``: ``responses()`` is sent there (see :meth:`build_responses_request`).
    Otherwise core translates ``responses()`` over chat completions (:mod:`any_llm.bridges.responses`)."""
    responses_keeps_state: ClassVar[bool] = True
    """With ``supports_responses_native``: whether the endpoint keeps state. A stateless one (``False``) gets
    ``previous_response_id``, ``conversation``, ``store=True`` and ``background=True`` refused before sending."""
    supports_messages_native: ClassVar[bool] = False
    """Serves Anthropic's ``POST /v1/messages``: ``messages()`` is sent there (see :meth:`build_messages_request`).
    Otherwise core translates ``messages()`` over chat completions (:mod:`any_llm.bridges.messages`)."""

    unsupported_params: ClassVar[frozenset[str]] = frozenset()
    """Seed parameters this provider cannot honour: setting one raises UnsupportedParameterError."""
    max_choices: ClassVar[int | None] = None
    """The most choices one request can return; a larger ``n`` is refused before sending (None: no limit)."""
    context_markers: ClassVar[tuple[str, ...]] = ()
    """Phrases of this provider's error text meaning "the prompt is too long", beside core's common ones:
    a 4xx carrying one becomes :class:`~any_llm.errors.ContextLengthExceededError`."""
    tool_choices: ClassVar[frozenset[str] | None] = None
    """The string ``tool_choice`` values this provider honours (None: all of OpenAI's); another value is
    refused before sending with :class:`~any_llm.errors.UnsupportedParameterError` naming these."""
    named_tool_choice: ClassVar[bool] = True
    """Whether a ``tool_choice`` naming one function (``{"type": "function", "function": {"name": ...}}``)
    is honoured; when False it is refused before sending."""
    single_token_limit: ClassVar[bool] = False
    """``max_tokens`` and ``max_completion_tokens`` map to one field here (``params.output_limit``): giving
    both with different values is refused."""
    client_options: ClassVar[frozenset[str]] = frozenset()
    """``client_args`` keys that configure the provider itself (``region_name``...): core passes them to the
    constructor as keyword arguments instead of to httpx."""
    http_transport: ClassVar[Any] = None
    """Deprecated (warns when set): an ``httpx`` transport to use instead of the network. Tests pass one the
    way httpx takes it: ``AnyLLM.create(..., transport=...)``, or :func:`any_llm.transport.mount`."""

    def __init__(self, api_key: str | None = None, api_base: str | None = None) -> None:
        self.api_key: Secret | None = Secret(api_key) if api_key else None
        self.api_base = (api_base or self.default_api_base).rstrip("/")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, api_base={self.api_base!r})"

    @classmethod
    def normalize_api_base(cls, base: str) -> str:
        """Hook: complete a base URL given the way the provider's own tools accept it (``host:port``...).
        The result must be an http(s) URL, or the call fails with a ConfigurationError."""
        return base

    @classmethod
    def capabilities(cls) -> dict[str, bool]:
        return {cap: bool(getattr(cls, f"supports_{cap}")) for cap in CAPABILITIES}

    # -- requests -----------------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request; the default is ``Authorization: Bearer <key>``."""
        return {"Authorization": f"Bearer {self.api_key.get()}"} if self.api_key else {}

    def token_auth(self) -> TokenAuth | None:
        """Hook: how to get a short-lived token before sending (an OAuth2 exchange, IBM IAM, a Google
        service account, a user's callable), or None (the default: :meth:`auth_headers` is enough).
        Core calls it once per client, then caches and refreshes the token (:mod:`any_llm.auth`)."""
        return None

    def sign_request(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        """Headers to add so the request carries a signature over its final bytes (AWS SigV4...).

        Core calls it right before each attempt is sent (first try, every retry, every redirect) with
        the exact method, URL (query included), headers and body going on the wire, so a signature that
        depends on the time is fresh on every attempt. Pure; the default signs nothing.
        """
        return {}

    def sign_upload(
        self, method: str, url: str, headers: Mapping[str, str], payload_sha256: str | None
    ) -> dict[str, str] | None:
        """Headers that sign a streamed upload (:mod:`any_llm.uploads`) without holding its bytes.

        Core asks first with ``payload_sha256=None``: a protocol that can leave the payload out of the
        signature (SigV4's ``x-amz-content-sha256: UNSIGNED-PAYLOAD`` for S3-style services) signs now. None
        means "I need the digest": core then hashes the body in one streaming pass, when its source can be
        read again (a path, bytes, a seekable file), and asks again with the hex SHA-256. The default, None
        both times, makes a provider that overrides :meth:`sign_request` refuse uploads before sending.
        """
        return None

    def _check_tool_choice(self, choice: str | dict[str, Any] | None) -> None:
        if choice is None or (self.tool_choices is None and self.named_tool_choice):
            return
        if isinstance(choice, str) and (self.tool_choices is None or choice in self.tool_choices):
            return
        if isinstance(choice, dict) and choice.get("type") == "function" and self.named_tool_choice:
            return
        takes = " or ".join(f'"{c}"' for c in sorted(self.tool_choices or ()))
        if self.named_tool_choice:
            takes += ' or {"type": "function", "function": {"name": ...}}'
        elif isinstance(choice, dict):
            takes = f"no named tool (it cannot force one call); use {takes}"
        raise errors.UnsupportedParameterError(
            "tool_choice", self.name, f"{self.display_name or self.name} takes {takes}, got {choice!r:.80}"
        )

    def check_params(self, params: CompletionParams) -> None:
        """Refuse what this provider cannot honour, before anything is sent."""
        for name in params.given():
            if name in self.unsupported_params:
                raise errors.UnsupportedParameterError(name, self.name)
        if self.max_choices is not None and params.n is not None and params.n > self.max_choices:
            raise errors.UnsupportedParameterError(
                "n",
                self.name,
                f"{self.display_name or self.name} returns at most {self.max_choices} choice(s) per request; "
                "make several calls instead",
            )
        if (
            self.single_token_limit
            and params.max_tokens is not None
            and params.max_completion_tokens is not None
            and params.max_tokens != params.max_completion_tokens
        ):
            raise errors.ConfigurationError(
                f"pass max_tokens or max_completion_tokens, not both with different values "
                f"({self.display_name or self.name} has one token limit)",
                provider=self.name,
            )
        self._check_tool_choice(params.tool_choice)
        if params.tools and not self.supports_tools:
            raise errors.UnsupportedCapabilityError("tools", self.name)
        if params.stream and not self.supports_streaming:
            raise errors.UnsupportedCapabilityError("streaming", self.name)
        if params.response_format and not self.supports_structured_output:
            raise errors.UnsupportedParameterError("response_format", self.name)

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        raise NotImplementedError

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        raise NotImplementedError

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        raise NotImplementedError

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        raise errors.UnsupportedCapabilityError("embedding", self.name)

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        raise errors.UnsupportedCapabilityError("embedding", self.name)

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        raise errors.UnsupportedCapabilityError("list_models", self.name)

    def parse_list_models(self, body: bytes) -> list[Model]:
        raise errors.UnsupportedCapabilityError("list_models", self.name)

    def build_model_info_request(self, model: str) -> HTTPRequest | None:
        """Hook: a request describing one model in more detail than the models list does (Ollama's
        ``/api/show``: context length, capabilities), read by :meth:`parse_model_info`. None (the default):
        ``model_info()`` reads the model's entry of :meth:`parse_list_models`."""
        return None

    def parse_model_info(self, body: bytes, model: str) -> Model:
        """The model described by the reply to :meth:`build_model_info_request`."""
        raise errors.UnsupportedCapabilityError("model_info", self.name)

    def build_count_tokens_request(self, params: CompletionParams) -> HTTPRequest:
        """The request that counts the input tokens of ``params`` (messages, system, tools) on the server."""
        raise errors.UnsupportedCapabilityError("count_tokens", self.name)

    def parse_count_tokens(self, body: bytes) -> int:
        """The input-token count from the counting endpoint's reply."""
        raise errors.UnsupportedCapabilityError("count_tokens", self.name)

    def count_tokens_flow(self, params: CompletionParams) -> Flow[int] | None:
        """Hook: counting that takes more than one request (llama.cpp renders the chat template, then
        tokenizes the prompt) as a flow (:mod:`any_llm.families.flow`: yield requests, return the count).
        None, the default: one request, :meth:`build_count_tokens_request` then :meth:`parse_count_tokens`."""
        return None

    # -- native Responses / Messages endpoints (only with supports_*_native) -------------------

    def build_responses_request(self, body: dict[str, Any]) -> HTTPRequest:
        """The request carrying a ``/responses`` body (already built and checked by core)."""
        raise errors.UnsupportedCapabilityError("native responses", self.name)

    def parse_responses(self, body: bytes) -> Response:
        raise errors.UnsupportedCapabilityError("native responses", self.name)

    def responses_stream_parser(self) -> StreamParser:
        """A parser whose ``feed`` yields Responses stream events (``any_llm.types.responses``)."""
        raise errors.UnsupportedCapabilityError("native responses", self.name)

    def build_messages_request(self, body: dict[str, Any]) -> HTTPRequest:
        """The request carrying a ``/v1/messages`` body (already built by core)."""
        raise errors.UnsupportedCapabilityError("native messages", self.name)

    def parse_messages(self, body: bytes) -> MessageResponse:
        raise errors.UnsupportedCapabilityError("native messages", self.name)

    def messages_stream_parser(self) -> StreamParser:
        """A parser whose ``feed`` yields Messages stream events (``any_llm.types.messages``)."""
        raise errors.UnsupportedCapabilityError("native messages", self.name)

    # -- errors -------------------------------------------------------------------------------

    def parse_error(self, status_code: int, headers: Mapping[str, str], body: bytes) -> errors.AnyLLMError:
        """Map an error response to our exception. Override :meth:`error_details` for a new body shape."""
        message, code = self.error_details(body)
        return errors_from_status(
            self.name, status_code, headers, body, message or f"HTTP {status_code}", code, self.context_markers
        )

    def error_details(self, body: bytes) -> tuple[str | None, str | None]:
        """Pull (message, code/type) out of an error body; understands the common JSON shapes."""
        return error_details_from_json(body)


_MOVED_TO_WIRE = frozenset(
    {
        "CONTEXT_MARKERS",
        "SHAPE_ERRORS",
        "error_details_from_json",
        "errors_from_status",
        "loads",
        "loads_object",
        "parse_retry_after",
        "shape_error",
    }
)


def __getattr__(name: str) -> Any:
    """The wire helpers moved to :mod:`any_llm.wire`; importing them from here still works, with a warning."""
    if name in _MOVED_TO_WIRE:
        warnings.warn(
            f"any_llm.provider.{name} moved to any_llm.wire.{name}; import it from there",
            DeprecationWarning,
            stacklevel=2,
        )
        from any_llm import wire

        return getattr(wire, name)
    raise AttributeError(f"module 'any_llm.provider' has no attribute {name!r}")
