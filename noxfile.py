"""Every routine task is a nox session (uv backend). ``nox -l`` lists them.

nox -s demo        the seed examples against a real local model (installs it the first time)
nox -s tests       the whole test suite (starts the real local LLM server for its tier)
nox -s plugin      each plugin alone with core, in its own venv
nox -s lint typecheck build packaging bench
nox -s docs        the docs site, built with --strict, its examples run, opened in headless Chromium
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
PLUGINS = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())
EXTENSIONS = sorted(
    p.name for p in (ROOT / "extensions").glob("*") if (p / "pyproject.toml").exists() and p.name not in ("ray",)
)
"""Non-provider distributions (extensions/NAME, anyllm-NAME) tested in ``tests``; ray has its own session."""


def _group(name: str) -> list[str]:
    """A dependency group of the workspace's pyproject.toml: the one list of each tool set and its pins."""
    import tomllib

    groups: dict[str, list[str]] = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    return groups[name]


TEST_DEPS = _group("test")
PYTHON = os.environ.get("ANYLLM_NOX_PYTHON", "3.11")


def _constraints() -> str:
    """uv.lock as a pip constraints file, so every session installs the locked versions (``uv export``;
    ``--locked`` fails when the lock is stale against a pyproject.toml: run ``uv lock`` then)."""
    target = ROOT / ".nox" / "uv-lock-constraints.txt"
    lock = ROOT / "uv.lock"
    if not target.exists() or target.stat().st_mtime < lock.stat().st_mtime:
        target.parent.mkdir(exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")  # CI runs two nox processes side by side
        subprocess.run(
            [
                *("uv", "export", "--locked", "--quiet", "--no-hashes", "--no-header", "--no-emit-workspace"),
                *("--all-packages", "--all-groups", "--all-extras", "--output-file", str(partial)),
            ],
            cwd=ROOT,
            check=True,
        )
        partial.replace(target)
    return str(target)


def _install(session: nox.Session, *args: str) -> None:
    """``session.install`` pinned to uv.lock's versions (what is not in the lock resolves freely)."""
    session.install("-c", _constraints(), *args)


def _editables(example: bool = False) -> list[str]:
    args = ["-e", "core[prices]"]  # the prices extra: cost() is tested against the price data
    for name in PLUGINS:
        args += ["-e", f"plugins/{name}"]
    for name in EXTENSIONS:
        # an extension's own test needs (an SDK, an exporter) come from its "test" extra, if it has one
        extra = "[test]" if "\ntest = [" in (ROOT / "extensions" / name / "pyproject.toml").read_text() else ""
        args += ["-e", f"extensions/{name}{extra}"]
    if example:
        args += ["-e", "examples/anyllm-acme"]
    return args


def _plugin_test_requirements() -> list[str]:
    """The test-only tools plugins list in tests/requirements.txt (an oracle, a signer, a credential library)."""
    return [arg for path in sorted(ROOT.glob("plugins/*/tests/requirements.txt")) for arg in ("-r", str(path))]


def _real_server(session: nox.Session) -> dict[str, str]:
    """Start the real local LLM server for the real-server tier (skipped with ANYLLM_REAL_SERVER=0)."""
    if os.environ.get("ANYLLM_REAL_SERVER", "1") == "0" or os.environ.get("LLM_TEST_BASE_URL"):
        return {}
    session.log("starting the real local LLM server (first run installs it: a few minutes)")
    out = subprocess.run(
        ["bash", str(ROOT / ".ci/start-llm-server.sh")], check=False, stdout=subprocess.PIPE, text=True
    )
    if out.returncode != 0:
        session.error(
            "the real LLM server did not start; see /tmp/llm-server/server.log "
            "(or set ANYLLM_REAL_SERVER=0 to skip that tier)"
        )
    return {"LLM_TEST_BASE_URL": out.stdout.strip().splitlines()[-1]}


def _stop_real_server() -> None:
    pid_file = Path(os.environ.get("LLM_SERVER_DIR", "/tmp/llm-server")) / "server.pid"
    if pid_file.exists():
        subprocess.run(["kill", pid_file.read_text().strip()], check=False, stderr=subprocess.DEVNULL)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole suite: core, every plugin, cross-package tests, and the real-server tier."""
    _install(session, *_editables(example=True), *TEST_DEPS, *_plugin_test_requirements())
    env = _real_server(session)
    try:
        paths = [
            "core/tests",
            *[f"plugins/{p}/tests" for p in PLUGINS],
            *[f"extensions/{e}/tests" for e in EXTENSIONS],
            "examples/anyllm-acme/tests",
            "examples/anyllm-calllog/tests",
            "tests",
        ]
        session.run("pytest", *paths, *session.posargs, env=env)
    finally:
        if env:
            _stop_real_server()


def _interpreter(version: str) -> str:
    """A Python of ``version``: pyenv's build of it when there is one (these machines keep 3.10-3.13 there
    without putting them on PATH), else the name for nox to find."""
    for prefix in sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*"), reverse=True):
        if (prefix / "bin" / f"python{version}").exists():
            return str(prefix / "bin" / f"python{version}")
    return version


OTHER_PYTHONS = [_interpreter(v) for v in ("3.10", "3.12", "3.13")]
"""The supported versions besides the main one (``requires-python = ">=3.10"``)."""


@nox.session(python=OTHER_PYTHONS)
def versions(session: nox.Session) -> None:
    """Core and one plugin of each protocol family on each other supported Python (everything else,
    with the cross-package, packaging, reliability and real-model tiers, runs on the main version in
    ``tests``; the plugins' own code is version-neutral translation, the protocols cover its shapes)."""
    _install(session, *_editables(example=True), *TEST_DEPS)
    protocols = [p for p in ("openai", "anthropic", "gemini", "ollama", "bedrock") if p in PLUGINS]
    paths = ["core/tests", *[f"plugins/{p}/tests" for p in protocols], "examples/anyllm-acme/tests"]
    session.run("pytest", *paths, "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=PYTHON)
@nox.parametrize("name", PLUGINS)
def plugin(session: nox.Session, name: str) -> None:
    """One plugin installed alone with core (and the first-party plugins it builds on), running its own tests."""
    needs = _first_party_needs(name)
    _install(session, "-e", "core", *[arg for n in (name, *needs) for arg in ("-e", f"plugins/{n}")], *TEST_DEPS)
    extra = ROOT / "plugins" / name / "tests" / "requirements.txt"  # test-only tools (an oracle, a signer)
    if extra.exists():
        _install(session, "-r", str(extra))
    session.run(
        "pytest",
        f"plugins/{name}/tests",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"ANYLLM_PLUGINS": ",".join(f"anyllm-{n}" for n in (name, *needs))},
    )


def _first_party_needs(name: str) -> list[str]:
    """The plugins a plugin declares as dependencies (``anyllm-gemini`` for vertexai, say), transitively."""
    import re

    import tomllib

    out: list[str] = []
    todo = [name]
    while todo:
        deps = tomllib.loads((ROOT / "plugins" / todo.pop() / "pyproject.toml").read_text())["project"]["dependencies"]
        for dep in deps:
            match = re.match(r"anyllm-([a-z0-9]+)", dep)
            if match and match.group(1) in PLUGINS and match.group(1) not in out and match.group(1) != name:
                out.append(match.group(1))
                todo.append(match.group(1))
    return out


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    _install(session, *_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on core, every plugin, extension and example."""
    _install(session, *_editables(example=True), "-e", "core[prices,progress]", "-e", "extensions/ray", "numpy")
    _install(session, *_group("typecheck"))
    packages = [str(p) for p in sorted(ROOT.glob("*/*/src/anyllm_*")) if p.is_dir()]
    session.run("mypy", "--strict", "core/src/any_llm", *packages)


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Wheels and sdists of every distribution into dist/, then a metadata check."""
    _install(session, "build", "twine")
    dist = ROOT / "dist"
    dist.mkdir(exist_ok=True)
    for old in dist.glob("*"):
        old.unlink()
    for path in ["core", *[f"plugins/{p}" for p in PLUGINS]]:
        session.run("uv", "build", "--quiet", "--out-dir", str(dist), path, external=True)
    session.run("twine", "check", "--strict", *[str(p) for p in sorted(dist.glob("*"))])


@nox.session(python=PYTHON)
def readme(session: nox.Session) -> None:
    """Regenerate the README's provider list from the plugins' declarations (the site's table and pages are
    generated at build time by the same code: ``nox -s docs``)."""
    _install(session, *_editables())
    session.run("python", "scripts/update_readme.py")


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The five completion() examples against a real local model (installed on first run), or any
    provider: ``nox -s demo -- --provider mistral --model mistral-small-latest``."""
    args = list(session.posargs)
    provider = "llamacpp"
    for i, arg in enumerate(args):
        if arg == "--provider" and i + 1 < len(args):
            provider = args[i + 1].lower()
        elif arg.startswith("--provider="):
            provider = arg.split("=", 1)[1].lower()
    if provider not in PLUGINS:
        session.error(f"no plugin {provider!r} under plugins/ (there are: {', '.join(PLUGINS)})")
    names = sorted({"llamacpp", provider})
    _install(session, "-e", "core", *[arg for name in names for arg in ("-e", f"plugins/{name}")])
    session.run("python", "demo/run_demo.py", *args)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The full benchmark (~16 min on 2 cores): bench/results/{results.json,results.md,ratios.png}."""
    session.run("python", str(ROOT / "bench" / "run.py"), *session.posargs)


@nox.session(python=PYTHON)
def bench_smoke(session: nox.Session) -> None:
    """The benchmark in < 60 s (ours + raw httpx, tiny counts); fails if the harness broke."""
    session.run("python", str(ROOT / "bench" / "run.py"), "--smoke", *session.posargs)


@nox.session(python=PYTHON)
def packaging(session: nox.Session) -> None:
    """Packaging as users see it: every wheel and sdist built, installed into fresh venvs and used
    (core alone, core + one plugin, all plugins, one uninstalled, the third-party example). Also part of tests."""
    _install(session, "-e", "core", *TEST_DEPS)
    session.run("pytest", "tests/packaging", *session.posargs)


@nox.session(python=PYTHON)
def ray(session: nox.Session) -> None:
    """anyllm-ray on a local Ray instance (ray.init(num_cpus=2)) against a server on 127.0.0.1."""
    _install(session, "-e", "core", "-e", "plugins/openai", "-e", "extensions/ray", "ray[data]", *TEST_DEPS)
    session.run(
        "pytest",
        "extensions/ray/tests",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"RAY_AUTH_MODE": "disabled", "ANYLLM_RAY_REQUIRED": "1"},
    )


@nox.session(python=PYTHON)
def bulk(session: nox.Session) -> None:
    """The bulk resume proof at the issue's size: 20,000 rows, the runner killed twice, resumed (minutes)."""
    _install(session, "-e", "core", "-e", "plugins/openai", *TEST_DEPS)
    session.run(
        "pytest",
        "tests/reliability/test_bulk_resume.py",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"ANYLLM_BULK_RESUME_ROWS": "20000"},
    )


