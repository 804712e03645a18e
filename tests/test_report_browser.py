"""report.html in a real browser: Debian's headless Chromium driven by Playwright for Python
(system executable; no browser download). Skips when Chromium is absent, unless
SRMSCAN_REQUIRE_BROWSER=1 (set by .ci/run), in which case it fails.

The demo report is generated through the demo code path (demo_session + run_scan +
write_reports). Incident checks look at what the demo contains: S3 (incident 2) always; EC2
and ECS (incidents 1 and 3) when their collectors and rules are present.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from srmscan.evaluate.engine import load_ruleset
from srmscan.report import write_reports
from srmscan.report.html_report import render_html
from srmscan.scan import ScanResult, run_scan
from tests.conftest import REPO
from tests.test_report_html import _hostile_result

pytestmark = pytest.mark.browser

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
ARTIFACTS = REPO / "test-artifacts"
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScanResult]:
    from srmscan.demo.account import demo_session

    out = tmp_path_factory.mktemp("demo-report")
    with demo_session() as (aws, regions):
        result = run_scan(aws, regions, load_ruleset())
    (html,) = write_reports(result, ["html"], out)
    return html, result


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


@pytest.fixture
def demo_page(browser: Any, demo_report: tuple[Path, ScanResult]) -> Iterator[Page]:
    page = Page(browser, demo_report[0])
    yield page
    page.close()


def test_demo_report_loads_without_errors_or_network(demo_page: Page, demo_report: tuple[Path, ScanResult]) -> None:
    assert demo_page.errors == []
    leaving = [u for u in demo_page.requests if not u.startswith("file:")]
    assert leaving == []
    count = demo_page.page.inner_text("#f-count")
    shown = len([f for f in demo_report[1].findings if f.status.value != "muted"])
    assert count.startswith(f"All {shown} findings")


def _map_cell(page: Page, rtype: str, layer: str) -> Any:
    return page.page.locator(f'table.map button[data-f-type="{rtype}"][data-f-layer="{layer}"]')


def test_incident_2_bucket_is_on_the_customer_side(demo_page: Page) -> None:
    cell = _map_cell(demo_page, "AWS::S3::Bucket", "service_config")
    assert cell.locator(".who").inner_text() == "Customer"
    assert "fail" in cell.inner_text()
    cell.click()
    assert any(MARKETING in r for r in demo_page.rows())
    assert demo_page.headings() and all(h.startswith("Customer") for h in demo_page.headings())
    # The customer panel's team count for the bucket's team filters to it as well.
    demo_page.page.click('#panel-customer button[data-f-team="marketing-web"]')
    assert any(MARKETING in r for r in demo_page.rows())
    assert demo_page.page.input_value("#f-team") == "marketing-web"


def test_aws_panel_states_what_is_inherited_with_attestations(demo_page: Page) -> None:
    panel = demo_page.page.locator("#panel-aws")
    text = panel.inner_text()
    assert "SOC 2" in text and "27001" in text and "PCI DSS" in text
    assert panel.locator('a[href^="https://aws.amazon.com/artifact"]').count() == 1
    panel.locator('button[data-f-owner="aws"][data-f-status="info"]').click()
    assert demo_page.rows() and all(h.startswith("AWS") for h in demo_page.headings())
    assert demo_page.page.locator("#findings-list .badge.status-info").count() == len(demo_page.rows())


def test_incidents_1_and_3_on_the_right_side_when_present(
    demo_page: Page, demo_report: tuple[Path, ScanResult]
) -> None:
    findings = demo_report[1].findings
    checked = 0
    rtypes = {r.type for r in demo_report[1].inventory.resources}
    if "AWS::EC2::Instance" in rtypes:  # incident 1: guest OS patching is ours on EC2
        assert _map_cell(demo_page, "AWS::EC2::Instance", "os_patching").locator(".who").inner_text() == "Customer"
        checked += 1
    if "AWS::ECS::Service" in rtypes:  # incident 1, Fargate: the platform is shared
        assert _map_cell(demo_page, "AWS::ECS::Service", "runtime").locator(".who").inner_text() == "Shared"
        checked += 1
    maintenance = [f for f in findings if f.rule_id == "ec2.scheduled_event_survivable" and f.status.value == "fail"]
    if maintenance:  # incident 3: AWS's maintenance event versus our resilience is shared
        demo_page.page.select_option("#f-owner", "shared")
        names = demo_page.rows()
        assert any((maintenance[0].resource_name or maintenance[0].resource_id) in n for n in names)
        assert all(h.startswith("Shared") for h in demo_page.headings())
        checked += 1
    if checked == 0:
        pytest.skip("the demo has no EC2/ECS resources yet")


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


@pytest.mark.parametrize("kind", ["single", "merged"])
def test_injection_canaries_do_not_run(browser: Any, tmp_path: Path, kind: str) -> None:
    import json

    from srmscan.accounts.merge import merge_reports, write_merged
    from srmscan.report.json_report import render_json

    result = _hostile_result(load_ruleset())
    html = tmp_path / "report.html"
    if kind == "single":
        html.write_text(render_html(result), encoding="utf-8")
    else:
        write_merged(merge_reports([json.loads(render_json(result))]), tmp_path)
    page = Page(browser, html)
    try:
        # Show the collapsed passes and draw every detail row: the payload reaches the DOM there.
        closed = page.page.locator('#findings-list button.rest-toggle[aria-expanded="false"]')
        while closed.count():
            closed.first.click()
        for button in page.page.locator("#findings-list button.expand").all():
            button.click()
        page.page.wait_for_timeout(200)
        assert page.page.evaluate("window.__pwned") is None
        assert page.dialogs == []
        assert page.page.locator("#findings-list img, #findings-list svg, #findings-list script").count() == 0
        body = page.page.inner_text("body")
        assert "<img src=x onerror=alert(1)>" in body  # shown as text, not run
        assert "</script><script>window.__pwned=1</script>" in body
        assert page.errors == []
        assert [u for u in page.requests if not u.startswith("file:")] == []
    finally:
        page.close()


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


# --- the report as a sign-off document (issue 13) ---
SEV_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
# The demo's incident findings that must be on screen without a click: guest-OS patching on EC2
# (customer), the public launch bucket (customer), AWS maintenance against our resilience (shared)
# and the Fargate platform version (shared).
INCIDENT_RULES = [
    ("customer", "ssm.patch_compliance"),
    ("customer", "s3.bucket_policy_public"),
    ("shared", "ec2.scheduled_event_survivable"),
    ("shared", "ecs.fargate_platform_version"),
]


def _visible_rows(page: Any, owner: str) -> list[dict[str, str]]:
    return list(
        page.eval_on_selector_all(
            f"#sec-{owner} tbody tr:not(.detail)",
            """e => e.filter(x => x.offsetParent).map(x => ({status: x.querySelector('.badge').textContent,
                sev: x.querySelector('.c-sev').textContent, text: x.textContent}))""",
        )
    )


def test_first_view_opens_every_owner_with_open_findings_by_severity(
    demo_page: Page, demo_report: tuple[Path, ScanResult]
) -> None:
    page = demo_page.page
    findings = demo_report[1].findings
    for owner in ("customer", "shared", "aws"):
        assert page.locator(f"#sec-{owner} > h3").is_visible()
        rows = _visible_rows(page, owner)
        assert all(r["status"] in ("fail", "unknown") for r in rows), owner
        ranks = [SEV_RANK[r["sev"]] for r in rows]
        assert ranks == sorted(ranks), f"{owner} not sorted by severity"
        mine = [f for f in findings if f.owner.value == owner]
        opened = [f for f in mine if f.status.value in ("fail", "unknown")]
        assert len(rows) == min(len(opened), 25)
        resting = len(mine) - len(opened) - sum(1 for f in mine if f.status.value == "muted")
        toggle = page.locator(f'#sec-{owner} button[data-rest="{owner}"]')
        assert toggle.count() == (1 if resting else 0)
    # Customer pages within itself; the Shared section still follows on the same screen order.
    assert page.locator('#sec-customer button[data-more="customer|open"]').count() == 1
    for owner, rule in INCIDENT_RULES:
        present = [f for f in findings if f.rule_id == rule and f.status.value == "fail"]
        if present:
            assert any(rule in r["text"] for r in _visible_rows(page, owner)), rule
    # Passes are one click away, per section.
    page.click('#sec-customer button[data-rest="customer"]')
    assert "pass" in {r["status"] for r in _visible_rows(page, "customer")}


def test_every_finding_shows_resource_name_and_id(demo_page: Page, demo_report: tuple[Path, ScanResult]) -> None:
    ids = demo_page.page.eval_on_selector_all("#findings-list td.res code.rid", "e => e.map(x => x.textContent)")
    assert ids and all(ids)
    # Resources that share one Name tag are told apart by their ids on screen.
    by_name: dict[str, set[str]] = {}
    for f in demo_report[1].findings:
        if f.resource_name and f.status.value == "fail":
            by_name.setdefault(f.resource_name, set()).add(f.resource_id)
    name, rids = max(by_name.items(), key=lambda kv: len(kv[1]))
    assert len(rids) >= 2, "the demo has no two failing resources sharing a name"
    demo_page.page.select_option("#f-status", "fail")
    demo_page.page.fill("#f-text", name)
    shown = demo_page.page.eval_on_selector_all(
        "#findings-list td.res",
        "e => e.map(x => [x.querySelector('.rname')?.textContent, x.querySelector('.rid').textContent])",
    )
    assert {rid for n, rid in shown if n == name} == rids


def _save_screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    page.screenshot(path=str(target), full_page=False)
    print(f"artifact: {target}")
    return target


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
