"""The plugin author's contract: the hooks an anyllm plugin implements.

A plugin is a module named in the ``anyllm`` entry-point group of its distribution::

    [project.entry-points.anyllm]
    mistral = "anyllm_mistral"

and holds ``@hookimpl`` functions for the hooks below. Hooks are cheap declarations: no network
I/O and no heavy imports. They receive a registry to call instead of returning values, so the
host can grow new keyword options without breaking old plugins. Hook names carry the ``anyllm_``
prefix; the set is kept small and stable.

How the hooks are called (pluggy's semantics, stated per spec below): core calls every hook through
the plugin manager (``pm.hook``), with keyword arguments, so pluggy validates each implementation's
signature when the plugin registers, and an implementation may accept fewer arguments than the spec
offers (new arguments can be added to a spec without breaking old plugins). A function named
``anyllm_*`` that matches no spec makes its plugin fail to load, with the misspelling named, instead
of being silently ignored. A plugin disabled with ``ANYLLM_DISABLE_PLUGINS`` is blocked in the
plugin manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from any_llm.plugins import ProviderRegistry

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("anyllm")
hookimpl = pluggy.HookimplMarker("anyllm")
"""Mark a plugin function as the implementation of an anyllm hook: ``@hookimpl``."""


@hookspec
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    """Register this plugin's provider classes.

    Called once per plugin, when discovery first needs it (lazily: the plugin whose entry-point name
    is the requested provider first, the others when a name is not found). Not ``firstresult``: the
    return value is ignored; an exception marks the plugin as failed (``python -m any_llm`` shows why)
    without affecting other plugins.

    Args:
        registry: call ``registry.register(ProviderClass)`` once per provider. The class must
            subclass :class:`any_llm.provider.Provider` and set a unique ``name``.
    """