@nox.session(python=PYTHON)
def bench_bulk(session: nox.Session) -> None:
    """Bulk throughput: any_llm.bulk.run vs a bare asyncio+httpx loop at the same concurrency."""
    _install(session, "-e", "core", "-e", "plugins/openai", "-e", "extensions/ray", "ray[data]")
    session.run(
        "python", str(ROOT / "bench" / "bulk" / "bench_bulk.py"), *session.posargs, env={"RAY_AUTH_MODE": "disabled"}
    )


DOCS_DEPS = [
    "mkdocs==1.6.1",
    "mkdocs-material==9.8.1",
    "mkdocstrings==1.0.8",
    "mkdocstrings-python==2.0.11",
    "mkdocs-autorefs==1.4.5",
    "pymdown-extensions==13.1.2",
    "griffelib==2.4.1",  # griffe, which reads the docstrings (scripts/griffe_sphinx_roles.py extends it)
    "playwright==1.65.2",  # the Python package only: it drives Debian's /usr/bin/chromium, never downloads one
]


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The docs site: ``mkdocs build --strict`` into build/site (provider pages and the API reference
    generated from the code), then its tests: every example runs, the reference covers ``any_llm.__all__``,
    and headless Chromium opens the built site (screenshots in build/artifacts/docs/)."""
    _install(session, *_editables(example=True), *TEST_DEPS, *DOCS_DEPS)
    session.run("mkdocs", "build", "--strict", "--clean", env={"NO_MKDOCS_2_WARNING": "1"})
    env = {"ANYLLM_DOCS_SITE": str(ROOT / "build" / "site")}
    if os.environ.get("CI"):
        env["ANYLLM_DOCS_BROWSER_REQUIRED"] = "1"  # CI installs Chromium: a skipped browser test is a failure
    session.run("pytest", "tests/docs", "-p", "no:cacheprovider", *session.posargs, env=env)
