"""A call-hook plugin that records what it is told, for tests of call hooks and of hook plugins.

Register it in process (``any_llm.plugins.register_plugin(CallRecorder(), name="recorder")``), make calls,
then read ``events``: ``(hook, call, extra)`` tuples in the order they fired, ``extra`` being the attempt of
``anyllm_call_attempt`` and the chunk of ``anyllm_stream_chunk``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from any_llm.hookspecs import hookimpl

if TYPE_CHECKING:
    from any_llm.callhooks import AttemptInfo, CallInfo

__all__ = ["CallRecorder"]


class CallRecorder:
    """Records every call hook: ``start``, ``attempt``, ``response``, ``chunk``, ``end``, ``error``."""

    def __init__(self) -> None:
        self.events: list[tuple[str, CallInfo, Any]] = []

    @hookimpl
    def anyllm_call_start(self, call: CallInfo) -> None:
        self.events.append(("start", call, None))

    @hookimpl
    def anyllm_call_attempt(self, call: CallInfo, attempt: AttemptInfo) -> None:
        self.events.append(("attempt", call, attempt))

    @hookimpl
    def anyllm_call_response(self, call: CallInfo) -> None:
        self.events.append(("response", call, None))

    @hookimpl
    def anyllm_stream_chunk(self, call: CallInfo, chunk: Any) -> None:
        self.events.append(("chunk", call, chunk))

    @hookimpl
    def anyllm_stream_end(self, call: CallInfo) -> None:
        self.events.append(("end", call, None))

    @hookimpl
    def anyllm_call_error(self, call: CallInfo) -> None:
        self.events.append(("error", call, None))

    def names(self, chunks: bool = True) -> list[str]:
        """The hooks in the order they fired (without the chunks when ``chunks`` is False)."""
        return [e[0] for e in self.events if chunks or e[0] != "chunk"]

    def calls(self) -> list[CallInfo]:
        """The calls, in the order they started."""
        return [e[1] for e in self.events if e[0] == "start"]
