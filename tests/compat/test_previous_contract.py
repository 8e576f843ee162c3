"""A plugin written against the previous documented contract keeps working.

``examples/anyllm-acme`` as it was when that contract was current (commit ``CONTRACT_V1``) is taken
from git history, put first on ``sys.path`` in a fresh interpreter, and its own tests run against
today's core: they must pass, with at most DeprecationWarnings naming where things moved.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_V1 = "693aa3d"
"""The last commit of the first round: the contract third-party plugins were written against."""
FILES = ("src/anyllm_acme/__init__.py", "src/anyllm_acme/py.typed", "tests/test_acme_conformance.py")


def _git_show(path: str) -> bytes | None:
    out = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{CONTRACT_V1}:examples/anyllm-acme/{path}"],
        capture_output=True,
        check=False,
    )
    return out.stdout if out.returncode == 0 else None


def test_the_first_round_acme_plugin_passes_its_own_tests(tmp_path: Path) -> None:
    sources = {path: _git_show(path) for path in FILES}
    if any(body is None for body in sources.values()):
        pytest.skip(f"git history with commit {CONTRACT_V1} is not available (a shallow clone)")
    for path, body in sources.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body or b"")
    (tmp_path / "tests" / "conftest.py").write_text(
        "import os\nimport anyllm_acme\n\n"
        "assert anyllm_acme.__file__.startswith(os.environ['ACME_V1_ROOT']), anyllm_acme.__file__\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "src"), os.environ.get("PYTHONPATH", "")])}
    env["ACME_V1_ROOT"] = str(tmp_path)
    env["ANYLLM_PLUGINS"] = "anyllm-acme"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(tmp_path / "tests"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "always::DeprecationWarning",
            "--rootdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "any_llm.wire" in result.stdout + result.stderr  # the deprecation names the new place
