"""``completion(model=..., fallbacks=[...])``: the module-level functions routed through a Router.

The primary model and each fallback become one-deployment groups tried in order. Routers are
kept per configuration (like pooled clients), so cooldowns learned on one call hold for the next.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from any_llm import errors
from any_llm.router.deployment import Deployment
from any_llm.router.routing import Router

__all__ = ["routed"]

_CACHE_SIZE = 32
_routers: OrderedDict[Any, Router] = OrderedDict()
_lock = threading.Lock()
PRIMARY = "primary"


def _fallback(index: int, value: Any) -> Deployment:
    group = f"fallback{index}"
    if isinstance(value, str):
        return Deployment(group=group, model=value)
    if isinstance(value, Deployment):
        return replace(value, group=group)
    if isinstance(value, dict):
        return Deployment.coerce({**value, "group": group})
    raise errors.ConfigurationError(
        f"fallbacks must be 'provider:model' strings, dicts or Deployments, got {type(value).__name__}"
    )


NOT_FORWARDED = frozenset({"provider", "api_key", "api_base", "client_args", "kwargs", "model"})
"""completion()'s arguments that configure the primary deployment instead of being sent."""


def routed(scope: dict[str, Any]) -> tuple[Router, dict[str, Any]]:
    """The router for this call's model and ``fallbacks``, and the arguments to call it with."""
    from any_llm.api import frozen

    kwargs = dict(scope["kwargs"])
    fallbacks = kwargs.pop("fallbacks")
    if isinstance(fallbacks, str) or not isinstance(fallbacks, (list, tuple)):
        raise errors.ConfigurationError(f"fallbacks must be a list of models, got {fallbacks!r}")
    key = scope.get("api_key")
    digest = hashlib.sha256(key.encode()).hexdigest() if isinstance(key, str) else key
    provider = scope.get("provider")
    cache_key = (
        scope["model"],
        getattr(provider, "value", provider),
        digest,
        scope.get("api_base"),
        frozen(scope.get("client_args") or {}),
        frozen([f if not isinstance(f, Deployment) else repr((f, f.api_key)) for f in fallbacks]),
    )
    with _lock:
        router = _routers.get(cache_key)
        if router is not None:
            _routers.move_to_end(cache_key)
    if router is None:
        primary = Deployment(
            group=PRIMARY,
            model=scope["model"],
            provider=getattr(provider, "value", provider),
            api_key=key,
            api_base=scope.get("api_base"),
            client_args=scope.get("client_args"),
        )
        others = [_fallback(i, f) for i, f in enumerate(fallbacks, 1)]
        router = Router([primary, *others], fallbacks={PRIMARY: [d.group for d in others]})
        with _lock:
            router = _routers.setdefault(cache_key, router)
            while len(_routers) > _CACHE_SIZE:
                _routers.popitem(last=False)
    call_args = {k: v for k, v in scope.items() if k not in NOT_FORWARDED}
    call_args.update(kwargs)
    return router, call_args
