"""The README's native-vs-translated table is generated from the providers' declarations and current."""

from __future__ import annotations

import re
from pathlib import Path

from any_llm.bridges import api_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_api_table_is_generated_and_current() -> None:
    match = re.search(r"<!-- apis:start -->\n(.*?)\n<!-- apis:end -->", README.read_text(), re.S)
    assert match, "README.md lacks the generated responses()/messages() table markers"
    assert match.group(1) == api_table(), "README responses()/messages() table is stale: run `nox -s readme`"
