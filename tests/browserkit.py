"""What the browser tests share: headless Chromium (or a skip), and a loaded report page that records
what went wrong on it.

Debian's Chromium driven by Playwright for Python (system executable; no browser download). A
missing browser skips the tests, unless SRMSCAN_REQUIRE_BROWSER=1 (set by .ci/run) makes it a
failure. The fixtures built on this (`browser`, `demo_report`, `demo_page`) are in tests/conftest.py
so that the demo report is scanned once for all of tests/test_report_browser*.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # at the repository root
MARKETING = "acme-marketing-launch-assets"


def _browser_or_skip() -> Any:
    problem = None
    if not Path(CHROMIUM).exists():
        problem = "Chromium not found (install Debian's `chromium` package: apt-get install -y chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            problem = "playwright for Python is not installed (pip install -e '.[dev]')"
    if problem:
        if os.environ.get("SRMSCAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (SRMSCAN_REQUIRE_BROWSER=1): {problem}")
        pytest.skip(f"browser tests skipped: {problem}")
    return sync_playwright


class Page:
    """A loaded report page that records console errors, page errors, dialogs and requests."""

    def __init__(self, browser: Any, html: Path | str, scheme: str = "light", width: int = 1300) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 1000}, color_scheme=scheme)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
        )
        self.page.goto(html.as_uri() if isinstance(html, Path) else html)
        self.page.wait_for_selector("html[data-ready='1']", timeout=15_000)

    def rows(self) -> list[str]:
        """Text of every drawn finding row (resource cell)."""
        return list(
            self.page.eval_on_selector_all(
                "#findings-list tbody tr:not(.detail) td.res", "e => e.map(x => x.textContent)"
            )
        )

    def headings(self) -> list[str]:
        """Headings of the owner sections that show at least one finding."""
        return list(
            self.page.eval_on_selector_all(
                "#findings-list section:has(tbody tr) > h3", "e => e.map(x => x.textContent)"
            )
        )

    def close(self) -> None:
        self.page.close()


def _save_screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    page.screenshot(path=str(target), full_page=False)
    print(f"artifact: {target}")
    return target
