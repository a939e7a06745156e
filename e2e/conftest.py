"""Browser tests: Swagger UI and the admin, clicked through in headless Chromium.

They use Debian's Chromium (/usr/bin/chromium, or CHROMIUM) driven by
Playwright for Python; Playwright's own browser download is never used. Without
Chromium they skip, unless REQUIRE_E2E=1 (make e2e, CI) makes that a failure.
Screenshots go to SCREENSHOT_DIR when it is set (make screenshots: docs/img).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# The machines have no internet: without these, Chromium spends its time on
# refused background connections (updates, sync, field trials).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in item.nodeid.split("/")[0]:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"REQUIRE_E2E=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip("browser tests need Chromium (apt-get install chromium); run them with `make e2e`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test code's
    # own ORM calls (setting up data) are plain synchronous calls all the same.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        # launch() gives every run a new, empty profile directory.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context; records every host the page talks to."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.hosts = set()
    page.on("request", lambda request: page.hosts.add(urlparse(request.url).hostname))
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot under SCREENSHOT_DIR (if set) with a stable name."""
    folder = os.environ.get("SCREENSHOT_DIR")

    def save(target, name: str) -> None:
        """``target``: a page or an element."""
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            target.screenshot(path=str(Path(folder) / f"{name}.png"))

    return save


AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: no serious or critical violations.

    axe-core comes from npm (e2e/axe/package.json; `make e2e` installs it).
    Without it the test skips, or fails under REQUIRE_E2E=1 (CI)."""
    if not AXE.exists():
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"REQUIRE_E2E=1 but axe-core is not installed: npm ci --prefix {AXE.parents[2]}")
        pytest.skip("needs axe-core: npm ci --prefix e2e/axe (make e2e does it)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [v for v in results["violations"] if v["impact"] in SERIOUS]
    others = sorted(f"{v['impact']}:{v['id']}" for v in results["violations"] if v["impact"] not in SERIOUS)
    # One line per check, shown with `pytest -s` (the closing summary of a run).
    width = page.viewport_size["width"] if page.viewport_size else "?"
    print(f"axe {urlparse(page.url).path} at {width}px: {len(found)} serious or critical; others: {others or 'none'}")
    assert not found, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[node['target'] for node in v['nodes']][:5]}" for v in found
    )
