"""The compliance section (report.html with --framework) and page (compliance --format html)."""

from __future__ import annotations

import re

from srmscan.evaluate.compliance import evaluate_compliance
from srmscan.evaluate.engine import RuleSet
from srmscan.evaluate.frameworks import load_framework
from srmscan.model import Status
from srmscan.report.compliance_html import render_compliance_html
from srmscan.report.html_report import render_html
from srmscan.report.json_report import report_dict
from srmscan.scan import ScanResult
from tests.report_synth import finding, inventory

SCOPE = {"account_id": "123456789012", "regions": ["eu-west-1"], "started_at": "2026-11-24T10:00:00Z"}
EVIL = '<img src=x onerror="alert(1)">'


def _findings() -> list:
    return [
        finding(rule_id="s3.bucket_public_access_block", status=Status.FAIL, name=EVIL),
        finding(rule_id="iam.password_policy", status=Status.PASS, resource_id="123456789012"),
    ]


def test_page_lists_every_row_with_filters_and_no_script() -> None:
    result = evaluate_compliance(load_framework("pci-dss-4.0.1"), _findings(), scope=SCOPE)
    page = render_compliance_html([result], "0.1.0")
    assert page.count('class="cmp-row"') == 260
    assert len(re.findall(r'class="cmp-row" data-owner="aws"', page)) == 29
    assert 'data-status="fail"' in page and 'data-status="inherited"' in page
    for value in ("customer", "shared", "aws"):
        assert f'class="cmp-o-{value}"' in page
    assert 'class="cmp-s-fail"' in page and 'class="cmp-s-manual"' in page
    # Account data is escaped, and the page may run no script at all.
    assert EVIL not in page and "&lt;img src=x" in page
    assert "script-src 'none'" in page and "<script" not in page
    # The CSS the filters rely on is the report's own stylesheet.
    assert '.cmp:has(.cmp-o-customer:checked) .cmp-row:not([data-owner="customer"])' in page


def test_scan_report_gains_a_section_per_framework(ruleset: RuleSet) -> None:
    findings = _findings()
    scan = ScanResult(inventory=inventory(), findings=findings, ruleset=ruleset)
    scan.compliance = [
        evaluate_compliance(load_framework(fid), findings, scope=SCOPE) for fid in ("cis-aws-3.0.0", "soc2")
    ]
    page = render_html(scan)
    assert 'id="cmp-cis-aws-3-0-0-h"' in page and 'id="cmp-soc2-h"' in page
    assert page.count('class="cmp-row"') == 62 + 17
    assert EVIL not in page
    data = report_dict(scan, with_findings=False)
    assert data["schema_version"] == 2
    assert [c["framework"]["id"] for c in data["compliance"]] == ["cis-aws-3.0.0", "soc2"]
    assert "s3.bucket_public_access_block" in data["rules_evaluated"]


def test_report_without_frameworks_has_no_section(ruleset: RuleSet) -> None:
    page = render_html(ScanResult(inventory=inventory(), findings=_findings(), ruleset=ruleset))
    assert 'class="cmp"' not in page
