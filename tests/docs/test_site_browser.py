"""The built docs site in a real headless Chromium (Debian's, driven by Playwright): the home page, a
provider page and an API reference page render with their navigation, and the search finds
``completion``. Screenshots go to ``build/artifacts/docs/``.

Run by ``nox -s docs`` after ``mkdocs build --strict`` (``ANYLLM_DOCS_SITE`` names the built site).
Skipped elsewhere, saying why: no built site, no Playwright, or no Chromium at ``/usr/bin/chromium``
(``.ci/run`` installs it with apt).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ANYLLM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "build" / "artifacts" / "docs"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SITE = Path(os.environ["ANYLLM_DOCS_SITE"]) if os.environ.get("ANYLLM_DOCS_SITE") else None
REQUIRED = os.environ.get("ANYLLM_DOCS_BROWSER_REQUIRED") == "1"
"""Set by ``nox -s docs`` under CI, which installs Chromium: there a missing browser fails instead of skipping."""


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"the browser test cannot run: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if SITE is None or not (SITE / "index.html").exists():
    _unavailable("no built site: `nox -s docs` builds it and runs this test")
if not Path(CHROMIUM).exists():
    _unavailable(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does)")
try:
    from playwright import sync_api
except ImportError:
    _unavailable("Playwright's Python package is not installed (`nox -s docs` installs it)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(site_url: str) -> Iterator[Any]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="anyllm-docs-chromium-")
    try:
        with sync_api.sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=ARGS, headless=True, viewport={"width": 1280, "height": 900}
            )
            errors: list[str] = []
            page = context.pages[0] if context.pages else context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
            page.set_default_timeout(15_000)
            page.js_errors = errors
            yield page
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _open(page: Any, url: str, shot: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / shot), full_page=False)


def _nav_labels(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("nav.md-nav--primary a.md-nav__link").all_inner_texts() if t.strip()]


def test_home_page_renders_with_navigation(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/", "home.png")
    assert "anyllm" in page.title()
    assert page.locator("h1").first.inner_text().replace("¶", "").strip() == "anyllm"
    labels = _nav_labels(page)
    for section in ("Getting started", "Chat completion", "Errors", "Providers", "API reference"):
        assert section in labels, (section, labels)
    assert page.locator("pre code").count() >= 2  # the two opening commands, highlighted
    assert page.js_errors == []


def test_provider_page_renders_with_navigation(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/providers/anthropic/", "provider-anthropic.png")
    assert page.locator("h1").first.inner_text().replace("¶", "").strip() == "Anthropic"
    body = page.locator("article").inner_text()
    assert "ANTHROPIC_API_KEY" in body and "pip install anyllm-anthropic" in body
    assert "Capabilities" in body
    active = page.locator("nav.md-nav--primary .md-nav__link--active").all_inner_texts()
    assert any("anthropic" in a for a in active), active
    assert "mistral" in _nav_labels(page)  # the other providers are in the navigation
    assert page.js_errors == []


def test_api_reference_page_renders_with_navigation(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/reference/calls/", "reference-calls.png")
    article = page.locator("article")
    assert article.locator("h2#any_llm.completion, [id='any_llm.completion']").count() >= 1
    assert "messages" in article.inner_text() and "Parameters" in article.inner_text()
    assert "API reference" in _nav_labels(page)
    assert page.js_errors == []


def test_search_finds_completion(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/", "search-before.png")
    page.locator("input.md-search__input").click()
    page.keyboard.type("completion", delay=20)  # typed like a user: the search reacts to key events
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible")
    page.screenshot(path=str(ARTIFACTS / "search-completion.png"))
    texts = " ".join(results.all_inner_texts()).lower()
    assert results.count() >= 3 and "completion" in texts
    assert "matching documents" in page.locator(".md-search-result__meta").inner_text()
    link = page.locator(".md-search-result__link").first.get_attribute("href")
    assert link
    _open(page, link if link.startswith("http") else f"{site_url}/{link.lstrip('./')}", "search-first-hit.png")
    assert "completion" in page.locator("article").inner_text().lower()
    assert page.js_errors == []


def test_performance_page_shows_the_bench_plot(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/performance/", "performance.png")
    image = page.locator("article img[src*='ratios.png']")
    assert image.count() == 1
    assert image.evaluate("img => img.complete && img.naturalWidth > 500")  # the PNG from bench/results loaded
    assert "Targets (anyllm vs raw httpx)" in page.locator("article").inner_text()  # results.md, included
    assert page.js_errors == []
