"""The API reference covers every public name (``any_llm.__all__``) and no page documents a name the
code lacks: every mkdocstrings block and every dotted ``any_llm...`` name in backticks on the site
resolves to a real object."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from docs_support import site_pages
from reference_docs import documented_names, reference_pages

import any_llm

PAGES = site_pages()
DOTTED = re.compile(r"`(any_llm(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def _resolve(dotted: str) -> Any:
    """The object a dotted name names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_reference_covers_every_public_name_once() -> None:
    documented = [n for path, text in reference_pages().items() for n in documented_names(text)]
    public = {f"any_llm.{name}" for name in any_llm.__all__}
    assert sorted(set(documented)) == sorted(public), (set(public) - set(documented), set(documented) - public)
    assert len(documented) == len(set(documented)), "a name is documented twice"


def test_reference_pages_are_on_the_site() -> None:
    for path, text in reference_pages().items():
        assert PAGES[path] == text


def test_every_documented_name_exists() -> None:
    directives = [(path, name) for path, text in PAGES.items() for name in documented_names(text)]
    assert len(directives) >= len(any_llm.__all__)
    for _path, name in directives:
        _resolve(name)  # raises, naming it, when the code lacks it


def test_every_dotted_name_in_the_prose_exists() -> None:
    seen = 0
    for path, text in PAGES.items():
        for name in set(DOTTED.findall(text)):
            seen += 1
            try:
                _resolve(name)
            except (ImportError, AttributeError) as exc:
                pytest.fail(f"{path} names `{name}`, which the code lacks ({exc!r})")
    assert seen >= 20


def test_a_missing_name_would_be_caught() -> None:
    with pytest.raises(AttributeError):
        _resolve("any_llm.errors.NoSuchError")
    assert documented_names("::: any_llm.completion\n\ntext\n::: any_llm.Router\n") == [
        "any_llm.completion",
        "any_llm.Router",
    ]


def test_errors_page_shows_the_whole_tree_and_what_retries() -> None:
    """Every exception class of ``any_llm.errors`` is on the errors page, marked retried exactly when it is
    one of ``any_llm.wire.RETRYABLE_ERRORS`` (or a subclass)."""
    from any_llm import errors
    from any_llm.wire import RETRYABLE_ERRORS

    page = PAGES["errors.md"]
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.AnyLLMError)]
    assert len(classes) >= 15
    for cls in classes:
        lines = [line for line in page.splitlines() if line.lstrip().startswith(f"- `{cls.__name__}`")]
        assert len(lines) == 1, (cls.__name__, lines)
        assert ("**(retried)**" in lines[0]) == issubclass(cls, RETRYABLE_ERRORS), lines[0]
