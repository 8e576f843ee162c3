"""Remember once that ``sniffio`` is absent, so httpcore stops looking for it on every request.

httpcore asks which async library runs it with ``import sniffio`` inside ``current_async_library()``,
about ten times per request (each lock and event it sets up), and falls back to asyncio when the
import fails. anyio 4.5+ no longer depends on sniffio, so in many environments the import fails, and
Python does not cache a failed import: each attempt walks every ``sys.path`` entry again. With the
plugins installed as editable projects (one path entry each: 60 in this repository) that walk cost
about 0.8 ms, so 8-20 ms of CPU per request: most of a bulk job's CPU, and on 2 cores its ceiling.
Core's transport calls :func:`cache_missing_sniffio` before its first async client, so every async call
of every family gains it, not only bulk jobs.

``sys.modules["sniffio"] = None`` is Python's own negative cache ("import of sniffio halted"): the
import fails at once, and httpcore takes the same asyncio branch it took before. It is set only when
sniffio cannot be found, so an installed sniffio (trio users) is untouched.
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["cache_missing_sniffio"]

_checked = False


def cache_missing_sniffio() -> None:
    """Record a missing ``sniffio`` in ``sys.modules`` (once per process)."""
    global _checked
    if _checked:
        return
    _checked = True
    if "sniffio" in sys.modules:
        return
    try:
        missing = importlib.util.find_spec("sniffio") is None
    except (ImportError, ValueError):
        missing = True
    if missing:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
