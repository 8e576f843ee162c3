"""The native-vs-translated table (now on the docs site's responses()/messages() page and the provider
index) is generated from the providers' declarations when the site is built, so it is always current."""

from __future__ import annotations

import sys
from pathlib import Path

from any_llm.bridges import api_table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def test_docs_api_table_is_generated_and_current() -> None:
    from mkdocs_hooks import fill_placeholders, generated_pages

    page = (ROOT / "docs" / "responses-messages.md").read_text()
    assert "<!-- gen:api-table -->" in page, "docs/responses-messages.md lacks the generated table marker"
    assert api_table() in fill_placeholders(page)
    assert api_table() in generated_pages()["providers/index.md"]
    for line in api_table().splitlines()[2:]:
        assert line.count("`") >= 8, line  # providers are listed on both rows
