"""Finding providers: entry-point discovery with per-plugin isolation, filters and a registry.

Nothing is imported until a provider is needed (or listed). When ``provider="mistral"`` is asked
for, the entry points named ``mistral`` load first; only if none registers it are the others
loaded. A plugin that fails to import or to register is recorded, not raised: its error surfaces,
naming the distribution, when its provider is requested, and in :func:`list_providers`.

``ANYLLM_PLUGINS=a,b`` loads only those distributions (or entry-point names); an empty value loads
none. ``ANYLLM_DISABLE_PLUGINS=a,b`` blocks some. In-process registration (:func:`register_provider`,
:func:`register_plugin`) needs no packaging, for tests and apps.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from any_llm import errors

if TYPE_CHECKING:
    import pluggy

    from any_llm.entry_points import EntryPoint
    from any_llm.provider import Provider

__all__ = [
    "PluginFailure",
    "ProviderInfo",
    "ProviderRegistry",
    "get_provider_class",
    "list_providers",
    "load_hook_plugins",
    "register_plugin",
    "register_provider",
    "reset",
    "unregister_plugin",
    "unregister_provider",
]

ENTRY_POINT_GROUP = "anyllm"
HOOKS_ENTRY_POINT_GROUP = "anyllm_hooks"
"""Plugins that observe calls (call hooks only) are listed here: loaded at the first call, not lazily by name."""


@dataclass(frozen=True)
class ProviderInfo:
    """An installed provider, for :func:`list_providers` and the README table."""

    name: str
    provider_class: type[Provider]
    distribution: str | None
    version: str | None
    capabilities: dict[str, bool] = field(default_factory=dict)
    api_key_env: tuple[str, ...] = ()
    api_base_env: tuple[str, ...] = ()
    default_api_base: str = ""


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that did not load, and why."""

    distribution: str | None
    entry_point: str
    error: str


class ProviderRegistry:
    """Handed to ``anyllm_register_providers``; collects what one plugin registers."""

    def __init__(self, distribution: str | None = None, version: str | None = None) -> None:
        self._distribution = distribution
        self._version = version
        self.registered: list[tuple[type[Provider], str | None, str | None]] = []

    def register(self, provider_class: type[Provider]) -> None:
        """Register a :class:`~any_llm.provider.Provider` subclass under its ``name``."""
        from any_llm.provider import Provider

        if not (isinstance(provider_class, type) and issubclass(provider_class, Provider)):
            raise errors.PluginLoadError(
                f"registry.register() takes a Provider subclass, got {provider_class!r}",
                distribution=self._distribution,
            )
        name = provider_class.name
        if not name or name != name.lower() or ":" in name or "/" in name:
            raise errors.PluginLoadError(
                f"{provider_class.__qualname__}.name must be a non-empty lower-case name without ':' or '/', "
                f"got {name!r}",
                distribution=self._distribution,
            )
        self.registered.append((provider_class, self._distribution, self._version))


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.providers: dict[str, ProviderInfo] = {}
        self.conflicts: dict[str, list[str]] = {}
        self.failures: list[PluginFailure] = []
        self.loaded_eps: set[str] = set()
        self.all_loaded = False
        self.entry_points: list[EntryPoint] | None = None
        self.hook_entry_points: list[EntryPoint] | None = None
        self.pm: pluggy.PluginManager | None = None
        self.removed: dict[str, str] = {}
        """Providers registered in process and removed since: name -> where the class came from."""


_state = _State()


def _plugin_manager() -> pluggy.PluginManager:
    if _state.pm is None:
        import pluggy

        from any_llm import hookspecs

        pm = pluggy.PluginManager("anyllm")
        pm.add_hookspecs(hookspecs)
        _state.pm = pm
    return _state.pm


def _split_env(name: str) -> set[str] | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return {v.strip().lower() for v in value.split(",") if v.strip()}


def _entry_points(group: str = ENTRY_POINT_GROUP) -> list[EntryPoint]:
    if _state.entry_points is None:
        from any_llm.entry_points import select

        # one scan of the installed distributions serves both groups (read directly: see entry_points.py)
        found = select((ENTRY_POINT_GROUP, HOOKS_ENTRY_POINT_GROUP))
        _state.entry_points = _filtered(found[ENTRY_POINT_GROUP])
        _state.hook_entry_points = _filtered(found[HOOKS_ENTRY_POINT_GROUP])
    if group == HOOKS_ENTRY_POINT_GROUP:
        return _state.hook_entry_points or []
    return _state.entry_points


