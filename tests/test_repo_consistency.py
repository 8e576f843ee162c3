"""Lockstep versions, compatible core ranges, entry points, and a README provider table that is not stale."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_DIRS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())


def load(path: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads((path / "pyproject.toml").read_text())


def test_versions_move_in_lockstep_and_pin_a_compatible_core() -> None:
    core = load(ROOT / "core")["project"]["version"]
    major, minor, _ = (int(x) for x in core.split("."))
    for path in [*PLUGIN_DIRS, ROOT / "examples" / "anyllm-acme"]:
        project = load(path)["project"]
        assert project["version"] == core, path.name
        assert project["dependencies"] == [f"anyllm-core>={core},<{major}.{minor + 1}"], path.name
        name = path.name.removeprefix("anyllm-")
        assert project["name"] == f"anyllm-{name}"
        assert project["entry-points"]["anyllm"] == {name: f"anyllm_{name}"}
        assert (path / "src" / f"anyllm_{name}" / "py.typed").exists()
        assert (path / "README.md").exists()


def test_every_plugin_is_found_at_run_time() -> None:
    from any_llm import list_providers

    infos, failures = list_providers()
    assert failures == []
    names = {i.name for i in infos}
    assert {p.name for p in PLUGIN_DIRS} <= names


def test_the_provider_enum_is_the_plugins_folder() -> None:
    """``LLMProvider`` (the seed's enum, and the source of the install hint) names exactly our plugins."""
    from any_llm import LLMProvider

    assert sorted(m.value for m in LLMProvider) == [p.name for p in PLUGIN_DIRS]


def test_readme_provider_table_is_generated_and_current() -> None:
    from any_llm.__main__ import markdown_table

    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- providers:start -->\n(.*?)\n<!-- providers:end -->", readme, re.S)
    assert match, "README.md lacks the generated provider table markers"
    current = "\n".join(line for line in markdown_table().splitlines() if "`acme`" not in line)
    assert match.group(1) == current, "README provider table is stale: run `nox -s readme`"
