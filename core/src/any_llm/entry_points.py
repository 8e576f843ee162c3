"""Entry points read straight from the installed distributions' ``entry_points.txt``, without
``importlib.metadata``.

Why: ``importlib.metadata`` costs a fresh process several milliseconds to import (``email``, ``zipfile``,
``csv``, ``pathlib``...) and builds a ``Distribution`` with parsed metadata for every installed package,
while discovery needs two groups and the name and version of the few distributions that declare them.
This reads the same files ``importlib.metadata`` reads, in the same order, with the same rules:

- ``sys.path`` in order; in each directory the ``*.dist-info`` / ``*.egg-info`` children;
- one distribution per normalized name, the first found wins (``importlib.metadata``'s ``_unique``);
- ``entry_points.txt`` sections and ``name = value`` lines, ``#`` comments and blank lines skipped;
- the distribution's ``Name`` and ``Version`` from ``METADATA`` (``PKG-INFO`` for egg-info), read only for
  the distributions that declare an entry point in a requested group.

Anything this does not model falls back to ``importlib.metadata`` itself: a zip file or an ``.egg``
directory on ``sys.path``, or a ``sys.meta_path`` finder other than the standard one that can find
distributions (a custom importer with its own metadata).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["Dist", "EntryPoint", "select"]

_NORMALIZE = re.compile(r"[-_.]+")
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


class Dist:
    """The distribution an entry point came from: what discovery reports (name, version).

    Made from the ``.dist-info`` folder, its ``METADATA`` headers are read at the first use of ``name`` or
    ``version``: a process that loads one plugin reads one file, however many plugins are installed."""

    __slots__ = ("_egg", "_name", "_path", "_version")

    def __init__(self, name: str | None, version: str | None, path: str | None = None, egg: bool = False) -> None:
        self._name = name
        self._version = version
        self._path = path
        self._egg = egg

    @property
    def name(self) -> str | None:
        if self._path is not None:
            self._read()
        return self._name

    @property
    def version(self) -> str | None:
        if self._path is not None:
            self._read()
        return self._version

    def _read(self) -> None:
        assert self._path is not None
        headers = _headers(self._path, self._egg)
        self._name, self._version, self._path = headers.get("Name"), headers.get("Version"), None

    def __repr__(self) -> str:
        return f"Dist(name={self.name!r}, version={self.version!r})"


class EntryPoint:
    """One entry point: ``name = value`` in ``[group]``, with the subset of ``importlib.metadata.EntryPoint``
    discovery uses (``name``, ``value``, ``group``, ``dist``, ``load()``). A plain class, not a dataclass:
    creating a dataclass costs a fresh process about a millisecond (it compiles its methods)."""

    __slots__ = ("dist", "group", "name", "value")

    def __init__(self, name: str, value: str, group: str, dist: Dist | None) -> None:
        self.name = name
        self.value = value
        self.group = group
        self.dist = dist

    def _key(self) -> tuple[str, str, str, str | None]:
        return (self.name, self.value, self.group, self.dist.name if self.dist is not None else None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntryPoint) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"

    def load(self) -> Any:
        """Import the module and walk the attribute path, as ``importlib.metadata.EntryPoint.load`` does."""
        import importlib

        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name!r} has a malformed value {self.value!r}")
        obj = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
        return obj


def select(groups: Iterable[str]) -> dict[str, list[EntryPoint]]:
    """The entry points of ``groups`` of every installed distribution, in ``importlib.metadata`` order."""
    wanted = set(groups)
    if not _fast_path_applies():
        return _via_importlib_metadata(wanted)
    found: dict[str, list[EntryPoint]] = {group: [] for group in wanted}
    seen: set[str] = set()
    for entry in sys.path:
        root = entry or "."
        try:
            children = os.listdir(root)
        except OSError:
            continue
        for child in children:
            low = child.lower()
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            key = _NORMALIZE.sub("-", low.rpartition(".")[0].partition("-")[0]).replace("-", "_")
            if key in seen:
                continue
            seen.add(key)
            path = os.path.join(root, child)
            text = _read(os.path.join(path, "entry_points.txt"))
            if not text:
                continue
            eps = _parse(text, wanted)
            if not eps:
                continue
            dist = Dist(None, None, path, low.endswith(".egg-info"))
            for group, name, value in eps:
                found[group].append(EntryPoint(name, value, group, dist))
    return found


def _fast_path_applies() -> bool:
    """True when every distribution ``importlib.metadata`` would find sits in a plain directory on sys.path."""
    for finder in sys.meta_path:
        if getattr(finder, "find_distributions", None) is None:
            continue
        if getattr(finder, "__module__", "") not in ("_frozen_importlib_external", "importlib._bootstrap_external"):
            return False  # a custom finder with its own distributions
    # an egg, a zip file or a non-string entry on sys.path: importlib.metadata reads those, this does not
    return all(isinstance(e, str) and not e.lower().endswith(".egg") and not os.path.isfile(e or ".") for e in sys.path)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _parse(text: str, groups: set[str]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    section: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section in groups and "=" in line:
            name, _, value = line.partition("=")
            out.append((section, name.strip(), value.strip()))
    return out


def _headers(path: str, egg: bool) -> dict[str, str]:
    """``Name`` and ``Version`` from the metadata file's headers (they end at the first blank line; the long
    description after them, often the whole README, is not read)."""
    found: dict[str, str] = {}
    for filename in ("PKG-INFO", "METADATA") if egg else ("METADATA",):
        try:
            with open(os.path.join(path, filename), encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break
                    key, sep, value = line.partition(":")
                    if sep and key in ("Name", "Version") and key not in found:
                        found[key] = value.strip()
        except (OSError, UnicodeDecodeError):
            continue
        return found
    return found


def _via_importlib_metadata(groups: set[str]) -> dict[str, list[EntryPoint]]:
    from importlib.metadata import entry_points

    everything = entry_points()
    found: dict[str, list[EntryPoint]] = {}
    for group in groups:
        found[group] = [
            EntryPoint(
                ep.name,
                ep.value,
                group,
                Dist(ep.dist.name, ep.dist.version) if ep.dist is not None else None,
            )
            for ep in everything.select(group=group)
        ]
    return found
