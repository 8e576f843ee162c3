"""``AnyLLM``: a reusable client for one provider configuration, keeping its connection pool.

Each operation is split the same way for sync and async: a pure "prepare" step (validate, build
the request), the I/O call through :class:`~any_llm.transport.Transport`, and a pure "finish" step
(parse, structured output). Only the middle line differs between the twins.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from any_llm import errors
from any_llm.families.client import FamilyMethods
from any_llm.plugins import get_provider_class
from any_llm.wire import call_plugin

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

    from any_llm.provider import CompletionParams, Provider
    from any_llm.streaming import AsyncStream, Stream
    from any_llm.types.completion import ChatCompletion
    from any_llm.types.embedding import CreateEmbeddingResponse
    from any_llm.types.model import Model

__all__ = ["AnyLLM", "resolve_api_base", "resolve_api_key"]

_R = TypeVar("_R")

_TRANSPORT_ARGS = ("timeout", "max_retries", "default_headers", "headers", "http_client", "async_http_client")


def resolve_api_key(cls: type[Provider], api_key: str | None) -> str | None:
    """The key from the argument, else the provider's env vars; MissingApiKeyError if it needs one."""
    if api_key is not None:
        if not isinstance(api_key, str) or not api_key.strip():
            raise errors.ConfigurationError("api_key must be a non-empty string")
        return api_key
    for var in cls.api_key_env:
        value = os.environ.get(var)
        if value:
            return value
    if cls.requires_api_key:
        env = " or ".join(cls.api_key_env) or f"{cls.name.upper()}_API_KEY"
        raise errors.MissingApiKeyError(cls.display_name or cls.name, env)
    return None


def resolve_api_base(cls: type[Provider], api_base: str | None) -> str:
    base = api_base
    if base is None:
        for var in cls.api_base_env:
            value = os.environ.get(var)
            if value:
                base = value
                break
    if base is None:
        base = cls.default_api_base
    if isinstance(base, str) and base:
        base = cls.normalize_api_base(base)
    if not isinstance(base, str) or not base.startswith(("http://", "https://")):
        raise errors.ConfigurationError(
            f"api_base for {cls.name} must be an http:// or https:// URL, got {base!r}"
            + (" (set api_base=... or the provider's base-URL env var)" if not base else "")
        )
    return base


