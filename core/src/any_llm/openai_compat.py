"""The OpenAI chat-completions protocol, once, for every provider that speaks it.

:class:`OpenAICompatibleProvider` is a complete provider; a compatible service subclasses it with
declarations (name, env vars, base URL) plus its real quirks, expressed as class attributes
(``param_renames``, ``unsupported_params``, ``extra_headers``...) or small method overrides.

Quirks handled here for all of them:
- reasoning sent as ``reasoning_content`` or ``reasoning`` (a string), or as ``<think>…</think>`` at the
  start of the content (also split across stream chunks), all land in ``message.reasoning``;
- servers that repeat a tool call's ``id`` and ``function.name`` in every stream chunk
  (llama.cpp) are normalized to OpenAI's "first chunk only" so concatenation works;
- assistant tool-call turns are sent with ``content: ""`` rather than ``null``, which several
  local servers reject.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from any_llm import errors
from any_llm.families.openai_wire import OpenAIFamilyWire
from any_llm.provider import CompletionParams, HTTPRequest, Provider, StreamEvent, StreamParser
from any_llm.types.completion import (
    ChatCompletion,
    ChatCompletionChunk,
    ChoiceDelta,
    ChunkChoice,
    Reasoning,
)
from any_llm.wire import CONTEXT_MARKERS, errors_from_status, loads

if TYPE_CHECKING:
    from any_llm.types.embedding import CreateEmbeddingResponse
    from any_llm.types.model import Model
    from any_llm.types.responses import Response

__all__ = ["OpenAICompatibleProvider", "OpenAIStreamParser", "ThinkTagSplitter", "lift_reasoning", "stream_error"]

_REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")


class OpenAICompatibleProvider(OpenAIFamilyWire, Provider):
    """A provider speaking OpenAI's ``/chat/completions`` (plus ``/embeddings`` and ``/models``)."""

    completion_path: ClassVar[str] = "chat/completions"
    embedding_path: ClassVar[str] = "embeddings"
    models_path: ClassVar[str] = "models"
    param_renames: ClassVar[Mapping[str, str]] = {}
    """Seed parameter → the field name this service uses for it (e.g. ``{"seed": "random_seed"}``)."""
    extra_headers: ClassVar[Mapping[str, str]] = {}
    supports_stream_usage: ClassVar[bool] = True
    """Ask for usage in the last stream chunk (``stream_options.include_usage``) unless the caller chose."""
    think_tags: ClassVar[bool] = True
    """Move a leading ``<think>…</think>`` out of the content into ``message.reasoning``."""
    stream_parser_class: ClassVar[type[OpenAIStreamParser] | None] = None
    """A parser subclass for per-stream post-processing; the core builds it with the right ``pad_usage``."""
    json_schema_as_json_object: ClassVar[bool] = False
    """Send a ``json_schema`` response_format as ``{"type": "json_object", "schema": S}``: servers that turn a
    json_object's schema into a grammar but reject json_schema itself (llama.cpp, llamafile)."""
    send_reasoning_effort: ClassVar[bool] = True
    """Send ``reasoning_effort`` as is when the caller sets it (not "auto")."""

    # -- request ------------------------------------------------------------------------------

    def build_completion_request(self, params: CompletionParams) -> HTTPRequest:
        return HTTPRequest(
            "POST",
            self.completion_path,
            json=self.build_body(params),
            headers=dict(self.extra_headers),
            stream=bool(params.stream),
        )

    def build_body(self, params: CompletionParams) -> dict[str, Any]:
        body: dict[str, Any] = {"model": params.model, "messages": self.convert_messages(params.messages)}
        renames = self.param_renames
        sources: dict[str, str] = {}
        for name, value in params.given().items():
            if name == "reasoning_effort":
                body.update(self.map_reasoning_effort(value))
                continue
            wire = renames.get(name, name)
            if wire in sources:
                raise errors.ConfigurationError(
                    f"{sources[wire]} and {name} are the same setting for {self.name} (sent as {wire!r}); pass one"
                )
            sources[wire] = name
            body[wire] = value
        if params.tools is not None:
            body["tools"] = params.tools
        if params.stream:
            body["stream"] = True
            if self.supports_stream_usage and params.stream_options is None:
                body["stream_options"] = {"include_usage": True}
        else:
            body.pop("stream", None)
        if self.json_schema_as_json_object and params.response_format is not None:
            body["response_format"] = _json_schema_as_json_object(body.get("response_format"))
        body.update(params.extra)
        return body

    def map_reasoning_effort(self, effort: str) -> dict[str, Any]:
        """Body fields for a ``reasoning_effort`` other than "auto" ("auto" sends nothing)."""
        if not self.supports_reasoning and not self.send_reasoning_effort:
            raise errors.UnsupportedParameterError("reasoning_effort", self.name)
        return {"reasoning_effort": effort}

    def convert_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for message in messages:
            if "reasoning" in message or (message.get("tool_calls") and message.get("content") is None):
                message = {k: v for k, v in message.items() if k != "reasoning"}
                if message.get("tool_calls") and message.get("content") is None:
                    message["content"] = ""
            out.append(message)
        return out

    # -- response -----------------------------------------------------------------------------

    def parse_completion(self, body: bytes, params: CompletionParams) -> ChatCompletion:
        data = loads(body, self.name)
        if not isinstance(data, dict):
            raise errors.ResponseValidationError(
                f"{self.name} answered with JSON that is not an object",
                provider=self.name,
                body=body.decode("utf-8", "replace"),
            )
        if "error" in data and "choices" not in data:
            raise self.error_from_payload(data)
        data = self.normalize_response(data)
        choices = data.get("choices")
        for choice in choices if isinstance(choices, list) else ():  # a wrong shape fails validation below
            message = choice.get("message") if isinstance(choice, dict) else None
            if isinstance(message, dict):
                lift_reasoning(message, self.think_tags)
        try:
            return ChatCompletion.model_validate(data)
        except ValidationError as exc:
            raise errors.ResponseValidationError(
                f"{self.name} answered with a completion of the wrong shape: {_first_error(exc)}",
                provider=self.name,
                body=body.decode("utf-8", "replace"),
            ) from None

    def error_from_payload(self, payload: dict[str, Any]) -> errors.AnyLLMError:
        """Hook: the error for an ``{"error": ...}`` object in a 200 body or in a stream."""
        return stream_error(self.name, payload)

    def normalize_response(self, data: dict[str, Any]) -> dict[str, Any]:
        """Hook: reshape a decoded completion body into OpenAI's shape before validation."""
        return data

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Hook: reshape one decoded stream chunk before validation. Chunks it must see leave the fast
        path (bytes straight into the model): narrow them with :meth:`chunk_needs_normalize`."""
        return payload

    def chunk_needs_normalize(self, data: bytes) -> bool:
        """Hook: whether this raw event must go through :meth:`normalize_chunk` (default: every one, when
        overridden). A cheap byte test here keeps ordinary text chunks on the fast path. A chunk that fails
        fast validation is normalized anyway, so this only has to pick the chunks that would validate as
        they are and still need changing."""
        return True

    def stream_parser(self, params: CompletionParams) -> StreamParser:
        parser_class = self.stream_parser_class or OpenAIStreamParser
        return parser_class(self, pad_usage=self.supports_stream_usage and params.stream_options is None)

    # -- the native Responses API (used when a subclass sets supports_responses_native) ---------

    responses_path: ClassVar[str] = "responses"

    def build_responses_request(self, body: dict[str, Any]) -> HTTPRequest:
        return HTTPRequest(
            "POST", self.responses_path, json=body, headers=dict(self.extra_headers), stream=bool(body.get("stream"))
        )

    def parse_responses(self, body: bytes) -> Response:
        from any_llm.bridges.responses import parse_responses_body

        return parse_responses_body(body, self.name)

    def responses_stream_parser(self) -> StreamParser:
        from any_llm.bridges.responses import ResponsesStreamParser

        return ResponsesStreamParser(self.name)

    # -- embeddings and models ----------------------------------------------------------------

    def build_embedding_request(self, model: str, inputs: list[str], extra: dict[str, Any]) -> HTTPRequest:
        if not self.supports_embedding:
            raise errors.UnsupportedCapabilityError("embedding", self.name)
        return HTTPRequest(
            "POST",
            self.embedding_path,
            json={"model": model, "input": inputs, **extra},
            headers=dict(self.extra_headers),
        )

    def parse_embedding(self, body: bytes, model: str) -> CreateEmbeddingResponse:
        from any_llm.types.embedding import CreateEmbeddingResponse  # not on the chat path

        try:
            return CreateEmbeddingResponse.model_validate_json(body)
        except ValidationError as exc:
            raise errors.ResponseValidationError(
                f"{self.name} answered with embeddings of the wrong shape: {_first_error(exc)}",
                provider=self.name,
                body=body.decode("utf-8", "replace"),
            ) from None

    def build_list_models_request(self, extra: dict[str, Any]) -> HTTPRequest:
        if not self.supports_list_models:
            raise errors.UnsupportedCapabilityError("list_models", self.name)
        return HTTPRequest(
            "GET",
            self.models_path,
            params={k: str(v) for k, v in extra.items()} or None,
            headers=dict(self.extra_headers),
        )

    def parse_list_models(self, body: bytes) -> list[Model]:
        from any_llm.types.model import Model  # not on the chat path

        data = loads(body, self.name)
        items = data.get("data") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise errors.ResponseValidationError(
                f"{self.name} model list has no 'data' array", provider=self.name, body=body.decode("utf-8", "replace")
            )
        try:
            return [Model.model_validate(item) for item in items]
        except ValidationError as exc:
            raise errors.ResponseValidationError(
                f"{self.name} model list entry of the wrong shape: {_first_error(exc)}", provider=self.name
            ) from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    return f"{loc}: {err.get('msg')}"


def lift_reasoning(message: dict[str, Any], think_tags: bool) -> None:
    """Move provider reasoning fields / leading <think> tags into ``reasoning: {"content": ...}``."""
    for key in _REASONING_KEYS:
        value = message.get(key)
        if isinstance(value, str):
            del message[key]
            if value:
                message["reasoning"] = {"content": value}
            else:
                message.pop("reasoning", None)
            break
    content = message.get("content")
    if think_tags and isinstance(content, str) and content.lstrip().startswith("<think>"):
        splitter = ThinkTagSplitter()
        thought, text = splitter.feed(content)
        thought2, text2 = splitter.flush()
        thought += thought2
        text += text2
        if thought:
            prev = message.get("reasoning")
            merged = dict(prev) if isinstance(prev, dict) else {}
            merged["content"] = merged.get("content", "") + thought
            message["reasoning"] = merged
        message["content"] = text


def stream_error(provider: str, payload: dict[str, Any]) -> errors.AnyLLMError:
    """An ``{"error": ...}`` object found in a 200 body or in the middle of a stream.

    There is no HTTP status to go by, so one is inferred: from a numeric status/code field, else
    from the code's words (rate/invalid/context/auth), else from the message (context length), else 500.
    """
    import json

    err = payload.get("error")
    message = str((err.get("message") if isinstance(err, dict) else err) or "error in stream")
    code: str | None = None
    status = 500
    if isinstance(err, dict):
        raw_code = err.get("code") or err.get("type")
        code = str(raw_code) if raw_code is not None else None
        numeric = [c for c in (err.get("status"), err.get("code")) if isinstance(c, int) and 400 <= c < 600]
        if numeric:
            status = numeric[0]
        elif code:
            low = code.lower()
            if "rate" in low:
                status = 429
            elif "invalid" in low or "context" in low:
                status = 400
            elif "auth" in low:
                status = 401
    if status == 500 and any(m in message.lower() for m in CONTEXT_MARKERS):
        status = 400
    return errors_from_status(provider, status, {}, json.dumps(payload).encode(), message, code)


class ThinkTagSplitter:
    """Splits text that starts with ``<think>…</think>`` into (reasoning, content), fed piece by piece.

    Tags split across pieces are handled by holding back the few characters that could start one.
    """

    __slots__ = ("_buf", "_state")
    OPEN = "<think>"
    CLOSE = "</think>"

    def __init__(self) -> None:
        self._state = "start"  # start -> thinking -> after -> content, or start -> content
        self._buf = ""

    def feed(self, text: str) -> tuple[str, str]:
        if self._state == "content":
            return "", text
        if self._state == "after":  # newlines right after </think> are layout, not content
            text = text.lstrip("\n")
            if text:
                self._state = "content"
            return "", text
        self._buf += text
        if self._state == "start":
            stripped = self._buf.lstrip()
            if not stripped:
                return "", ""
            if stripped.startswith(self.OPEN):
                self._state = "thinking"
                self._buf = stripped[len(self.OPEN) :]
            elif self.OPEN.startswith(stripped):
                return "", ""  # could still become <think>
            else:
                self._state = "content"
                out, self._buf = self._buf, ""
                return "", out
        # thinking
        idx = self._buf.find(self.CLOSE)
        if idx >= 0:
            thought = self._buf[:idx]
            rest = self._buf[idx + len(self.CLOSE) :].lstrip("\n")
            self._buf = ""
            self._state = "content" if rest else "after"
            return thought, rest
        keep = _partial_suffix(self._buf, self.CLOSE)
        thought = self._buf[: len(self._buf) - keep]
        self._buf = self._buf[len(self._buf) - keep :]
        return thought, ""

    def flush(self) -> tuple[str, str]:
        buf, self._buf = self._buf, ""
        if self._state == "thinking":
            return buf, ""
        return "", buf

    @property
    def active(self) -> bool:
        return self._state != "content"


def _partial_suffix(text: str, tag: str) -> int:
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


class OpenAIStreamParser(StreamParser):
    """OpenAI SSE chunks → ChatCompletionChunk. The hot path is one ``model_validate_json`` per event."""

    __slots__ = ("_last", "_normalizes", "_seen_finish", "_splitters", "_tool_seen", "done", "pad_usage", "provider")

    def __init__(self, provider: OpenAICompatibleProvider, pad_usage: bool = False) -> None:
        self.provider = provider
        self._normalizes = (
            type(provider).normalize_chunk is not OpenAICompatibleProvider.normalize_chunk
            or type(self).normalize_chunk is not OpenAIStreamParser.normalize_chunk
        )
        self.pad_usage = pad_usage
        """Give the usage-only last chunk one empty choice. We asked for it on the caller's behalf, and
        ``chunk.choices[0].delta`` (as the seed examples write it) must not raise IndexError on it."""
        self.done = False
        self._seen_finish = False
        self._splitters: dict[int, ThinkTagSplitter] | None = {} if provider.think_tags else None
        self._tool_seen: dict[tuple[int, int], tuple[str | None, str | None]] = {}
        self._last: ChatCompletionChunk | None = None

    def feed(self, event: StreamEvent) -> Iterable[ChatCompletionChunk]:
        if self._normalizes and self.provider.chunk_needs_normalize(event.data):
            chunk = self._slow_parse(event.data)
        else:
            try:
                chunk = ChatCompletionChunk.model_validate_json(event.data)
            except ValidationError:
                chunk = self._slow_parse(event.data)
        if not chunk.choices and self.pad_usage:
            chunk.choices.append(ChunkChoice(index=0, delta=ChoiceDelta()))
            return (chunk,)
        for choice in chunk.choices:
            if choice.finish_reason is not None:
                self._seen_finish = True
            delta = choice.delta
            extra = delta.__pydantic_extra__
            if extra:
                self._lift_delta_reasoning(delta, extra)
            if self._splitters is not None and delta.content:
                self._split_think(choice.index, delta)
            if delta.tool_calls:
                self._dedupe_tool_calls(choice.index, delta)
        self._last = chunk
        return (chunk,)

    def _slow_parse(self, data: bytes) -> ChatCompletionChunk:
        name = self.provider.name
        payload = loads(data, name)
        if isinstance(payload, dict) and payload.get("error"):  # "error": null is no error
            raise self.provider.error_from_payload(payload)
        if isinstance(payload, dict) and self._normalizes:
            payload = self.normalize_chunk(payload)
        if isinstance(payload, dict):
            choices = payload.get("choices")
            for choice in choices if isinstance(choices, list) else ():
                delta = choice.get("delta") if isinstance(choice, dict) else None
                if isinstance(delta, dict):
                    for key in _REASONING_KEYS:
                        value = delta.get(key)
                        if isinstance(value, str):
                            del delta[key]
                            if value:  # as the fast path: an empty string is no reasoning
                                delta["reasoning"] = {"content": value}
                            break
        try:
            return ChatCompletionChunk.model_validate(payload)
        except ValidationError as exc:
            raise errors.ResponseValidationError(
                f"{name} sent a stream chunk of the wrong shape: {_first_error(exc)}",
                provider=name,
                body=data.decode("utf-8", "replace"),
            ) from None

    def normalize_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Per-stream hook (override in a parser subclass to keep state); defaults to the provider's."""
        return self.provider.normalize_chunk(payload)

    @staticmethod
    def _lift_delta_reasoning(delta: ChoiceDelta, extra: dict[str, Any]) -> None:
        for key in ("reasoning_content", "thinking"):
            value = extra.get(key)
            if isinstance(value, str):
                del extra[key]
                if value and delta.reasoning is None:
                    delta.reasoning = Reasoning(content=value)
                return

    def _split_think(self, index: int, delta: ChoiceDelta) -> None:
        assert self._splitters is not None
        assert delta.content is not None
        splitter = self._splitters.get(index)
        if splitter is None:
            splitter = self._splitters[index] = ThinkTagSplitter()
        if not splitter.active:
            return
        thought, text = splitter.feed(delta.content)
        delta.content = text or None
        if thought:
            prev = delta.reasoning.content if delta.reasoning else ""
            delta.reasoning = Reasoning(content=prev + thought)

    def _dedupe_tool_calls(self, index: int, delta: ChoiceDelta) -> None:
        for call in delta.tool_calls or ():
            key = (index, call.index)
            fn = call.function
            name = fn.name if fn else None
            seen = self._tool_seen.get(key)
            if seen is None:
                self._tool_seen[key] = (call.id, name)
                continue
            if call.id is not None and call.id == seen[0]:
                call.id = None
                call.type = None
            if fn is not None and name is not None and name == seen[1]:
                fn.name = None

    def finish(self) -> Iterable[ChatCompletionChunk]:
        return self._flush_splitters()

    def may_end(self) -> bool:
        """``[DONE]``, or a chunk with a finish_reason: some servers close without ``[DONE]``."""
        return self.done or self._seen_finish

    def _flush_splitters(self) -> list[ChatCompletionChunk]:
        """Text held back while a ``<think>`` tag was undecided is delivered at the end, not lost."""
        out: list[ChatCompletionChunk] = []
        if not self._splitters or self._last is None:
            return out
        for index, splitter in self._splitters.items():
            thought, text = splitter.flush()
            if thought or text:
                delta = ChoiceDelta(content=text or None, reasoning=Reasoning(content=thought) if thought else None)
                out.append(
                    ChatCompletionChunk(
                        id=self._last.id,
                        created=self._last.created,
                        model=self._last.model,
                        choices=[ChunkChoice(index=index, delta=delta)],
                    )
                )
        return out


def _json_schema_as_json_object(response_format: Any) -> Any:
    """``{"type": "json_schema", "json_schema": {"schema": S}}`` → ``{"type": "json_object", "schema": S}``."""
    if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
        return response_format
    spec = response_format.get("json_schema") or {}
    schema = spec.get("schema") if isinstance(spec, dict) else None
    return {"type": "json_object", "schema": schema} if isinstance(schema, dict) else {"type": "json_object"}
