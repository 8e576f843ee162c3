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

from any_llm import callhooks, errors
from any_llm.calls import Call, CallOptions, RawResponse
from any_llm.families.client import FamilyMethods
from any_llm.plugins import get_provider_class
from any_llm.wire import call_plugin

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

    from any_llm.bridges import Plan
    from any_llm.callhooks import CallInfo
    from any_llm.provider import CompletionParams, HTTPRequest, Provider
    from any_llm.streaming import AsyncStream, Stream
    from any_llm.types.completion import ChatCompletion
    from any_llm.types.embedding import CreateEmbeddingResponse
    from any_llm.types.model import Model

__all__ = ["AnyLLM", "RawResponseClient", "resolve_api_base", "resolve_api_key", "split_client_options"]

_R = TypeVar("_R")

_TRANSPORT_ARGS = (
    "timeout",
    "max_retries",
    "retry",
    "default_headers",
    "headers",
    "http_client",
    "async_http_client",
)


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


def _warn_http_transport(cls: type[Provider]) -> None:
    import warnings

    warnings.warn(
        f"{cls.__name__}.http_transport is deprecated: pass the transport the way httpx takes it, "
        "AnyLLM.create(..., transport=httpx.MockTransport(handler)) for one client, or "
        "`with any_llm.transport.mount('all://host', transport):` for the module-level functions",
        DeprecationWarning,
        stacklevel=4,
    )


