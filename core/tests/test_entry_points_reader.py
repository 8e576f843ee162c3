"""``any_llm.entry_points`` reads what ``importlib.metadata`` reads, with the same results and order."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from any_llm import entry_points


def _dist(root: Path, folder: str, name: str, version: str, eps: str, meta: str = "METADATA") -> None:
    info = root / folder
    info.mkdir()
    (info / meta).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not-a-header\n")
    (info / "entry_points.txt").write_text(eps)


def _as_tuples(eps: list[entry_points.EntryPoint]) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.name, e.value, e.dist.name if e.dist else None, e.dist.version if e.dist else None) for e in eps]


def test_same_entry_points_as_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _dist(first, "Anyllm_Zeta-1.0.dist-info", "anyllm-zeta", "1.0", "# comment\n[anyllm]\nzeta = zmod:attr.sub\n")
    _dist(first, "legacy-2.0.egg-info", "legacy", "2.0", "[anyllm]\nlegacy=lmod\n[other]\nx = y\n", meta="PKG-INFO")
    # the same distribution again, later on sys.path: shadowed, as importlib.metadata's _unique does
    _dist(second, "anyllm.zeta-9.9.dist-info", "anyllm-zeta", "9.9", "[anyllm]\nzeta = shadowed\n")
    _dist(second, "anyllm_hooky-0.1.dist-info", "anyllm-hooky", "0.1", "[anyllm_hooks]\n  hooky =  hmod  \n")
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])

    found = entry_points.select(["anyllm", "anyllm_hooks"])
    reference = importlib.metadata.entry_points()
    for group in ("anyllm", "anyllm_hooks"):
        expected = [(e.name, e.value, e.dist.name, e.dist.version) for e in reference.select(group=group)]  # type: ignore[union-attr]
        assert sorted(_as_tuples(found[group])) == sorted(expected)
    assert ("zeta", "zmod:attr.sub", "anyllm-zeta", "1.0") in _as_tuples(found["anyllm"])
    assert _as_tuples(found["anyllm_hooks"]) == [("hooky", "hmod", "anyllm-hooky", "0.1")]


def test_load_walks_module_and_attributes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "epmod_reader.py").write_text("class Outer:\n    class Inner:\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        ep = entry_points.EntryPoint("x", "epmod_reader:Outer.Inner", "anyllm", None)
        assert ep.load().__qualname__ == "Outer.Inner"
        with pytest.raises(ValueError, match="malformed"):
            entry_points.EntryPoint("x", "not a value!", "anyllm", None).load()
    finally:
        sys.modules.pop("epmod_reader", None)


def test_a_zip_on_sys_path_falls_back_to_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "deps.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip archive
    monkeypatch.setattr(sys, "path", [*sys.path, str(archive)])
    calls: list[set[str]] = []
    real = entry_points._via_importlib_metadata

    def spy(groups: set[str]) -> dict[str, list[entry_points.EntryPoint]]:
        calls.append(groups)
        return real(groups)

    monkeypatch.setattr(entry_points, "_via_importlib_metadata", spy)
    entry_points.select(["anyllm"])
    assert calls == [{"anyllm"}]