def _filtered(eps: list[EntryPoint]) -> list[EntryPoint]:
    allow = _split_env("ANYLLM_PLUGINS")
    block = _split_env("ANYLLM_DISABLE_PLUGINS") or set()

    def names(ep: EntryPoint) -> set[str]:
        dist = (ep.dist.name or "").lower() if ep.dist is not None else ""
        return {ep.name.lower(), dist, dist.replace("_", "-")}

    if allow is None and not block:
        return eps  # nothing filtered: no distribution's metadata needs reading
    kept = [ep for ep in eps if (allow is None or names(ep) & allow) and not names(ep) & block]
    pm = _plugin_manager()
    for ep in eps:
        if ep not in kept:  # disabled: pluggy refuses it even if something registers it later
            pm.set_blocked(_plugin_name(ep))
    return kept


def _load_entry_point(ep: EntryPoint) -> None:
    key = f"{ep.name}={ep.value}"
    if key in _state.loaded_eps:
        return
    _state.loaded_eps.add(key)
    dist = ep.dist.name if ep.dist is not None else None
    version = ep.dist.version if ep.dist is not None else None
    try:
        module = ep.load()
    except Exception as exc:
        _state.failures.append(PluginFailure(dist, ep.name, f"import failed: {type(exc).__name__}: {exc}"))
        return
    _register_plugin_object(module, name=_plugin_name(ep), dist=dist, version=version, ep_name=ep.name)


def _plugin_name(ep: EntryPoint) -> str:
    """The name a plugin module is registered under in the plugin manager: ``distribution:entry-point``."""
    return f"{ep.dist.name if ep.dist is not None else ep.name}:{ep.name}"


def _register_plugin_object(plugin: Any, *, name: str, dist: str | None, version: str | None, ep_name: str) -> None:
    pm = _plugin_manager()
    registry = ProviderRegistry(dist, version)
    try:
        if pm.get_plugin(name) is None and not pm.is_registered(plugin):
            pm.register(plugin, name=name)  # pluggy validates the hook implementations' signatures here
            try:
                pm.check_pending()  # an ``anyllm_`` function that matches no hook spec: a misspelling
            except Exception:
                pm.unregister(name=name)
                raise
            _call_hooks_changed(pm)
        # this plugin's registration only (discovery is lazy: one plugin at a time), through pluggy
        others = [p for p in pm.get_plugins() if p is not plugin]
        pm.subset_hook_caller("anyllm_register_providers", remove_plugins=others)(registry=registry)
    except Exception as exc:
        _state.failures.append(PluginFailure(dist, ep_name, f"registration failed: {type(exc).__name__}: {exc}"))
        return
    for cls, d, v in registry.registered:
        _add(cls, d, v)


def _add(cls: type[Provider], dist: str | None, version: str | None) -> None:
    name = cls.name
    existing = _state.providers.get(name)
    if existing is not None and existing.provider_class is not cls:
        owners = _state.conflicts.setdefault(name, [existing.distribution or "<in-process>"])
        owners.append(dist or "<in-process>")
        return
    _state.providers[name] = ProviderInfo(
        name=name,
        provider_class=cls,
        distribution=dist,
        version=version,
        capabilities=cls.capabilities(),
        api_key_env=cls.api_key_env,
        api_base_env=cls.api_base_env,
        default_api_base=cls.default_api_base,
    )


def _load_all() -> None:
    if _state.all_loaded:
        return
    for ep in _entry_points():
        _load_entry_point(ep)
    _state.all_loaded = True


def get_provider_class(name: str) -> type[Provider]:
    """The provider class registered as ``name`` (case-insensitive), loading plugins as needed."""
    key = name.strip().lower()
    with _state.lock:
        if key not in _state.providers and not _state.all_loaded:
            for ep in _entry_points():
                if ep.name.lower() == key:
                    _load_entry_point(ep)
            if key not in _state.providers:
                _load_all()
        if key in _state.conflicts:
            owners = " and ".join(_state.conflicts[key])
            raise errors.PluginLoadError(
                f"provider {key!r} is registered by more than one plugin: {owners}. "
                f"Uninstall one, or pick one with ANYLLM_PLUGINS.",
                provider=key,
            )
        info = _state.providers.get(key)
        if info is not None:
            return info.provider_class
        for failure in _state.failures:
            if failure.entry_point.lower() == key or (failure.distribution or "").lower() == f"anyllm-{key}":
                raise errors.PluginLoadError(
                    f"the plugin for provider {key!r} (distribution {failure.distribution}) failed to load: "
                    f"{failure.error}",
                    distribution=failure.distribution,
                    provider=key,
                )
        installed = sorted(_state.providers)
        removed = _state.removed.get(key)
    raise errors.UnsupportedProviderError(key, installed, _install_hint(key, removed))