def split_client_options(cls: type[Provider], client_args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the provider's own options, the rest for the transport): the keys ``cls.client_options`` declares
    (an AWS region, a profile name...) go to the provider's constructor, never to httpx."""
    if not cls.client_options or not client_args:
        return {}, client_args
    options = {k: v for k, v in client_args.items() if k in cls.client_options}
    return options, {k: v for k, v in client_args.items() if k not in cls.client_options}


class AnyLLM(FamilyMethods):
    """A client bound to one provider, base URL and key; reuse it to reuse connections.

    ``AnyLLM.create("mistral")`` reads ``MISTRAL_API_KEY``; ``client_args`` tune the transport:
    ``timeout`` (seconds or ``httpx.Timeout``), ``max_retries``, ``retry`` (a
    :class:`~any_llm.retry.RetryPolicy`: backoff numbers and a total deadline), ``default_headers``,
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
            _warn_http_transport(type(provider))
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
        options, client_args = split_client_options(provider_cls, client_args)
        return cls(provider_cls(api_key=key, api_base=base, **options), **client_args)

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

    # -- the flow every operation shares ------------------------------------------------------

    @property
    def with_raw_response(self) -> RawResponseClient:
        """The same operations, returning :class:`RawResponse` (status, headers, request id, ``.parse()``)."""
        return RawResponseClient(self)

    def _parse(self, what: str, parse: Callable[..., _R], response: httpx.Response, *args: Any) -> _R:
        """Run a plugin's parse function on a response: whatever it raises reaches the caller typed."""
        body = response.content
        return call_plugin(self.provider.name, what, body, response.status_code, parse, body, *args)

    def _call(
        self,
        request: HTTPRequest,
        options: CallOptions,
        finish: Callable[[httpx.Response], Any],
        params: CompletionParams | None = None,
        **described: Any,
    ) -> Call:
        """Apply the caller's per-call options to the provider's request (``described``: for call hooks)."""
        options.apply(request)
        return Call(request, options.timeout, finish, params, **described)

    def _send(self, call: Call, info: CallInfo | None = None) -> httpx.Response:
        """The call's I/O: its request, then (a multi-request call) each next one; the last response."""
        response = self.transport.send(self.provider, call.request, call.timeout, call=info)
        advance = call.advance
        if advance is not None:
            while (request := advance(response)) is not None:
                response = self.transport.send(self.provider, request, call.timeout, call=info)
        return response

    async def _asend(self, call: Call, info: CallInfo | None = None) -> httpx.Response:
        """Async twin of :meth:`_send`."""
        response = await self.transport.asend(self.provider, call.request, call.timeout, call=info)
        advance = call.advance
        if advance is not None:
            while (request := advance(response)) is not None:
                response = await self.transport.asend(self.provider, request, call.timeout, call=info)
        return response

    def _run(self, call: Call, raw: bool = False) -> Any:
        """Run any operation's call: the result, or with ``raw`` a :class:`RawResponse` around it."""
        if callhooks.ACTIVE and callhooks.enabled():  # call hooks (any_llm.callhooks); off: one flag check
            return callhooks.run(self, call, raw)
        response = self._send(call)
        return RawResponse(response, lambda: call.result(response, True)) if raw else call.result(response, True)

    async def _arun(self, call: Call, raw: bool = False) -> Any:
        """Async twin of :meth:`_run`."""
        if callhooks.ACTIVE and callhooks.enabled():  # call hooks (any_llm.callhooks); off: one flag check
            return await callhooks.arun(self, call, raw)
        response = await self._asend(call)
        return RawResponse(response, lambda: call.result(response, False)) if raw else call.result(response, False)

    # -- completion ---------------------------------------------------------------------------

    def _completion_call(self, model: str, messages: Any, kwargs: dict[str, Any]) -> Call:
        from any_llm.params import SEED_PARAM_NAMES, build_params, check_request

        options = CallOptions.pop_from(kwargs)
        args = {k: kwargs.pop(k) for k in SEED_PARAM_NAMES if k in kwargs}
        params = build_params(model, messages, args, kwargs)
        check_request(self.provider, params)
        request = self.provider.build_completion_request(params)

        def finish(response: httpx.Response) -> ChatCompletion:
            completion = self._parse("a response", self.provider.parse_completion, response, params)
            if params.output_type is not None:
                from any_llm.structured import parse_structured

                parsed: ChatCompletion = parse_structured(completion, params.output_type, self.provider.name)
                return parsed
            return completion

        opener = None
        if params.stream:
            from any_llm.opened import stream_opener

            provider = self.provider
            opener = stream_opener(provider, lambda: provider.stream_parser(params))
        return self._call(
            request, options, finish, params, model=params.model, content=params.messages, open=opener, api="completion"
        )

    def completion(self, model: str, messages: Any, **kwargs: Any) -> ChatCompletion | Stream:
        """Create a chat completion; takes the same parameters as :func:`any_llm.completion`."""
        result: ChatCompletion | Stream = self._run(self._completion_call(model, messages, kwargs))
        return result

    async def acompletion(self, model: str, messages: Any, **kwargs: Any) -> ChatCompletion | AsyncStream:
        """Async twin of :meth:`completion`."""
        result: ChatCompletion | AsyncStream = await self._arun(self._completion_call(model, messages, kwargs))
        return result

    # -- responses and messages: native where the provider declares it, else translated ------------

    def _plan_call(
        self, plan: Plan, options: CallOptions, api: str, model: str, content: Any, settings: dict[str, Any]
    ) -> Call:
        def finish(response: httpx.Response) -> Any:
            return self._parse("a response", plan.finish, response)

        opener = None
        if plan.request.stream:
            from any_llm.opened import stream_opener

            translator = plan.translator
            assert plan.parser is not None

            def wrap(stream: Any, sync: bool) -> Any:
                from any_llm.bridges import AsyncEventStream, EventStream

                return (EventStream if sync else AsyncEventStream)(stream, translator() if translator else None)

            opener = stream_opener(self.provider, plan.parser, None if translator else api, wrap)
        return self._call(
            plan.request, options, finish, model=model, content=content, open=opener, api=api, settings=settings
        )

    def _responses_call(self, model: str, input_data: Any, kwargs: dict[str, Any]) -> Call:
        from any_llm.bridges import responses

        options = CallOptions.pop_from(kwargs)
        plan = responses.plan(self.provider, model, input_data, kwargs)
        return self._plan_call(plan, options, "responses", model, input_data, kwargs)

    def _messages_call(self, model: str, messages: Any, max_tokens: Any, kwargs: dict[str, Any]) -> Call:
        from any_llm.bridges import messages as bridge

        options = CallOptions.pop_from(kwargs)
        plan = bridge.plan(self.provider, model, messages, max_tokens, kwargs)
        return self._plan_call(plan, options, "messages", model, messages, {**kwargs, "max_tokens": max_tokens})

    def responses(self, model: str, input_data: Any, **kwargs: Any) -> Any:
        """Create a response; takes the same parameters as :func:`any_llm.responses`."""
        return self._run(self._responses_call(model, input_data, kwargs))

    async def aresponses(self, model: str, input_data: Any, **kwargs: Any) -> Any:
        """Async twin of :meth:`responses`."""
        return await self._arun(self._responses_call(model, input_data, kwargs))

    def messages(self, model: str, messages: Any, max_tokens: int, **kwargs: Any) -> Any:
        """Create a message; takes the same parameters as :func:`any_llm.messages`."""
        return self._run(self._messages_call(model, messages, max_tokens, kwargs))

    async def amessages(self, model: str, messages: Any, max_tokens: int, **kwargs: Any) -> Any:
        """Async twin of :meth:`messages`."""
        return await self._arun(self._messages_call(model, messages, max_tokens, kwargs))

    # -- embeddings ---------------------------------------------------------------------------

    def _embedding_call(self, model: str, inputs: Any, kwargs: dict[str, Any]) -> Call:
        if not self.provider.supports_embedding:
            raise errors.UnsupportedCapabilityError.declared(self.provider, "embedding")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
            raise errors.ConfigurationError("inputs must be a string or a non-empty list of strings")
        options = CallOptions.pop_from(kwargs)
        request = self.provider.build_embedding_request(model, inputs, kwargs)

        def finish(response: httpx.Response) -> CreateEmbeddingResponse:
            return self._parse("an embedding response", self.provider.parse_embedding, response, model)

        return self._call(
            request, options, finish, operation="embeddings", model=model, content=inputs, api="embedding"
        )

    def embedding(self, model: str, inputs: str | list[str], **kwargs: Any) -> CreateEmbeddingResponse:
        """Embed ``inputs`` (one string or a list) with ``model``."""
        result: CreateEmbeddingResponse = self._run(self._embedding_call(model, inputs, kwargs))
        return result

    async def aembedding(self, model: str, inputs: str | list[str], **kwargs: Any) -> CreateEmbeddingResponse:
        """Async twin of :meth:`embedding`."""
        result: CreateEmbeddingResponse = await self._arun(self._embedding_call(model, inputs, kwargs))
        return result

    # -- models -------------------------------------------------------------------------------

    def _list_models_call(self, kwargs: dict[str, Any]) -> Call:
        if not self.provider.supports_list_models:
            raise errors.UnsupportedCapabilityError.declared(self.provider, "list_models")
        options = CallOptions.pop_from(kwargs)
        request = self.provider.build_list_models_request(kwargs)

        def finish(response: httpx.Response) -> Sequence[Model]:
            return self._parse("a model list", self.provider.parse_list_models, response)

        return self._call(request, options, finish, operation="list_models", api="list_models")

    def list_models(self, **kwargs: Any) -> Sequence[Model]:
        """The models this provider offers, following its pages to the last one (each page is one call)."""
        pages, page_call = self._model_pages(kwargs)
        while pages.request is not None:
            call, body = page_call(pages.request)
            models: Sequence[Model] = self._run(call)
            pages.add(body[0], models)
        listed: Sequence[Model] = pages.models
        return listed

    async def alist_models(self, **kwargs: Any) -> Sequence[Model]:
        """Async twin of :meth:`list_models`."""
        pages, page_call = self._model_pages(kwargs)
        while pages.request is not None:
            call, body = page_call(pages.request)
            models: Sequence[Model] = await self._arun(call)
            pages.add(body[0], models)
        listed: Sequence[Model] = pages.models
        return listed

    def _model_pages(self, kwargs: dict[str, Any]) -> tuple[Any, Callable[[HTTPRequest], tuple[Call, list[bytes]]]]:
        """The pages state and, per page request, a call whose finish also keeps the body (for the cursor)."""
        import dataclasses

        from any_llm.families.pages import Pages

        first = self._list_models_call(kwargs)

        def page_call(request: HTTPRequest) -> tuple[Call, list[bytes]]:
            body: list[bytes] = [b""]

            def finish(response: httpx.Response) -> Any:
                body[0] = response.content
                return first.finish(response)

            return dataclasses.replace(first, request=request, finish=finish), body

        return Pages(self.provider, first.request), page_call

    # -- token counting -----------------------------------------------------------------------

    def _count_tokens_call(self, model: str, messages: Any, kwargs: dict[str, Any]) -> Call:
        """One request (the provider's build/parse pair), or a counting flow of several (llama.cpp renders
        the chat template, then tokenizes: :meth:`Provider.count_tokens_flow`), as one call either way."""
        from any_llm.params import SEED_PARAM_NAMES, build_params, check_request

        if not self.provider.supports_count_tokens:
            raise errors.UnsupportedCapabilityError.declared(self.provider, "count_tokens")
        options = CallOptions.pop_from(kwargs)
        args = {k: kwargs.pop(k) for k in SEED_PARAM_NAMES if k in kwargs}
        params = build_params(model, messages, args, kwargs)
        check_request(self.provider, params)
        described: dict[str, Any] = {
            "operation": "count_tokens",
            "model": model,
            "content": params.messages,
            "api": "count_tokens",
        }
        flow = self.provider.count_tokens_flow(params)
        if flow is not None:
            from any_llm.families.flow import FlowRun

            run = FlowRun(self.provider, flow, options)
            return Call(run.first, options.timeout, run.finish, params, advance=run.advance, **described)
        request = self.provider.build_count_tokens_request(params)

        def finish(response: httpx.Response) -> int:
            return self._parse("a token count", self.provider.parse_count_tokens, response)

        return self._call(request, options, finish, params, **described)

    def count_tokens(self, model: str, messages: Any, **kwargs: Any) -> int:
        """Input tokens of ``messages`` (``tools`` etc. count too), counted by the provider's own endpoint."""
        result: int = self._run(self._count_tokens_call(model, messages, kwargs))
        return result

    async def acount_tokens(self, model: str, messages: Any, **kwargs: Any) -> int:
        """Async twin of :meth:`count_tokens`."""
        result: int = await self._arun(self._count_tokens_call(model, messages, kwargs))
        return result

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


def _raw(name: str, is_async: bool) -> Callable[..., Any]:
    """``with_raw_response.<name>``: the method's call (``AnyLLM._<name>_call``) run with ``raw=True``.

    The builder takes the method's named parameters, then the caller's ``**kwargs`` as one dict; they are
    bound here once from its signature, so the raw method takes the same arguments as the plain one."""
    build = f"_{name}_call"
    named = [p for p in inspect.signature(getattr(AnyLLM, build)).parameters.values() if p.name not in _NOT_NAMED]
    public = f"a{name}" if is_async else name

    def arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        values = list(args)
        for param in named[len(args) :]:
            if param.name in kwargs:
                values.append(kwargs.pop(param.name))
            elif param.default is not param.empty:
                values.append(param.default)
            else:
                raise TypeError(f"with_raw_response.{public}() missing required argument: {param.name!r}")
        return values

    if is_async:

        async def method(self: RawResponseClient, *args: Any, **kwargs: Any) -> RawResponse[Any]:
            client = self._client
            call = getattr(client, build)(*arguments(args, kwargs), kwargs=kwargs)
            result: RawResponse[Any] = await client._arun(call, raw=True)
            return result

    else:

        def method(self: RawResponseClient, *args: Any, **kwargs: Any) -> RawResponse[Any]:  # type: ignore[misc]
            client = self._client
            result: RawResponse[Any] = client._run(
                getattr(client, build)(*arguments(args, kwargs), kwargs=kwargs), raw=True
            )
            return result

    method.__name__ = method.__qualname__ = public
    method.__doc__ = f"Like :meth:`AnyLLM.{public}`, returning a :class:`RawResponse` (status, headers, ``.parse()``)."
    return method


_NOT_NAMED = ("self", "kwargs")


class RawResponseClient:
    """``client.with_raw_response``: each operation returns a :class:`RawResponse` instead of the parsed
    result, as openai-python's ``with_raw_response`` does (the status, the headers such as
    ``x-ratelimit-remaining-requests``, the request id, and ``.parse()`` for the usual result). Every
    method of every family is here, sync and async, with the plain method's arguments. ``list_models``
    answers for its first page; ``speech`` and ``file_content`` parse to the binary stream; a multi-request
    operation (batch jobs, file lists) holds its last response.
    """

    __slots__ = ("_client",)

    def __init__(self, client: AnyLLM) -> None:
        self._client = client

    completion = _raw("completion", False)
    acompletion = _raw("completion", True)
    embedding = _raw("embedding", False)
    aembedding = _raw("embedding", True)
    list_models = _raw("list_models", False)
    alist_models = _raw("list_models", True)
    count_tokens = _raw("count_tokens", False)
    acount_tokens = _raw("count_tokens", True)
    responses = _raw("responses", False)
    aresponses = _raw("responses", True)
    messages = _raw("messages", False)
    amessages = _raw("messages", True)
    rerank = _raw("rerank", False)
    arerank = _raw("rerank", True)
    moderation = _raw("moderation", False)
    amoderation = _raw("moderation", True)
    image_generation = _raw("image_generation", False)
    aimage_generation = _raw("image_generation", True)
    speech = _raw("speech", False)
    aspeech = _raw("speech", True)
    transcription = _raw("transcription", False)
    atranscription = _raw("transcription", True)
    upload_file = _raw("upload_file", False)
    aupload_file = _raw("upload_file", True)
    retrieve_file = _raw("retrieve_file", False)
    aretrieve_file = _raw("retrieve_file", True)
    delete_file = _raw("delete_file", False)
    adelete_file = _raw("delete_file", True)
    file_content = _raw("file_content", False)
    afile_content = _raw("file_content", True)
    list_files = _raw("list_files", False)
    alist_files = _raw("list_files", True)
    create_batch = _raw("create_batch", False)
    acreate_batch = _raw("create_batch", True)
    retrieve_batch = _raw("retrieve_batch", False)
    aretrieve_batch = _raw("retrieve_batch", True)
    cancel_batch = _raw("cancel_batch", False)
    acancel_batch = _raw("cancel_batch", True)
    list_batches = _raw("list_batches", False)
    alist_batches = _raw("list_batches", True)
    retrieve_batch_results = _raw("retrieve_batch_results", False)
    aretrieve_batch_results = _raw("retrieve_batch_results", True)
