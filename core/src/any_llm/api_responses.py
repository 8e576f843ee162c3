"""``responses()`` / ``aresponses()`` and ``messages()`` / ``amessages()``: any-llm's signatures, every provider.

A provider that serves the API natively gets the request as is (``supports_responses_native``:
OpenAI, Azure OpenAI, xAI, Groq, OpenRouter; ``supports_messages_native``: Anthropic); every other
provider gets it translated over
chat completions by :mod:`any_llm.bridges`, with the same result types and stream events. What a
translation cannot carry (state kept on the provider's servers, built-in tools...) raises
``UnsupportedParameterError`` before anything is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from any_llm.api import pooled_client

if TYPE_CHECKING:
    from any_llm.api import LLMProvider
    from any_llm.types.messages import MessageResponse, MessageStreamEvent, ParsedMessage
    from any_llm.types.responses import ParsedResponse, Response, ResponseInput, ResponseStreamEvent

__all__ = ["amessages", "aresponses", "messages", "responses"]

_T = TypeVar("_T")
_NOT_FORWARDED = frozenset({"model", "provider", "api_key", "api_base", "client_args", "kwargs"})


def _forwarded(scope: dict[str, Any]) -> dict[str, Any]:
    """The call's own arguments (those the client takes), the caller's ``**kwargs`` merged in."""
    args = {k: v for k, v in scope.items() if k not in _NOT_FORWARDED}
    args.update(scope["kwargs"])
    return args


@overload
def responses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: Literal[True],
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | type | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Iterator[ResponseStreamEvent]: ...


@overload
def responses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: Literal[False] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: type[_T],
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ParsedResponse[_T]: ...


@overload
def responses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: Literal[False] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Response: ...


@overload
def responses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: bool | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | type | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Response | Iterator[ResponseStreamEvent]: ...


def responses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: bool | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | type | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Response | Iterator[ResponseStreamEvent]:
    """Create a response with the OpenAI Responses API, on any installed provider.

    Args:
        model: Model identifier; with ``provider``, or as 'provider:model'.
        input_data: A string (one user turn) or a list of input items: messages
            (``{"role": "user", "content": ...}``), ``function_call`` / ``function_call_output`` items,
            and output items of an earlier response (``response.output``) replayed as they are.
        provider: Provider name (case-insensitive) or an ``LLMProvider``.
        tools: Function tools (Python callables, Responses or chat-completions tool dicts); built-in
            tools (web search...) on providers that serve ``/responses`` natively.
        tool_choice: "auto", "none", "required" or ``{"type": "function", "name": ...}``.
        max_output_tokens: Maximum number of output tokens (reasoning included).
        temperature: Randomness, 0.0 to 2.0.
        top_p: Nucleus sampling, 0.0 to 1.0.
        stream: Return an iterator of ``ResponseStreamEvent`` (also a context manager).
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        instructions: A system (developer) message put before the input.
        max_tool_calls: Limit on built-in tool calls (native providers only).
        parallel_tool_calls: Whether the model may call several tools at once.
        reasoning: Reasoning settings, e.g. ``{"effort": "low"}``.
        text: Text output settings, e.g. ``{"format": {"type": "json_schema", ...}}``.
        response_format: A pydantic model or dataclass (the result is a ``ParsedResponse`` with
            ``output_parsed``), or a chat-completions ``response_format`` dict.
        presence_penalty: Penalize tokens already present in the text.
        frequency_penalty: Penalize tokens by their frequency in the text.
        truncation: How the service truncates input that exceeds the context window.
        context_management: Server-side compaction settings (native providers only).
        store: Store the response on the provider's servers (native providers only).
        service_tier: The service tier to use.
        user: Unique identifier of the end user.
        metadata: Your own key-value tags, returned on the response.
        previous_response_id: Continue from a stored response (native providers only).
        include: Extra output data, e.g. "reasoning.encrypted_content" (native providers only).
        background: Run in the background (native providers only).
        safety_identifier: A stable end-user identifier for abuse detection (native providers only).
        prompt_cache_key: Key for the provider's prompt cache.
        prompt_cache_retention: How long to keep a prompt cache entry (native providers only).
        conversation: The stored conversation this response belongs to (native providers only).
        timeout: Seconds for this request (``client_args`` sets the client's default).
        extra_body: Fields merged into the request body sent (the chat-completions body when translated).
        client_args: Client settings: timeout, max_retries, default_headers, http_client, or httpx options.
        **kwargs: Provider-specific fields, sent in the request body as given.

    Returns:
        A ``Response`` (``.output_text`` joins its text); a ``ParsedResponse`` when
        ``response_format`` is a type; an iterator of ``ResponseStreamEvent`` when streaming (async
        iterator from ``aresponses``).

    Raises:
        AnyLLMError: a subclass named for what went wrong; ``UnsupportedParameterError`` before
            sending for what a translated provider cannot honour.
    """
    call_args = _forwarded(locals())
    client, model_id = pooled_client(model, provider, api_key, api_base, client_args)
    result: Response | Iterator[ResponseStreamEvent] = client.responses(model_id, **call_args)
    return result


@overload
async def aresponses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: Literal[True],
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | type | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> AsyncIterator[ResponseStreamEvent]: ...


@overload
async def aresponses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: Literal[False] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: type[_T],
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ParsedResponse[_T]: ...


@overload
async def aresponses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: Literal[False] | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Response: ...


@overload
async def aresponses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: bool | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | type | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Response | AsyncIterator[ResponseStreamEvent]: ...


async def aresponses(
    model: str,
    input_data: ResponseInput,
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    max_output_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    stream: bool | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    instructions: str | None = None,
    max_tool_calls: int | None = None,
    parallel_tool_calls: bool | None = None,
    reasoning: Any | None = None,
    text: Any | None = None,
    response_format: dict[str, Any] | type | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    truncation: str | None = None,
    context_management: list[dict[str, Any]] | None = None,
    store: bool | None = None,
    service_tier: str | None = None,
    user: str | None = None,
    metadata: dict[str, str] | None = None,
    previous_response_id: str | None = None,
    include: list[str] | None = None,
    background: bool | None = None,
    safety_identifier: str | None = None,
    prompt_cache_key: str | None = None,
    prompt_cache_retention: str | None = None,
    conversation: str | dict[str, Any] | None = None,
    timeout: float | None = None,
    extra_body: dict[str, Any] | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Response | AsyncIterator[ResponseStreamEvent]:
    call_args = _forwarded(locals())
    client, model_id = pooled_client(model, provider, api_key, api_base, client_args)
    result: Response | AsyncIterator[ResponseStreamEvent] = await client.aresponses(model_id, **call_args)
    return result


aresponses.__doc__ = responses.__doc__


@overload
def messages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: Literal[True],
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type | dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Iterator[MessageStreamEvent]: ...


@overload
def messages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: Literal[False] | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type[_T],
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ParsedMessage[_T]: ...


@overload
def messages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: Literal[False] | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> MessageResponse: ...


@overload
def messages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: bool | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type | dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> MessageResponse | Iterator[MessageStreamEvent]: ...


def messages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: bool | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type | dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> MessageResponse | Iterator[MessageStreamEvent]:
    """Create a message with the Anthropic Messages API, on any installed provider.

    Args:
        model: Model identifier; with ``provider``, or as 'provider:model'.
        messages: The conversation in Anthropic's shape: user/assistant turns whose content is a
            string or blocks (text, image, tool_use, tool_result, ...).
        max_tokens: Maximum number of tokens to generate.
        provider: Provider name (case-insensitive) or an ``LLMProvider``.
        system: The system prompt (a string or text blocks).
        temperature: Randomness, 0.0 to 1.0.
        top_p: Nucleus sampling.
        top_k: Sample only from the top K tokens (native providers only).
        stream: Return an iterator of ``MessageStreamEvent`` (also a context manager).
        stop_sequences: Custom stop sequences.
        tools: Anthropic tool dicts (``{"name", "description", "input_schema"}``), Python callables or
            OpenAI function tools.
        tool_choice: ``{"type": "auto" | "any" | "none"}`` or ``{"type": "tool", "name": ...}``.
        metadata: ``{"user_id": ...}``.
        thinking: ``{"type": "enabled", "budget_tokens": N}`` or ``{"type": "disabled"}``.
        cache_control: Prompt-caching settings (native providers only).
        prompt_cache_key: Key for the provider's prompt cache.
        service_tier: The service tier to use.
        context_management: Context management settings (native providers only).
        betas: Anthropic beta identifiers, sent as the ``anthropic-beta`` header (native providers only).
        output_format: A pydantic model or dataclass (the result is a ``ParsedMessage`` with
            ``parsed_output``), or an ``output_config`` dict.
        timeout: Seconds for this request (``client_args`` sets the client's default).
        api_key: The provider's key; defaults to its env var.
        api_base: Base URL of the provider's API.
        client_args: Client settings: timeout, max_retries, default_headers, http_client, or httpx options.
        **kwargs: Provider-specific fields, sent in the request body as given.

    Returns:
        A ``MessageResponse`` (a ``ParsedMessage`` with ``output_format`` a type), or an iterator of
        ``MessageStreamEvent`` when streaming (async iterator from ``amessages``).

    Raises:
        AnyLLMError: a subclass named for what went wrong; ``UnsupportedParameterError`` before
            sending for what a translated provider cannot honour.
    """
    call_args = _forwarded(locals())
    client, model_id = pooled_client(model, provider, api_key, api_base, client_args)
    result: MessageResponse | Iterator[MessageStreamEvent] = client.messages(model_id, **call_args)
    return result


@overload
async def amessages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: Literal[True],
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type | dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> AsyncIterator[MessageStreamEvent]: ...


@overload
async def amessages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: Literal[False] | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type[_T],
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ParsedMessage[_T]: ...


@overload
async def amessages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: Literal[False] | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> MessageResponse: ...


@overload
async def amessages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: bool | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type | dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> MessageResponse | AsyncIterator[MessageStreamEvent]: ...


async def amessages(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    *,
    provider: str | LLMProvider | None = None,
    system: str | list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stream: bool | None = None,
    stop_sequences: list[str] | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thinking: dict[str, Any] | None = None,
    cache_control: dict[str, Any] | None = None,
    prompt_cache_key: str | None = None,
    service_tier: str | None = None,
    context_management: dict[str, Any] | None = None,
    betas: list[str] | None = None,
    output_format: type | dict[str, Any] | None = None,
    timeout: float | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> MessageResponse | AsyncIterator[MessageStreamEvent]:
    call_args = _forwarded(locals())
    client, model_id = pooled_client(model, provider, api_key, api_base, client_args)
    result: MessageResponse | AsyncIterator[MessageStreamEvent] = await client.amessages(model_id, **call_args)
    return result


amessages.__doc__ = messages.__doc__