class AnyLLM(FamilyMethods):
    """A client bound to one provider, base URL and key; reuse it to reuse connections.

    ``AnyLLM.create("mistral")`` reads ``MISTRAL_API_KEY``; ``client_args`` tune the transport:
    ``timeout`` (seconds or ``httpx.Timeout``), ``max_retries``, ``default_headers``,
    ``http_client`` / ``async_http_client`` (your own httpx clients), and any other keyword that
    ``httpx.Client`` accepts (``verify``, ``proxy``, ``trust_env`` ...).
    """

    def __init__(self, provider: Provider, **client_args: Any) -> None:
        from any_llm.transport import Transport

        self.provider = provider
        transport_kw = {k: client_args.pop(k) for k in _TRANSPORT_ARGS if k in client_args}
        headers = transport_kw.pop("default_headers", None) or transport_kw.pop("headers", None)
        _check_httpx_args(client_args, provider.name)
        if provider.http_transport is not None and "transport" not in client_args:
            client_args["transport"] = provider.http_transport
        self.transport = Transport(headers=headers, httpx_args=client_args, **transport_kw)

    def __repr__(self) -> str:
        return f"AnyLLM(provider={self.provider.name!r}, api_base={self.provider.api_base!r})"

    @classmethod
    def create(
        cls,
        provider: Any,
        api_key: str | None = None,
        api_base: str | None = None,
        **client_args: Any,
    ) -> AnyLLM:
        """A client for ``provider`` (a name or an ``LLMProvider``); the key falls back to its env var."""
        name = _provider_name(provider)
        provider_cls = get_provider_class(name)
        key = resolve_api_key(provider_cls, api_key)
        base = resolve_api_base(provider_cls, api_base)
        return cls(provider_cls(api_key=key, api_base=base), **client_args)

    @classmethod
    def create_openai_compatible(
        cls,
        name: str,
        api_base: str,
        api_key: str | None = None,
        **client_args: Any,
    ) -> AnyLLM:
        """A client for any OpenAI-compatible endpoint, no plugin needed; ``name`` shows in errors."""
        from any_llm.openai_compat import OpenAICompatibleProvider

        if not isinstance(name, str) or not name:
            raise errors.ConfigurationError("name must be a non-empty string")
        provider_cls = type(
            "CustomOpenAICompatibleProvider",
            (OpenAICompatibleProvider,),
            {
                "name": name,
                "display_name": name,
                "requires_api_key": False,
                "default_api_base": "",
                "supports_embedding": True,
                "supports_list_models": True,
            },
        )
        base = resolve_api_base(provider_cls, api_base)
        return cls(provider_cls(api_key=api_key, api_base=base), **client_args)

    # -- completion ---------------------------------------------------------------------------

    def _prepare(self, model: str, messages: Any, kwargs: dict[str, Any]) -> tuple[CompletionParams, Any]:
        from any_llm.params import build_params

        args = {k: kwargs.pop(k) for k in _SEED_ARGS if k in kwargs}
        timeout = kwargs.pop("timeout", None)
        params = build_params(model, messages, args, kwargs)
        return params, timeout

    def _parse(self, what: str, parse: Callable[..., _R], response: httpx.Response, *args: Any) -> _R:
        """Run a plugin's parse function on a response: whatever it raises reaches the caller typed."""
        body = response.content
        return call_plugin(self.provider.name, what, body, response.status_code, parse, body, *args)

    def _finish(self, params: CompletionParams, response: httpx.Response) -> ChatCompletion:
        completion = self._parse("a response", self.provider.parse_completion, response, params)
        if params.output_type is not None:
            from any_llm.structured import parse_structured

            parsed: ChatCompletion = parse_structured(completion, params.output_type, self.provider.name)
            return parsed
        return completion

    def _pipeline(self, params: CompletionParams) -> Any:
        from any_llm.streaming import StreamPipeline, make_decoder

        name = self.provider.name
        return StreamPipeline(
            make_decoder(self.provider.stream_format, name), self.provider.stream_parser(params), name
        )

    def completion(self, model: str, messages: Any, **kwargs: Any) -> ChatCompletion | Stream:
        """Create a chat completion; takes the same parameters as :func:`any_llm.completion`."""
        params, timeout = self._prepare(model, messages, kwargs)
        request = self.provider.build_completion_request(params)
        if request.stream:
            pipeline = self._pipeline(params)
            from any_llm.streaming import Stream

            return Stream(self.transport.send(self.provider, request, timeout), pipeline)
        return self._finish(params, self.transport.send(self.provider, request, timeout))

    async def acompletion(self, model: str, messages: Any, **kwargs: Any) -> ChatCompletion | AsyncStream:
        """Async twin of :meth:`completion`."""
        params, timeout = self._prepare(model, messages, kwargs)
        request = self.provider.build_completion_request(params)
        if request.stream:
            pipeline = self._pipeline(params)
            from any_llm.streaming import AsyncStream

            return AsyncStream(await self.transport.asend(self.provider, request, timeout), pipeline)
        return self._finish(params, await self.transport.asend(self.provider, request, timeout))

    # -- embeddings ---------------------------------------------------------------------------

    def _embedding_request(self, model: str, inputs: Any, kwargs: dict[str, Any]) -> Any:
        if not self.provider.supports_embedding:
            raise errors.UnsupportedCapabilityError("embedding", self.provider.name)
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
            raise errors.ConfigurationError("inputs must be a string or a non-empty list of strings")
        timeout = kwargs.pop("timeout", None)
        return self.provider.build_embedding_request(model, inputs, kwargs), timeout

    def embedding(self, model: str, inputs: str | list[str], **kwargs: Any) -> CreateEmbeddingResponse:
        """Embed ``inputs`` (one string or a list) with ``model``."""
        request, timeout = self._embedding_request(model, inputs, kwargs)
        response = self.transport.send(self.provider, request, timeout)
        return self._parse("an embedding response", self.provider.parse_embedding, response, model)

    async def aembedding(self, model: str, inputs: str | list[str], **kwargs: Any) -> CreateEmbeddingResponse:
        """Async twin of :meth:`embedding`."""
        request, timeout = self._embedding_request(model, inputs, kwargs)
        response = await self.transport.asend(self.provider, request, timeout)
        return self._parse("an embedding response", self.provider.parse_embedding, response, model)

    # -- models -------------------------------------------------------------------------------

    def _models_request(self, kwargs: dict[str, Any]) -> Any:
        if not self.provider.supports_list_models:
            raise errors.UnsupportedCapabilityError("list_models", self.provider.name)
        timeout = kwargs.pop("timeout", None)
        return self.provider.build_list_models_request(kwargs), timeout

    def list_models(self, **kwargs: Any) -> Sequence[Model]:
        """The models this provider offers, following its pages to the last one."""
        from any_llm.families.pages import Pages

        request, timeout = self._models_request(kwargs)
        pages = Pages(self.provider, request)
        while pages.request is not None:
            pages.add(self.transport.send(self.provider, pages.request, timeout).content)
        return pages.models

    async def alist_models(self, **kwargs: Any) -> Sequence[Model]:
        """Async twin of :meth:`list_models`."""
        from any_llm.families.pages import Pages

        request, timeout = self._models_request(kwargs)
        pages = Pages(self.provider, request)
        while pages.request is not None:
            pages.add((await self.transport.asend(self.provider, pages.request, timeout)).content)
        return pages.models

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        self.transport.close()

    async def aclose(self) -> None:
        await self.transport.aclose()

    def __enter__(self) -> AnyLLM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> AnyLLM:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


_SEED_ARGS = (
    "tools",
    "tool_choice",
    "temperature",
    "top_p",
    "max_tokens",
    "response_format",
    "stream",
    "n",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "user",
    "session_label",
    "parallel_tool_calls",
    "logprobs",
    "top_logprobs",
    "logit_bias",
    "stream_options",
    "max_completion_tokens",
    "reasoning_effort",
)


def _provider_name(provider: Any) -> str:
    value = getattr(provider, "value", provider)
    if not isinstance(value, str) or not value.strip():
        raise errors.ConfigurationError(f"provider must be a provider name or an LLMProvider, got {provider!r}")
    return value.strip().lower()


_HTTPX_ARGS: frozenset[str] | None = None


def _check_httpx_args(args: dict[str, Any], provider: str) -> None:
    global _HTTPX_ARGS
    if not args:
        return
    if _HTTPX_ARGS is None:
        import httpx

        _HTTPX_ARGS = frozenset(inspect.signature(httpx.Client.__init__).parameters) - {"self"}
    unknown = sorted(set(args) - _HTTPX_ARGS)
    if unknown:
        raise errors.ConfigurationError(
            f"unknown client_args for {provider}: {', '.join(unknown)}. Accepted: "
            f"{', '.join(_TRANSPORT_ARGS)}, or any httpx.Client keyword (verify, proxy, trust_env, ...)"
        )