def _install_hint(key: str, removed: str | None) -> str | None:
    """``pip install anyllm-NAME`` for the providers we publish (the names of :class:`LLMProvider`), or
    where a provider registered in this process (a test double, say) came from before it was removed."""
    from any_llm.api import LLMProvider

    if removed is not None:
        return f"{key!r} was registered in this process by {removed} and has been removed since."
    return f"Install it with: pip install anyllm-{key}" if key in LLMProvider._value2member_map_ else None


def list_providers() -> tuple[list[ProviderInfo], list[PluginFailure]]:
    """Every installed provider (loading all plugins), and the plugins that failed to load."""
    with _state.lock:
        _load_all()
        return sorted(_state.providers.values(), key=lambda i: i.name), list(_state.failures)


def register_provider(provider_class: type[Provider]) -> None:
    """Register a provider class in this process, without packaging (tests, apps)."""
    registry = ProviderRegistry()
    registry.register(provider_class)
    with _state.lock:
        _state.providers.pop(provider_class.name, None)
        _state.conflicts.pop(provider_class.name, None)
        _add(provider_class, None, None)


@contextlib.contextmanager
def registered(provider_class: type[Provider]) -> Iterator[None]:
    """Register ``provider_class`` for a block, then restore whatever had its name before."""
    name = provider_class.name
    with _state.lock:
        get_provider_class_or_none(name)  # load discovery first, so a plugin's own entry survives
        previous = _state.providers.get(name)
        register_provider(provider_class)
    try:
        yield
    finally:
        with _state.lock:
            if previous is None:
                _state.providers.pop(name, None)
                _state.removed[name] = f"{provider_class.__module__}.{provider_class.__qualname__}"
            else:
                _state.providers[name] = previous


def get_provider_class_or_none(name: str) -> type[Provider] | None:
    try:
        return get_provider_class(name)
    except errors.AnyLLMError:
        return None


def unregister_provider(name: str) -> None:
    with _state.lock:
        info = _state.providers.pop(name, None)
        if info is not None:
            cls = info.provider_class
            _state.removed[name] = f"{cls.__module__}.{cls.__qualname__}"
        _state.conflicts.pop(name, None)


def register_plugin(plugin: Any, name: str | None = None) -> None:
    """Register a plugin object or module holding ``@hookimpl`` functions, as an entry point would."""
    with _state.lock:
        _register_plugin_object(
            plugin,
            name=name or repr(plugin),
            dist=None,
            version=None,
            ep_name=name or str(getattr(plugin, "__name__", repr(plugin))),
        )


def reset() -> None:
    """Forget everything discovered (tests use this after changing env vars or installs)."""
    global _state
    with _state.lock:
        _state = _State()
        from any_llm import callhooks

        callhooks.forget()


def unregister_plugin(plugin: Any = None, name: str | None = None) -> None:
    """Unregister a plugin object (or the one registered as ``name``): its hooks stop firing."""
    with _state.lock:
        pm = _plugin_manager()
        if name is not None and plugin is None:
            plugin = pm.get_plugin(name)
        if plugin is not None and pm.is_registered(plugin):
            pm.unregister(plugin)
            _call_hooks_changed(pm)


def load_hook_plugins() -> None:
    """Load the ``anyllm_hooks`` entry points (once; per-plugin isolation, the same env filters)."""
    from any_llm import callhooks

    with _state.lock:
        for ep in _entry_points(HOOKS_ENTRY_POINT_GROUP):
            _load_entry_point(ep)
        callhooks.refresh(_plugin_manager(), discovered=True)


def _call_hooks_changed(pm: pluggy.PluginManager) -> None:
    from any_llm import callhooks

    callhooks.refresh(pm)
