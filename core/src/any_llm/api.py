"""The module-level API: ``completion``, ``acompletion``, ``embedding``, ``list_models`` and friends.

These resolve the provider from ``provider=`` or the model string, then reuse a pooled
:class:`~any_llm.client.AnyLLM` for that (provider, base URL, key, client_args), so calling
``completion()`` in a loop does not open a new connection per call.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from any_llm import errors

if TYPE_CHECKING:
    from any_llm.client import AnyLLM
    from any_llm.types.completion import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatCompletionMessage,
        ParsedChatCompletion,
    )
    from any_llm.types.embedding import CreateEmbeddingResponse
    from any_llm.types.model import Model

__all__ = [
    "LLMProvider",
    "acompletion",
    "aembedding",
    "alist_models",
    "completion",
    "embedding",
    "list_models",
    "split_model",
]

_T = TypeVar("_T")


class LLMProvider(str, Enum):
    """The first-party providers (any installed plugin's name works as a plain string too)."""

    ANTHROPIC = "anthropic"
    ATLASCLOUD = "atlascloud"
    AZURE = "azure"
    AZUREANTHROPIC = "azureanthropic"
    AZUREOPENAI = "azureopenai"
    BEDROCK = "bedrock"
    CASCADIA = "cascadia"
    CEREBRAS = "cerebras"
    COHERE = "cohere"
    DASHSCOPE = "dashscope"
    DATABRICKS = "databricks"
    DEEPINFRA = "deepinfra"
    DEEPSEEK = "deepseek"
    EDENAI = "edenai"
    FIREWORKS = "fireworks"
    GEMINI = "gemini"
    GITHUB = "github"
    GMI = "gmi"
    GROQ = "groq"
    HUGGINGFACE = "huggingface"
    INCEPTION = "inception"
    KENARI = "kenari"
    LLAMA = "llama"
    LLAMACPP = "llamacpp"
    LLAMAFILE = "llamafile"
    LMSTUDIO = "lmstudio"
    META = "meta"
    MINIMAX = "minimax"
    MISTRAL = "mistral"
    MOONSHOT = "moonshot"
    MZAI = "mzai"
    NEBIUS = "nebius"
    NEOSANTARA = "neosantara"
    OLLAMA = "ollama"
    OPENAI = "openai"
    OPENROUTER = "openrouter"
    OTARI = "otari"
    OVHCLOUD = "ovhcloud"
    PERPLEXITY = "perplexity"
    PORTKEY = "portkey"
    QINIU = "qiniu"
    REQUESTY = "requesty"
    SAGEMAKER = "sagemaker"
    SAMBANOVA = "sambanova"
    TELNYX = "telnyx"
    TOGETHER = "together"
    VERTEXAI = "vertexai"
    VERTEXAIANTHROPIC = "vertexaianthropic"
    VLLM = "vllm"
    VOYAGE = "voyage"
    WATSONX = "watsonx"
    XAI = "xai"
    ZAI = "zai"

    def __str__(self) -> str:
        return self.value


def split_model(model: str, provider: Any = None) -> tuple[str, str]:
    """(provider, model). ``provider=`` wins and keeps the model verbatim; else 'provider:model'
    (split on the first colon, so 'ollama:llama3:8b' keeps its tag); else legacy 'provider/model'."""
    if provider is not None:
        name = getattr(provider, "value", provider)
        if not isinstance(name, str) or not name.strip():
            raise errors.ConfigurationError(f"provider must be a provider name or an LLMProvider, got {provider!r}")
        return name.strip().lower(), model
    if not isinstance(model, str) or not model:
        raise errors.ConfigurationError(f"model must be a non-empty string, got {model!r}")
    if ":" in model:
        prefix, _, rest = model.partition(":")
        if prefix and rest:
            return prefix.lower(), rest
    if "/" in model:
        prefix, _, rest = model.partition("/")
        if prefix and rest:
            warnings.warn(
                f"'provider/model' is deprecated; use model={rest!r}, provider={prefix!r} or '{prefix}:{rest}'",
                DeprecationWarning,
                stacklevel=3,
            )
            return prefix.lower(), rest
    raise errors.ConfigurationError(
        f"model {model!r} names no provider. Use completion(model='mistral-small-latest', provider='mistral') "
        "or model='mistral:mistral-small-latest'."
    )


# -- pooled clients -------------------------------------------------------------------------------

_CACHE_SIZE = 32
_clients: OrderedDict[tuple[Any, ...], AnyLLM] = OrderedDict()
_clients_lock = threading.Lock()


def close_clients(provider: str | None = None) -> None:
    """Close pooled clients, all or one provider's (runs at exit; call it to drop connections sooner)."""
    with _clients_lock:
        keys = [k for k in _clients if provider is None or k[0].name == provider]
        clients = [_clients.pop(k) for k in keys]
    for client in clients:
        client.close()


atexit.register(close_clients)


def frozen(value: Any) -> Any:
    """``value`` as a hashable cache key (dicts sorted, lists as tuples, unhashables by repr): how the
    pooled clients here and the router's shortcut recognise the same configuration."""
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return id(value)
    return value


def get_client(provider: str, api_key: str | None, api_base: str | None, client_args: dict[str, Any] | None) -> AnyLLM:
    """The pooled client for this configuration (created on first use, at most 32 kept)."""
    from any_llm.client import AnyLLM, resolve_api_base, resolve_api_key, split_client_options
    from any_llm.plugins import get_provider_class

    cls = get_provider_class(provider)
    key = resolve_api_key(cls, api_key)
    base = resolve_api_base(cls, api_base)
    digest = hashlib.sha256(key.encode()).hexdigest() if key else None
    cache_key = (cls, base, digest, frozen(client_args or {}))
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is not None:
            _clients.move_to_end(cache_key)
            return client
        options, transport_args = split_client_options(cls, dict(client_args or {}))
        client = AnyLLM(cls(api_key=key, api_base=base, **options), **transport_args)
        _clients[cache_key] = client
        while len(_clients) > _CACHE_SIZE:
            _, old = _clients.popitem(last=False)
            old.close()
        return client


def pooled_client(
    model: str,
    provider: Any,
    api_key: str | None,
    api_base: str | None,
    client_args: dict[str, Any] | None,
) -> tuple[AnyLLM, str]:
    """The pooled client for this configuration and the model id without its ``provider:`` prefix: what the
    module-level functions of every family call through."""
    if client_args is not None and not isinstance(client_args, dict):
        raise errors.ConfigurationError(f"client_args must be a dict, got {type(client_args).__name__}")
    name, model_id = split_model(model, provider)
    return get_client(name, api_key, api_base, client_args), model_id


def _routed(scope: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """``fallbacks=`` given: the Router for this configuration and the arguments for it."""
    from any_llm.router.shortcut import routed

    return routed(scope)


@overload
def completion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | type | None = None,
    stream: Literal[True],
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Iterator[ChatCompletionChunk]: ...


@overload
def completion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: type[_T] | None = None,
    stream: Literal[False] | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ParsedChatCompletion[_T]: ...


@overload
def completion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | None = None,
    stream: Literal[False] | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ChatCompletion: ...


@overload
def completion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | type | None = None,
    stream: bool | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ChatCompletion | Iterator[ChatCompletionChunk]: ...


def completion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | type | None = None,
    stream: bool | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ChatCompletion | Iterator[ChatCompletionChunk]:
    """Create a chat completion with any installed provider.

    Args:
        model: Model identifier. Recommended: with a separate ``provider`` (model='gpt-4',
            provider='openai'). Alternative: 'provider:model' (e.g. 'openai:gpt-4'). Legacy
            'provider/model' still works, with a DeprecationWarning.
        messages: The conversation: dicts, or message objects such as ``response.choices[0].message``.
        provider: Provider name (case-insensitive) or an ``LLMProvider``; the model is then used verbatim.
        tools: OpenAI tool dicts or Python callables (schemas come from type hints and docstrings).
        tool_choice: Which tools the model may call ("auto", "none", "required", or a named tool).
        temperature: Randomness, 0.0 to 2.0.
        top_p: Nucleus sampling, 0.0 to 1.0.
        max_tokens: Maximum number of tokens to generate.
        response_format: {"type": "json_object"}, a json_schema dict, or a pydantic model / dataclass
            (then the result is a ``ParsedChatCompletion`` with ``.choices[0].message.parsed``).
        stream: Return an iterator of ``ChatCompletionChunk`` (also a context manager).
        n: Number of completions to generate.
        stop: Stop sequence(s).
        presence_penalty: Penalize tokens already present in the text.
        frequency_penalty: Penalize tokens by their frequency in the text.
        seed: Random seed for reproducible results.
        api_key: The provider's key; defaults to its env var (e.g. MISTRAL_API_KEY).
        api_base: Base URL of the provider's API; defaults to its env var, then its public URL.
        user: Unique identifier of the end user.
        session_label: Deprecated and ignored.
        parallel_tool_calls: Whether the model may call several tools at once.
        logprobs: Include token log probabilities.
        top_logprobs: Alternatives per token when logprobs are requested.
        logit_bias: Bias for specific token ids.
        stream_options: Streaming options (usage in the last chunk is requested by default).
        max_completion_tokens: Maximum number of tokens for the completion.
        reasoning_effort: Reasoning effort for models that support it; "auto" uses each provider's default.
        client_args: Client settings: timeout, max_retries, default_headers, http_client, or httpx options.
        **kwargs: Provider-specific fields, sent in the request body as given. ``timeout`` (seconds),
            ``service_tier`` and ``prompt_cache_key`` are understood here too. ``fallbacks``: a list
            of models ("provider:model", or dicts of :class:`~any_llm.router.Deployment` fields) tried
            in order when this one fails with a rate limit, 5xx, connection error, timeout, revoked
            key or missing model (the call goes through a :class:`~any_llm.router.Router`).

    Returns:
        A ``ChatCompletion``; an iterator of ``ChatCompletionChunk`` when streaming (async iterator
        from ``acompletion``, which is awaited); a
        ``ParsedChatCompletion`` when ``response_format`` is a type.

    Raises:
        AnyLLMError: a subclass named for what went wrong (see ``any_llm.errors``).
    """
    sent: dict[str, Any] = dict(
        tools=tools,
        tool_choice=tool_choice,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        response_format=response_format,
        stream=stream,
        n=n,
        stop=stop,
        presence_penalty=presence_penalty,
        frequency_penalty=frequency_penalty,
        seed=seed,
        user=user,
        session_label=session_label,
        parallel_tool_calls=parallel_tool_calls,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        logit_bias=logit_bias,
        stream_options=stream_options,
        max_completion_tokens=max_completion_tokens,
        reasoning_effort=reasoning_effort,
    )
    if kwargs.get("fallbacks") is not None:
        scope = dict(model=model, messages=messages, provider=provider, api_key=api_key, api_base=api_base)
        router, routed_args = _routed(dict(scope, client_args=client_args, kwargs=kwargs, **sent))
        return router.completion(model="primary", **routed_args)  # type: ignore[no-any-return]
    client, model_id = pooled_client(model, provider, api_key, api_base, client_args)
    return client.completion(model_id, messages, **sent, **kwargs)


@overload
async def acompletion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | type | None = None,
    stream: Literal[True],
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> AsyncIterator[ChatCompletionChunk]: ...


@overload
async def acompletion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: type[_T] | None = None,
    stream: Literal[False] | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ParsedChatCompletion[_T]: ...


@overload
async def acompletion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | None = None,
    stream: Literal[False] | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ChatCompletion: ...


@overload
async def acompletion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | type | None = None,
    stream: bool | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]: ...


async def acompletion(
    model: str,
    messages: list[dict[str, Any] | ChatCompletionMessage],
    *,
    provider: str | LLMProvider | None = None,
    tools: list[dict[str, Any] | Callable[..., Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    response_format: dict[str, Any] | type | None = None,
    stream: bool | None = None,
    n: int | None = None,
    stop: str | list[str] | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    seed: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    user: str | None = None,
    session_label: str | None = None,
    parallel_tool_calls: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    logit_bias: dict[str, float] | None = None,
    stream_options: dict[str, Any] | None = None,
    max_completion_tokens: int | None = None,
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "auto"] | None = "auto",
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
    sent: dict[str, Any] = dict(
        tools=tools,
        tool_choice=tool_choice,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        response_format=response_format,
        stream=stream,
        n=n,
        stop=stop,
        presence_penalty=presence_penalty,
        frequency_penalty=frequency_penalty,
        seed=seed,
        user=user,
        session_label=session_label,
        parallel_tool_calls=parallel_tool_calls,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        logit_bias=logit_bias,
        stream_options=stream_options,
        max_completion_tokens=max_completion_tokens,
        reasoning_effort=reasoning_effort,
    )
    if kwargs.get("fallbacks") is not None:
        scope = dict(model=model, messages=messages, provider=provider, api_key=api_key, api_base=api_base)
        router, routed_args = _routed(dict(scope, client_args=client_args, kwargs=kwargs, **sent))
        return await router.acompletion(model="primary", **routed_args)  # type: ignore[no-any-return]
    client, model_id = pooled_client(model, provider, api_key, api_base, client_args)
    return await client.acompletion(model_id, messages, **sent, **kwargs)


acompletion.__doc__ = completion.__doc__  # the twins share one text (a test holds them equal)


def embedding(
    model: str,
    inputs: str | list[str],
    *,
    provider: str | LLMProvider | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> CreateEmbeddingResponse:
    """Embed one string or a list of strings; returns OpenAI-shaped ``CreateEmbeddingResponse``."""
    name, model_id = split_model(model, provider)
    return get_client(name, api_key, api_base, client_args).embedding(model_id, inputs, **kwargs)


async def aembedding(
    model: str,
    inputs: str | list[str],
    *,
    provider: str | LLMProvider | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> CreateEmbeddingResponse:
    """Async twin of :func:`embedding`."""
    name, model_id = split_model(model, provider)
    return await get_client(name, api_key, api_base, client_args).aembedding(model_id, inputs, **kwargs)


def list_models(
    provider: str | LLMProvider,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Sequence[Model]:
    """The models a provider offers."""
    name, _ = split_model("", provider)
    return get_client(name, api_key, api_base, client_args).list_models(**kwargs)


async def alist_models(
    provider: str | LLMProvider,
    api_key: str | None = None,
    api_base: str | None = None,
    client_args: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Sequence[Model]:
    """Async twin of :func:`list_models`."""
    name, _ = split_model("", provider)
    return await get_client(name, api_key, api_base, client_args).alist_models(**kwargs)
