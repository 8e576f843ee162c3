"""Regenerate the README's provider list from the installed plugins' declarations.

The code lives in ``scripts/provider_docs.py``, shared with the docs site's provider pages (one source
of truth); the full table and the native-vs-translated table are generated into the site at build time.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from provider_docs import provider_infos, update_readme


def bench_table(kind: str = "current") -> str:
    """The performance table from bench/results/results.json (bench/readme_table.py; standard library only):
    ``current`` (with targets) for the docs page, ``compact`` (rows only) for the README."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / "readme_table.py"
    spec = importlib.util.spec_from_file_location("bench_readme_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = getattr(module, kind)()
    return text


def update_performance_page() -> None:
    """The table between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` of docs/performance.md (with the
    targets) and of the README (rows only): the last bench run."""
    import re

    root = Path(__file__).resolve().parents[1]
    for page, kind in ((root / "docs" / "performance.md", "current"), (root / "README.md", "compact")):
        text = page.read_text()
        new = re.sub(
            r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)",
            lambda m, kind=kind: m.group(1) + bench_table(kind) + "\n" + m.group(2),
            text,
            flags=re.S,
        )
        page.write_text(new)


def main() -> None:
    update_readme()
    update_performance_page()
    print(f"README.md: {len(provider_infos())} providers; docs/performance.md: the last bench run's table")


if __name__ == "__main__":
    main()
