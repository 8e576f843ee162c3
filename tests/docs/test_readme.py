"""The README stays what a newcomer needs first: it opens with the two commands (the demo and the whole
test suite), stays short, and every link it has into the docs site (a file, a heading) exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
TWO_COMMANDS = [
    "pip install nox uv && nox -s demo     # the five seed examples against a real local model (SmolLM2-135M on llama.cpp)",
    "pip install nox uv && nox -s tests    # the whole test suite (unit, integration, packaging, real-model tier)",
]


def test_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```bash\n(.*?)\n```", README, re.S)
    assert first_block is not None
    assert first_block.group(1).splitlines() == TWO_COMMANDS
    assert README.index("```bash") < 400, "the two commands come first"
    noxfile = (ROOT / "noxfile.py").read_text()
    assert "def demo(session" in noxfile and "def tests(session" in noxfile


def test_readme_is_short() -> None:
    assert len(README) < 8_000, f"README is {len(README)} characters: move details into docs/"


def _github_slug(heading: str) -> str:
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_readme_links_into_the_site_exist() -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", README)
    local = [link for link in links if not link.startswith(("http://", "https://", "#"))]
    assert len([link for link in local if link.startswith("docs/")]) >= 20
    for link in local:
        path, _, anchor = link.partition("#")
        target = ROOT / path
        assert target.exists(), f"README links to {path}, which does not exist"
        if anchor:
            headings = re.findall(r"^#{1,6} (.+)$", target.read_text(), re.M)
            assert anchor in {_github_slug(h) for h in headings}, f"{path} has no heading for #{anchor}"
