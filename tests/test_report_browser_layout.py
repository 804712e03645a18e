"""report.html in a real browser: text contrast (WCAG AA), narrow screens, the print view, and the
screenshots and PDFs left in test-artifacts/ for a human to look at. (Browser set-up: tests/browserkit.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from srmscan.scan import ScanResult
from tests.browserkit import ARTIFACTS, Page, _save_screenshot

pytestmark = pytest.mark.browser


CONTRAST_JS = """
() => {
  function rgb(c) { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
  function lum([r, g, b]) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  function bg(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  }
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.offsetParent || el.closest('[hidden], .sr-only, .skip, button:disabled')) continue;
    const fg = rgb(getComputedStyle(el).color), b = bg(el);
    const l1 = lum(fg), l2 = lum(b);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) bad.push(n.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2));
  }
  return bad;
}
"""


@pytest.mark.parametrize("scheme, width", [("light", 1300), ("dark", 1300), ("light", 390), ("dark", 390)])
def test_text_contrast_passes_wcag_aa(
    browser: Any, demo_report: tuple[Path, ScanResult], scheme: str, width: int
) -> None:
    page = Page(browser, demo_report[0], scheme, width=width)
    try:
        page.page.locator("#findings-list button.expand").first.click()
        assert page.page.evaluate(CONTRAST_JS) == []
    finally:
        page.close()


def test_summary_screenshot_artifact(browser: Any, demo_report: tuple[Path, ScanResult]) -> None:
    page = Page(browser, demo_report[0])
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / "report-summary.png"
        page.page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000
        page.page.emulate_media(media="print")
        assert page.page.locator("#filters").is_hidden()
    finally:
        page.close()


OVERFLOW_JS = """
(w) => [...document.querySelectorAll('body *')].filter(e => {
  if (e.closest('.sr-only, .skip')) return false;
  const r = e.getBoundingClientRect();
  return r.width > 0 && (r.right > w + 1 || r.left < -1);
}).map(e => e.tagName + '.' + e.className).slice(0, 10)
"""


def test_narrow_screen_stacks_cards_without_horizontal_overflow(
    browser: Any, demo_report: tuple[Path, ScanResult]
) -> None:
    heights = {}
    for width in (1400, 390):
        page = Page(browser, demo_report[0], width=width)
        try:
            assert page.errors == []
            heights[width] = page.page.evaluate("document.documentElement.scrollHeight")
            if width == 390:
                assert page.page.evaluate("document.documentElement.scrollWidth") <= width
                assert page.page.evaluate(OVERFLOW_JS, width) == []
                display = page.page.eval_on_selector("#findings-list tbody tr", "e => getComputedStyle(e).display")
                assert display == "grid"  # a card, not a table row
                page.page.locator("#findings-list button.expand").first.click()
                assert page.page.evaluate(OVERFLOW_JS, width) == []
            _save_screenshot(page.page, f"report-{width}.png")
        finally:
            page.close()
    print(f"measured heights: 1400 px -> {heights[1400]} px, 390 px -> {heights[390]} px")
    assert heights[390] <= 3 * heights[1400]


def _pdf_pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_print_view_fits_the_walkthrough(browser: Any, demo_report: tuple[Path, ScanResult]) -> None:
    findings = demo_report[1].findings
    page = Page(browser, demo_report[0])
    try:
        page.page.emulate_media(media="print")
        page.page.wait_for_function("() => !document.querySelector('#findings-list .rest-toggle')")
        badges = set(page.page.eval_on_selector_all("#findings-list .badge", "e => e.map(x => x.textContent)"))
        assert badges <= {"fail", "unknown"}
        drawn = page.page.locator("#findings-list tbody tr").count()
        assert drawn == sum(1 for f in findings if f.status.value in ("fail", "unknown"))
        # grouped owner -> layer, passes counted
        assert page.page.locator("#sec-customer h4").count() >= 2
        assert "pass" in page.page.inner_text("#sec-customer .counted")
        for name in ("panel-customer", "panel-shared", "panel-aws"):
            assert page.page.locator(f"#{name}").is_visible()
        assert page.page.locator("table.map").is_visible()
        counts = {}
        for paper in ("Letter", "A4"):
            pdf = page.page.pdf(format=paper, print_background=True)
            counts[paper] = _pdf_pages(pdf)
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"report-{paper.lower()}.pdf").write_bytes(pdf)
        page.page.set_viewport_size({"width": 816, "height": 1056})
        _save_screenshot(page.page, "report-print-first-page.png")
        print(f"measured PDF pages: {counts}; PDFs in {ARTIFACTS}")
        assert all(0 < n <= 25 for n in counts.values()), counts
    finally:
        page.close()
