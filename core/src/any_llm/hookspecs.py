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

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from any_llm.callhooks import AttemptInfo, CallInfo
    from any_llm.plugins import ProviderRegistry
    from any_llm.types.completion import ChatCompletionChunk

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


# -- call hooks ----------------------------------------------------------------------------------
# Fired around every call of every family (see any_llm.callhooks for the order and the event objects):
# completion, embedding, list_models, count_tokens, responses, messages, rerank, moderation, images,
# speech, transcription, files and batch jobs (``call.api`` names the method, ``call.operation`` the
# GenAI operation; a multi-request job is one call). A router's deployment try is in ``call.route``.
# All are plain broadcasts: every implementation is called (tryfirst/trylast order them), return values
# are ignored, none is firstresult. A raising implementation is logged once and skipped; the call goes
# on. They run on the caller's thread (or event loop), so keep them quick: no network I/O in a hook.
# Plugins that only observe calls declare their module in the ``anyllm_hooks`` entry-point group
# (loaded at the first call); in-process, any_llm.plugins.register_plugin(obj) works the same.


@hookspec
def anyllm_call_start(call: CallInfo) -> None:
    """The request is built and about to be sent (once per call, before the first attempt).

    Args:
        call: the call's :class:`~any_llm.callhooks.CallInfo`; the same object reaches every later hook of
            this call, so keep per-call state in ``call.data[<your key>]``.
    """


@hookspec
def anyllm_call_attempt(call: CallInfo, attempt: AttemptInfo) -> None:
    """One HTTP attempt has its outcome: a status, or a transport error; ``attempt.will_retry`` says
    whether another attempt follows (after ``attempt.retry_delay`` seconds). Fires once per attempt."""


@hookspec
def anyllm_call_response(call: CallInfo) -> None:
    """A non-streamed call succeeded: ``call.result``, ``call.usage`` and ``call.duration`` are set.
    Terminal: no other hook of this call fires after it."""


@hookspec
def anyllm_stream_chunk(call: CallInfo, chunk: ChatCompletionChunk | Any) -> None:
    """A streamed call's chunk as parsed from the wire (the per-chunk hot path: be brief): a
    ``ChatCompletionChunk`` for completion streams and for Responses/Messages streams translated over chat
    completions, the API's own event for a native Responses or Messages stream. Downloads (speech audio,
    file contents) fire no chunk hook, only ``anyllm_stream_end`` (or ``anyllm_call_error``) when read."""


@hookspec
def anyllm_stream_end(call: CallInfo) -> None:
    """A streamed call ended: ran out (``call.completed`` True), or was closed or collected early
    (False). ``call.usage`` is the last usage the stream reported. Terminal."""


@hookspec
def anyllm_call_error(call: CallInfo) -> None:
    """The call failed, before or during its stream: ``call.error`` holds the typed error (and
    ``call.error_type`` its class name). Terminal."""
