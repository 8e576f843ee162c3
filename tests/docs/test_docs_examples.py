"""Every ``python`` code block on the docs site runs, so the docs cannot drift from the code.

Blocks run against the fake provider or local servers on 127.0.0.1 (see ``docs_support``), one
namespace per page, in page order. A block marked ``<!-- test: skip (reason) -->`` is not run; there
are few, each needing something a test machine lacks, and the count is capped here.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from docs_support import Block, Harness, python_blocks, site_pages, tracked_hook_plugins

PAGES = site_pages()
PAGES["README.md"] = (Path(__file__).resolve().parents[2] / "README.md").read_text()  # its example runs too
BLOCKS = {page: python_blocks(page, text) for page, text in PAGES.items()}
MAX_SKIPPED = 6
"""Blocks that cannot run here (a cloud login, a Ray cluster): keep them this few."""


def test_the_site_has_examples_and_few_skips() -> None:
    blocks = [b for bs in BLOCKS.values() for b in bs]
    skipped = [b for b in blocks if b.skip]
    assert len(blocks) >= 60, len(blocks)
    assert len(skipped) <= MAX_SKIPPED, [(b.page, b.line, b.skip) for b in skipped]
    for block in skipped:
        assert len(block.skip or "") >= 10, f"{block.page}:{block.line}: say why the block cannot run"


def test_markers_are_read() -> None:
    text = "<!-- test: fake.add_text('x') -->\n```python\nprint(1)\n```\n\n<!-- test: skip (needs a cloud login) -->\n\n```python\nprint(2)\n```\n"
    first, second = python_blocks("t.md", text)
    assert first.setup == "fake.add_text('x')" and first.skip is None
    assert second.skip == "needs a cloud login" and second.code.strip() == "print(2)"
    with pytest.raises(ValueError, match="needs a reason"):
        python_blocks("t.md", "<!-- test: skip -->\n```python\nx\n```\n")


def _provider_of(page: str) -> str | None:
    name = page.removeprefix("providers/").removesuffix(".md")
    return name if page.startswith("providers/") and name != "index" else None


@pytest.mark.parametrize("page", sorted(p for p, bs in BLOCKS.items() if any(not b.skip for b in bs)))
def test_page_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANYLLM_CALLLOG_DISABLE", "1")
    harness = Harness(tmp_path)
    namespace = harness.namespace()
    provider = _provider_of(page)
    try:
        with tracked_hook_plugins():
            for block in BLOCKS[page]:
                if block.skip:
                    continue
                if provider is not None:  # a plugin's README example: its provider answered by the fake
                    if provider not in harness.names:
                        harness.fake_as(provider)
                    harness.fake.add_text("Hello!")
                _run(block, block.setup, namespace, "setup")
                before = set(namespace)
                _run(block, block.code, namespace, "example")
                for name in sorted(set(namespace) - before):
                    if name.startswith("test_") and callable(namespace[name]):
                        _call_test(block, namespace[name])
    finally:
        harness.close()
        asyncio.set_event_loop(None)
    assert os.getcwd() == str(tmp_path)


def _call_test(block: Block, function: Any) -> None:
    """Call a ``test_*`` function an example defines, the way pytest would (``fake_llm`` is the fixture)."""
    import inspect

    from any_llm.testing import FakeLLM

    params = list(inspect.signature(function).parameters)
    try:
        if params == ["fake_llm"]:
            with FakeLLM() as fake:
                function(fake)
        else:
            assert params == [], f"{block.page}:{block.line}: {function.__name__} takes fixtures the docs test lacks"
            function()
    except Exception as exc:
        raise AssertionError(f"{block.page}:{block.line}: {function.__name__}() failed: {exc!r}") from exc


def _run(block: Block, code: str, namespace: dict[str, Any], what: str) -> None:
    if not code.strip():
        return
    compiled = compile(code, f"{block.page}:{block.line} ({what})", "exec")
    try:
        exec(compiled, namespace)
    except Exception as exc:
        raise AssertionError(f"{block.page}:{block.line}: the {what} failed: {exc!r}\n{code}") from exc


def test_a_drifted_example_fails() -> None:
    """An example naming what the code lacks (a renamed function, a removed parameter) fails the run."""
    (block,) = python_blocks("t.md", "```python\nfrom any_llm import completion_v2\n```\n")
    with pytest.raises(AssertionError, match=r"t\.md:1: the example failed: ImportError"):
        _run(block, block.code, {}, "example")
    (block,) = python_blocks("t.md", "```python\nimport any_llm\nany_llm.rerank('m', 'q', [], top_k=1)\n```\n")
    with pytest.raises(AssertionError, match="TypeError|UnsupportedProviderError|ConfigurationError"):
        _run(block, block.code, {}, "example")
