"""Regenerate the README's provider table from the installed plugins' own declarations."""

from __future__ import annotations

import re
from pathlib import Path

from any_llm.__main__ import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def bench_table() -> str:
    """The performance table from bench/results/results.json (bench/readme_table.py; standard library only)."""
    import importlib.util

    path = README.parent / "bench" / "readme_table.py"
    spec = importlib.util.spec_from_file_location("bench_readme_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.current()
    return text


def main() -> None:
    table = "\n".join(line for line in markdown_table().splitlines() if "`acme`" not in line)
    text = README.read_text()
    new = re.sub(
        r"(<!-- providers:start -->\n).*?(<!-- providers:end -->)",
        lambda m: m.group(1) + table + "\n" + m.group(2),
        text,
        flags=re.S,
    )
    from any_llm.bridges import api_table

    new = re.sub(
        r"(<!-- apis:start -->\n).*?(<!-- apis:end -->)",
        lambda m: m.group(1) + api_table() + "\n" + m.group(2),
        new,
        flags=re.S,
    )
    new = re.sub(
        r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)",
        lambda m: m.group(1) + bench_table() + "\n" + m.group(2),
        new,
        flags=re.S,
    )
    README.write_text(new)
    print(f"README.md: {table.count(chr(10)) - 1} providers")


if __name__ == "__main__":
    main()
