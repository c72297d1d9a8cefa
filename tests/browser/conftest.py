"""Browser tests: Debian's Chromium driven by Playwright against the running stack.

``make test`` runs them when a Chromium is found (``/usr/bin/chromium`` or
``CARNET_CHROMIUM``) and says clearly when it skips them; with
``CARNET_REQUIRE_BROWSER=1`` (CI) a missing Chromium is a failure. Playwright never
downloads a browser here: it launches the system one.

Fixtures:
- ``open_page(path, lang="fr", phone=False)``: a new page (own browser context: own storage,
  so a test starts logged out) at ``stack.url + path``, phone-sized (390×844, touch) or
  desktop (1280×800).
- ``screenshot(page, name)``: saves ``var/screenshots/<name>.png`` (ignored by git).
- ``assert_accessible(page)``: axe-core in the page; fails on serious or critical
  violations.
"""
import os
import shutil
from pathlib import Path

import pytest

from services.common.config import ROOT

SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path():
    found = os.environ.get("CARNET_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests, loudly, where they cannot run: without a Chromium (unless
    ``CARNET_REQUIRE_BROWSER=1``, where the ``browser`` fixture fails instead), and on the
    PostgreSQL run (the pages are clients of the API: the database behind it changes
    nothing they do, so they run once, on the SQLite run; ``CARNET_BROWSER_ALL_DBS=1``
    runs them on both)."""
    reason = None
    if os.environ.get("CARNET_TEST_DB", "sqlite") != "sqlite" \
            and os.environ.get("CARNET_BROWSER_ALL_DBS") != "1":
        reason = "browser tests run on the SQLite run only (CARNET_BROWSER_ALL_DBS=1: both)"
    elif not chromium_path() and os.environ.get("CARNET_REQUIRE_BROWSER") != "1":
        reason = ("no Chromium found (apt-get install -y chromium, or CARNET_CHROMIUM=path): "
                  "the browser tests are SKIPPED")
    if reason is None:
        return
    here = Path(__file__).parent
    skipped = 0
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.skip(reason=reason))
            skipped += 1
    if skipped:
        print(f"\n*** {skipped} browser tests skipped: {reason} ***")


@pytest.fixture(scope="session")
def browser(stack):
    from playwright.sync_api import sync_playwright
    path = chromium_path()
    if path is None:
        pytest.fail("no Chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, stack):
    contexts = []

    def open_(path, lang="fr", phone=False):
        options = {"base_url": stack.url, "locale": "fr-CA" if lang == "fr" else "en-CA"}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True,
                           has_touch=True, device_scale_factor=2)
        else:
            options.update(viewport={"width": 1280, "height": 800})
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def assert_accessible():
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()

    def check(page):
        results = axe.run(page)
        serious = [v for v in results.response["violations"]
                   if v.get("impact") in ("serious", "critical")]
        assert not serious, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:5])
            for v in serious)

    return check
