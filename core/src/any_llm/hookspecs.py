"""The plugin author's contract: the hooks an anyllm plugin implements.

A plugin is a module named in the ``anyllm`` entry-point group of its distribution::

    [project.entry-points.anyllm]
    mistral = "anyllm_mistral"

and holds ``@hookimpl`` functions for the hooks below. Hooks are cheap declarations: no network
I/O and no heavy imports. They receive a registry to call instead of returning values, so the
host can grow new keyword options without breaking old plugins. Hook names carry the ``anyllm_``
prefix; the set is kept small and stable.
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

    Args:
        registry: call ``registry.register(ProviderClass)`` once per provider. The class must
            subclass :class:`any_llm.provider.Provider` and set a unique ``name``.
    """
