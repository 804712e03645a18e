"""report.html in a real browser: hostile strings in a single and a merged report are shown as
text and never run. (Browser set-up: tests/browserkit.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from srmscan.evaluate.engine import load_ruleset
from srmscan.report.html_report import render_html
from tests.browserkit import Page
from tests.test_report_html import _hostile_result

pytestmark = pytest.mark.browser


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
