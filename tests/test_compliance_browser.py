"""The compliance page's owner and status filters work in a real browser (CSS only, no script)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from srmscan.evaluate.compliance import evaluate_compliance
from srmscan.evaluate.frameworks import load_framework
from srmscan.model import Status
from srmscan.report.compliance_html import render_compliance_html
from tests.report_synth import finding

pytestmark = pytest.mark.browser


def test_filters_show_only_the_chosen_owner_and_status(browser: Any, tmp_path: Path) -> None:
    result = evaluate_compliance(
        load_framework("pci-dss-4.0.1"),
        [finding(rule_id="s3.bucket_public_access_block", status=Status.FAIL, name="<b>x</b>")],
        scope={"account_id": "123456789012", "regions": ["eu-west-1"], "started_at": "2026-11-24T10:00:00Z"},
    )
    page_file = tmp_path / "compliance.html"
    page_file.write_text(render_compliance_html([result], "0.1.0"), encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page_file.as_uri())

    def visible() -> list[tuple[str, str]]:
        return page.eval_on_selector_all(
            "tr.cmp-row",
            "rows => rows.filter(r => r.offsetParent !== null).map(r => [r.dataset.owner, r.dataset.status])",
        )

    assert len(visible()) == 260
    page.check("input.cmp-o-aws")
    rows = visible()
    assert len(rows) == 29 and {o for o, _ in rows} == {"aws"}
    page.check("input.cmp-o-customer")
    page.check("input.cmp-s-fail")
    rows = visible()
    assert rows and all(tuple(r) == ("customer", "fail") for r in rows)
    page.check("input.cmp-o-all")
    page.check("input.cmp-s-all")
    assert len(visible()) == 260
    assert errors == [], errors  # no CSP violations, nothing broken
    page.close()
