"""report.html in a real browser: the filters narrow the findings, round-trip through the URL, and
in a merged report filter by account too. (Browser set-up: tests/browserkit.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from srmscan.scan import ScanResult
from tests.browserkit import MARKETING, Page, _save_screenshot

pytestmark = pytest.mark.browser


def test_filters_change_the_visible_findings(demo_page: Page) -> None:
    page = demo_page.page
    before = len(demo_page.rows())
    page.select_option("#f-status", "fail")
    after = len(demo_page.rows())
    assert 0 < after < before
    badges = page.eval_on_selector_all("#findings-list .badge", "e => e.map(x => x.textContent)")
    assert set(badges) == {"fail"}
    page.fill("#f-text", MARKETING)
    assert all(MARKETING in r for r in demo_page.rows()) and demo_page.rows()
    page.click("#f-reset")
    assert len(demo_page.rows()) == before
    # Sorting by severity within a group, and expanding a finding shows its remediation.
    page.locator('#findings-list th button[data-sort="severity"]').first.click()
    assert page.locator('#findings-list th[aria-sort="ascending"]').count() > 0
    first = page.locator("#findings-list button.expand").first
    first.click()
    assert first.get_attribute("aria-expanded") == "true"
    assert "Remediation" in page.locator("#findings-list tr.detail").first.inner_text()
    # keyboard: the filters are reachable and operable without a mouse
    page.focus("#f-owner")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#f-owner") != ""


def test_filters_round_trip_through_the_url(browser: Any, demo_report: tuple[Path, ScanResult]) -> None:
    page = Page(browser, demo_report[0])
    try:
        p = page.page
        p.select_option("#f-owner", "shared")
        p.select_option("#f-status", "fail")
        url = p.url
        assert "#view?" in url and "owner=shared" in url and "status=fail" in url
        rows = page.rows()
        assert rows
        p.go_back()
        p.wait_for_function("() => document.getElementById('f-status').value === ''")
        assert p.input_value("#f-owner") == "shared"
        p.go_back()
        p.wait_for_function("() => document.getElementById('f-owner').value === ''")
        assert len(page.rows()) != len(rows)
        p.go_forward()
        p.wait_for_function("() => document.getElementById('f-owner').value === 'shared'")
    finally:
        page.close()
    shared = Page(browser, url)  # a shared link opens the same view
    try:
        assert shared.page.input_value("#f-status") == "fail"
        assert shared.page.input_value("#f-owner") == "shared"
        assert shared.rows() == rows
        assert shared.errors == []
    finally:
        shared.close()


def test_merged_report_has_panels_maps_and_an_account_filter(
    browser: Any, demo_report: tuple[Path, ScanResult], tmp_path: Path
) -> None:
    import copy
    import json

    from srmscan.accounts.merge import merge_reports, write_merged
    from srmscan.report.json_report import render_json

    first = json.loads(render_json(demo_report[1]))
    second = copy.deepcopy(first)
    second["account_id"], second["account_alias"] = "210987654321", "acme-staging"
    kept = list(
        {
            f["id"]: f for f in [f for f in second["findings"] if f["status"] == "fail"][:30] + second["findings"][:30]
        }.values()
    )
    second["findings"] = [{**f, "account_id": "210987654321", "id": f["id"] + "-b"} for f in kept]
    write_merged(merge_reports([first, second]), tmp_path)
    page = Page(browser, tmp_path / "report.html")
    try:
        p = page.page
        assert page.errors == [] and [u for u in page.requests if not u.startswith("file:")] == []
        for name in ("panel-customer", "panel-shared", "panel-aws"):
            assert p.locator(f"#{name}").is_visible()
        assert p.locator("table.map").count() == 3  # the estate, then each account
        accounts = p.eval_on_selector_all("#f-account option", "e => e.map(x => x.value)")
        assert accounts == ["", first["account_id"], "210987654321"]
        p.select_option("#f-account", "210987654321")
        assert "account=210987654321" in p.url
        drawn = p.eval_on_selector_all("#findings-list .where", "e => e.map(x => x.textContent)")
        assert drawn and all(t.startswith("210987654321 ·") for t in drawn)
        assert p.locator("#findings-list td.c-team").count() == len(drawn)
        # An account's map cell filters to that account's findings of that cell.
        cell = p.locator("#map-210987654321").locator("xpath=..").locator("button.cell[data-f-account]").first
        cell.click()
        assert p.input_value("#f-account") == "210987654321"
        _save_screenshot(p, "merged-1400.png")
    finally:
        page.close()
