"""The module-level family functions' shared half: reaching the client, and the async twins.

``rerank()``, ``create_batch()``, ``upload_file()``... only pick the cached client for the provider and call
its method; their async twins did the same with ``await``. :func:`async_twin` makes the twin from the sync
function: the same signature (so the same parameters, types and docstring for callers and type checkers),
calling the client's ``a<name>`` method, so each family function is written once.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from any_llm.api import get_client, split_model

if TYPE_CHECKING:
    from any_llm.api import LLMProvider
    from any_llm.client import AnyLLM

__all__ = ["async_twin", "client_for"]

P = ParamSpec("P")
R = TypeVar("R")

_CLIENT_ARGS = ("api_key", "api_base", "client_args")


def client_for(
    provider: str | LLMProvider, api_key: str | None, api_base: str | None, client_args: dict[str, Any] | None
) -> AnyLLM:
    """The cached client for ``provider`` (a name or an ``LLMProvider``) and these settings."""
    name, _ = split_model("", provider)
    return get_client(name, api_key, api_base, client_args)


def async_twin(sync: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """The async twin of ``sync``, a family function that forwards its arguments to the client's method
    of the same name: ``model`` (with ``provider``) or ``provider`` picks the client, the positional
    parameters go on positionally, the keyword-only ones by name, ``**kwargs`` as they are."""
    signature = inspect.signature(sync)
    method = "a" + sync.__name__
    positional = [
        p.name for p in signature.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "provider"
    ]

    @functools.wraps(sync)
    async def twin(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        given = dict(bound.arguments)
        extra = given.pop("kwargs", {})
        settings = [given.pop(name) for name in _CLIENT_ARGS]
        if "model" in given:
            name, given["model"] = split_model(given["model"], given.pop("provider"))
            client = get_client(name, *settings)
        else:
            client = client_for(given.pop("provider"), *settings)
        call_args = [given.pop(name) for name in positional]
        result: R = await getattr(client, method)(*call_args, **given, **extra)
        return result

    twin.__name__ = twin.__qualname__ = method
    return twin
