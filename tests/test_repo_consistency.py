"""Lockstep versions, compatible core ranges, entry points, and provider lists (README, docs site) that are not stale."""

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
        pin = f">={core},<{major}.{minor + 1}"
        assert project["dependencies"][0] == f"anyllm-core{pin}", path.name
        for dep in project["dependencies"][1:]:  # another first-party plugin whose translation it reuses
            assert dep.startswith("anyllm-") and dep.endswith(pin), (path.name, dep)
            assert (ROOT / "plugins" / dep.removeprefix("anyllm-").removesuffix(pin)).is_dir(), (path.name, dep)
        name = path.name.removeprefix("anyllm-")
        assert project["name"] == f"anyllm-{name}"
        assert project["entry-points"]["anyllm"] == {name: f"anyllm_{name}"}
        assert (path / "src" / f"anyllm_{name}" / "py.typed").exists()
        assert (path / "README.md").exists()


def test_plugin_dependencies_form_no_circle() -> None:
    """A plugin may build on another's public translator (vertexai on gemini...), never in a circle."""
    deps = {
        p.name: {d.split(">=")[0].removeprefix("anyllm-") for d in load(p)["project"]["dependencies"][1:]}
        for p in PLUGIN_DIRS
    }

    def reaches(start: str, seen: tuple[str, ...]) -> None:
        for dep in deps.get(start, ()):
            assert dep not in seen, f"plugin dependency circle: {' -> '.join((*seen, dep))}"
            reaches(dep, (*seen, dep))

    for name in deps:
        reaches(name, (name,))


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


def test_readme_provider_list_is_generated_and_current() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from provider_docs import readme_providers

    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- providers:start -->\n(.*?)\n<!-- providers:end -->", readme, re.S)
    assert match, "README.md lacks the generated provider list markers"
    assert match.group(1) == readme_providers(), "README provider list is stale: run `nox -s readme`"
    for plugin in PLUGIN_DIRS:
        assert f"`{plugin.name}`" in match.group(1), plugin.name


def test_site_provider_table_is_the_cli_table() -> None:
    """The site's provider index (generated at build time) is ``python -m any_llm --markdown``'s table,
    every plugin has its own page, and each page states the plugin's declared env vars and install line."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from mkdocs_hooks import generated_pages

    from any_llm.__main__ import markdown_table
    from any_llm.plugins import list_providers

    pages = generated_pages()
    index = pages["providers/index.md"]
    rows = [line for line in markdown_table().splitlines() if "`acme`" not in line]
    for row in rows:
        linked = re.sub(r"^\| `([a-z0-9]+)` \|", r"| [`\1`](\1.md) |", row)
        assert linked in index, f"provider index lacks the row: {row[:80]}"
    infos = {i.name: i for i in list_providers()[0]}
    for plugin in PLUGIN_DIRS:
        page = pages[f"providers/{plugin.name}.md"]
        info = infos[plugin.name]
        assert f"`pip install anyllm-{plugin.name}`" in page
        for var in (*info.api_key_env, *info.api_base_env):
            assert f"`{var}`" in page, (plugin.name, var)


def test_tool_pins_are_stated_once() -> None:
    """CI, nox and pre-commit run the same ruff: the lint group of pyproject.toml pins it, pre-commit's rev
    must match, and nox installs every session against uv.lock (which must hold that pin)."""
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    (ruff,) = [dep for dep in groups["lint"] if dep.startswith("ruff")]
    assert ruff.startswith("ruff=="), f"the lint group must pin ruff exactly, got {ruff!r}"
    precommit = (ROOT / ".pre-commit-config.yaml").read_text()
    assert f"rev: v{ruff.removeprefix('ruff==')}" in precommit, "pre-commit's ruff rev differs from pyproject's pin"
    lock = (ROOT / "uv.lock").read_text()
    for pin in (ruff, *[dep for dep in groups["typecheck"] if "==" in dep]):
        name, version = pin.split("==")
        assert f'name = "{name}"\nversion = "{version}"' in lock, f"uv.lock does not hold {pin}: run `uv lock`"
    noxfile = (ROOT / "noxfile.py").read_text()
    assert "session.install(" not in noxfile.replace('session.install("-c", _constraints()', ""), (
        "every nox install goes through _install (pinned to uv.lock)"
    )


def test_no_private_name_is_imported_across_modules() -> None:
    """``from any_llm.x import _name`` couples modules through what one of them calls private. A package's
    own private submodules (``from anyllm_gemini import _batch``) are fine; private names inside them are not
    imported from another module."""
    import ast

    sources = [ROOT / "core" / "src" / "any_llm", *sorted(ROOT.glob("*/*/src/anyllm_*"))]
    offenders = []
    for package in sources:
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.ImportFrom) or not node.module:
                    continue
                if not node.module.startswith(("any_llm", "anyllm_")):
                    continue
                module_dir = ROOT / "core" / "src" / node.module.replace(".", "/")
                if node.module.startswith("anyllm_"):
                    top = node.module.split(".")[0]
                    found = list(ROOT.glob(f"*/*/src/{top}"))
                    module_dir = found[0].parent / node.module.replace(".", "/") if found else module_dir
                for alias in node.names:
                    name = alias.name
                    if not name.startswith("_") or name.startswith("__"):
                        continue
                    if (module_dir / f"{name}.py").exists() or (module_dir / name).is_dir():
                        continue  # a private submodule of that package
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name} from {node.module}")
    assert offenders == []


def test_performance_table_is_the_last_bench_run() -> None:
    """docs/performance.md's and the README's tables are generated from bench/results/results.json (``nox -s readme``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_readme_table", ROOT / "bench" / "readme_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for page, expected in (
        (ROOT / "docs" / "performance.md", module.current()),
        (ROOT / "README.md", module.compact()),
    ):
        match = re.search(r"<!-- bench:start -->\n(.*?)\n<!-- bench:end -->", page.read_text(), re.S)
        assert match, f"{page.name} lacks the generated performance table markers"
        assert match.group(1) == expected, f"the performance table of {page.name} is stale: run `nox -s readme`"
