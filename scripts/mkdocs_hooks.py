"""MkDocs hooks (``hooks:`` in mkdocs.yml): the generated parts of the docs site.

- one page per installed provider and the provider index, from the plugins' declarations
  (``scripts/provider_docs.py``, the same code as the README's provider list and ``python -m any_llm``);
- the API reference, one mkdocstrings block per name of ``any_llm.__all__`` (``scripts/reference_docs.py``);
- placeholders in hand-written pages, filled from the code or from files the repo already has:
  ``<!-- gen:errors-tree -->`` (the exception tree and what retries, from ``any_llm.errors`` and
  ``any_llm.wire.RETRYABLE_ERRORS``), ``<!-- gen:api-table -->`` (native vs translated),
  ``<!-- gen:bench-results -->`` (``bench/results/results.md``) and the benchmark plot.

Nothing generated is committed: a fresh clone builds with ``nox -s docs``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import provider_docs
import reference_docs

ROOT = Path(__file__).resolve().parents[1]
BENCH_PLOT = ROOT / "bench" / "results" / "ratios.png"
BENCH_RESULTS = ROOT / "bench" / "results" / "results.md"


def generated_pages() -> dict[str, str]:
    """Every generated page, site path -> markdown (also what the docs tests read)."""
    pages = {"providers/index.md": provider_docs.provider_index()}
    for info in provider_docs.provider_infos():
        pages[f"providers/{info.name}.md"] = provider_docs.provider_page(info)
    pages.update(reference_docs.reference_pages())
    return pages


def errors_tree() -> str:
    """The exception tree of ``any_llm.errors`` as nested list items; retried classes are marked."""
    from any_llm import errors
    from any_llm.wire import RETRYABLE_ERRORS

    def line(cls: type, depth: int) -> list[str]:
        retried = issubclass(cls, RETRYABLE_ERRORS)
        doc = reference_docs.plain_roles((cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " "))
        mark = " **(retried)**" if retried else ""
        out = [f"{'    ' * depth}- `{cls.__name__}`{mark}" + (f": {doc}" if doc else "")]
        for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
            if sub.__module__ == errors.__name__:
                out += line(sub, depth + 1)
        return out

    retried = ", ".join(f"`{c.__name__}`" for c in RETRYABLE_ERRORS)
    return "\n".join(
        [
            *line(errors.AnyLLMError, 0),
            "",
            f"Retried (`any_llm.wire.RETRYABLE_ERRORS`): {retried} and their subclasses; every other error "
            "is raised at once.",
        ]
    )


def _placeholders() -> dict[str, Any]:
    return {
        "<!-- gen:errors-tree -->": errors_tree,
        "<!-- gen:api-table -->": provider_docs.api_table,
        "<!-- gen:bench-results -->": bench_results,
    }


def bench_results() -> str:
    """``bench/results/results.md`` with its headings moved under the page's own."""
    import re

    text = BENCH_RESULTS.read_text()
    text = re.sub(r"^# .*\n", "", text, count=1)
    return re.sub(r"^(#{2,4}) ", r"#\1 ", text, flags=re.M).strip()


def fill_placeholders(markdown: str) -> str:
    for marker, make in _placeholders().items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown


# -- MkDocs event hooks ---------------------------------------------------------------------------


def on_config(config: Any) -> Any:
    """Give the Providers and API reference sections one entry per generated page."""
    pages = generated_pages()
    providers = ["providers/index.md", *[{p.name: f"providers/{p.name}.md"} for p in provider_docs.provider_infos()]]
    reference = ["reference/index.md"] + [
        {pages[path].splitlines()[0].removeprefix("# "): path}
        for path in pages
        if path.startswith("reference/") and path != "reference/index.md"
    ]
    nav = config["nav"]
    for i, entry in enumerate(nav):
        if isinstance(entry, dict) and entry.get("Providers") == "providers/index.md":
            nav[i] = {"Providers": providers}
        if isinstance(entry, dict) and entry.get("API reference") == "reference/index.md":
            nav[i] = {"API reference": reference}
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, content in generated_pages().items():
        files.append(File.generated(config, path, content=content))
    files.append(File.generated(config, "assets/ratios.png", abs_src_path=str(BENCH_PLOT)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return fill_placeholders(markdown)
