"""report.html without a browser: the sections' counts and groupings, the findings payload, the
CSP hashes, and escaping of hostile account strings in the raw HTML. (What the browser does with
it is in test_report_browser*.py.)"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from srmscan.evaluate.engine import RuleSet
from srmscan.model import CallError, ErrorKind, Layer, Owner, Resource, Severity, Status
from srmscan.report.html_report import render_html
from srmscan.report.sections import (
    EVIDENCE_LIMIT,
    NO_TEAM_VALUE,
    RULE_COULD_NOT_DECIDE,
    aws_panel,
    could_not_see,
    customer_panel,
    findings_payload,
    muted_rows,
    shared_panel,
)
from srmscan.scan import ScanResult
from tests.report_synth import finding, inventory

XSS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>window.__pwned=1</script>",
    '"><svg onload=alert(2)>',
    "javascript:alert(3)",
    "\u2028</SCRIPT ><!--",
]


def _decode(payload: dict) -> list[dict]:  # type: ignore[type-arg]
    interned = set(payload["interned"])
    return [
        {c: (payload["texts"][v] if c in interned else v) for c, v in zip(payload["columns"], row, strict=True)}
        for row in payload["rows"]
    ]


def test_customer_panel_counts_failing_by_severity_and_team() -> None:
    fs = [
        finding(resource_id="a", severity=Severity.CRITICAL, team="web"),
        finding(resource_id="b", severity=Severity.CRITICAL, team="web"),
        finding(resource_id="c", severity=Severity.LOW, team=None),
        finding(resource_id="d", status=Status.PASS, team="web"),
        finding(resource_id="e", status=Status.UNKNOWN, team="web"),
        finding(resource_id="f", owner=Owner.SHARED, team="web"),
    ]
    panel = customer_panel(fs)
    assert panel["fail"] == 3 and panel["unknown"] == 1
    sev = {s["severity"]: s["count"] for s in panel["by_severity"]}
    assert sev == {"critical": 2, "high": 0, "medium": 0, "low": 1, "info": 0}
    assert panel["by_team"] == [
        {"team": "web", "value": "web", "count": 2},
        {"team": "(no owner tag)", "value": NO_TEAM_VALUE, "count": 1},
    ]


def test_shared_panel_lists_levers_of_types_present_with_their_findings(ruleset: RuleSet) -> None:
    inv = inventory([Resource(type="AWS::RDS::DBInstance", id="db1", region="eu-west-1")])
    fs = [
        finding(
            resource_type="AWS::RDS::DBInstance",
            resource_id="db1",
            owner=Owner.SHARED,
            layer=Layer.RUNTIME,
            service="rds",
        ),
        finding(resource_id="bucket", owner=Owner.CUSTOMER),
    ]
    panel = shared_panel(ruleset.matrix, inv, fs)
    runtime = [lv for lv in panel["levers"] if lv["layer"] == "runtime"]
    assert len(runtime) == 1
    assert runtime[0]["fail"] == 1 and runtime[0]["count"] == 1
    assert "minor" in runtime[0]["lever"].lower()  # the lever is the matrix's customer_does text
    assert panel["fail"] == 1
    # no S3 lever: S3 has no shared layer
    assert all(lv["resource_type"] == "AWS::RDS::DBInstance" for lv in panel["levers"])


def test_aws_panel_has_attestations_artifact_link_and_only_https_urls(ruleset: RuleSet) -> None:
    fs = [finding(status=Status.INFO, severity=Severity.INFO, owner=Owner.AWS, layer=Layer.PHYSICAL)]
    panel = aws_panel(ruleset.matrix, fs)
    names = " ".join(a["name"] for a in panel["attestations"])
    assert "SOC 2" in names and "27001" in names and "PCI DSS" in names
    assert panel["artifact_url"].startswith("https://aws.amazon.com/artifact")
    assert panel["info"] == 1 and panel["by_layer"][0]["layer"] == "physical"
    assert all(a["url"] == "" or a["url"].startswith("https://") for a in panel["attestations"])


def test_could_not_see_groups_calls_by_cause_and_action() -> None:
    errors = [
        CallError(
            f"E{i}", "s3", "GetBucketPolicy", r, "AccessDenied", "denied", ErrorKind.ACCESS_DENIED, "s3:GetBucketPolicy"
        )
        for i, r in enumerate(["eu-west-1", "eu-west-1", "us-east-1"])
    ] + [
        CallError(
            "E9", "health", "DescribeEvents", "us-east-1", "404", "nope", ErrorKind.UNSUPPORTED, "health:DescribeEvents"
        )
    ]
    fs = [
        finding(resource_id="b1", status=Status.UNKNOWN, error_ids=["E0"], unknown_reason="could not read policy"),
        finding(resource_id="b2", status=Status.UNKNOWN, error_ids=["E2"], unknown_reason="could not read policy"),
        finding(resource_id="b3", status=Status.UNKNOWN, rule_id="x.odd", unknown_reason="odd data"),
        finding(resource_id="b4", status=Status.FAIL),
    ]
    groups = could_not_see(inventory(errors=errors), fs)
    assert [g.cause for g in groups] == ["access_denied", "unsupported", RULE_COULD_NOT_DECIDE]
    denied = groups[0]
    assert denied.call_count == 3 and len(denied.calls) == 1
    assert denied.calls[0]["iam_action"] == "s3:GetBucketPolicy"
    assert denied.calls[0]["regions"] == ["eu-west-1", "us-east-1"]
    assert denied.check_count == 2 and denied.checks[0]["iam_actions"] == ["s3:GetBucketPolicy"]
    assert groups[1].check_count == 0 and groups[1].call_count == 1
    assert groups[2].checks[0]["reason"] == "odd data"


def test_muted_findings_are_listed_separately_with_reason_and_expiry() -> None:
    mute = {"reason": "accepted until launch", "expires": "2027-01-31", "status": "fail", "author": "alice@example.com"}
    fs = [finding(resource_id="m", status=Status.MUTED, mute=mute), finding(resource_id="f")]
    assert muted_rows(fs) == [
        {
            "title": fs[0].title,
            "rule_id": fs[0].rule_id,
            "resource": "m",
            "resource_id": "m",
            "region": "eu-west-1",
            "severity": "high",
            "reason": "accepted until launch",
            "expires": "2027-01-31",
            "author": "alice@example.com",
            "status": "fail",
        }
    ]
    rows = _decode(findings_payload(fs))
    assert [r["rid"] for r in rows] == ["f"]


def test_payload_round_trips_fields_interns_texts_and_cuts_huge_evidence() -> None:
    big = {"policy": "x" * (EVIDENCE_LIMIT * 3)}
    fs = [finding(resource_id=f"r{i}", evidence=big if i == 0 else {"k": i}) for i in range(50)]
    payload = findings_payload(fs)
    rows = _decode(payload)
    assert len(rows) == 50
    assert rows[1]["rid"] == "r1" and rows[1]["fsbp"] == ["S3.8"] and rows[1]["cis"] == ["2.1.4"]
    assert rows[1]["remediation"].startswith("Console:")
    assert json.loads(rows[1]["evidence"]) == {"k": 1}
    assert len(rows[0]["evidence"]) < EVIDENCE_LIMIT + 100 and "report.json" in rows[0]["evidence"]
    # the shared remediation text is stored once, not fifty times
    assert sum(1 for t in payload["texts"] if t.startswith("Console:")) == 1


def test_payload_scrubs_secret_values() -> None:
    fs = [finding(message="key AKIAABCDEFGHIJKLMNOP leaked", evidence={"password": "hunter2"})]
    (row,) = _decode(findings_payload(fs))
    assert "AKIAABCDEFGHIJKLMNOP" not in row["message"]
    assert "hunter2" not in row["evidence"]


def _hostile_result(ruleset: RuleSet) -> ScanResult:
    res = [
        Resource(type="AWS::S3::Bucket", id=XSS[0], region="eu-west-1", name=XSS[1], tags={"Team": XSS[2]}),
    ]
    errors = [
        CallError(
            "E1",
            "s3",
            "GetBucketPolicy",
            "eu-west-1",
            "AccessDenied",
            XSS[1],
            ErrorKind.ACCESS_DENIED,
            "s3:GetBucketPolicy",
        )
    ]
    inv = inventory(res, errors)
    inv.account_alias = XSS[1]
    fs = [
        finding(resource_id=XSS[0], name=XSS[1], team=XSS[2], message=XSS[1], evidence={"p": XSS[1], XSS[0]: XSS[4]}),
        finding(
            resource_id="u", name=XSS[0], status=Status.UNKNOWN, error_ids=["E1"], unknown_reason=XSS[1], team=XSS[3]
        ),
        finding(resource_id="m", name=XSS[2], status=Status.MUTED, mute={"reason": XSS[1], "expires": XSS[0]}),
    ]
    return ScanResult(inventory=inv, findings=fs, ruleset=ruleset)


def test_hostile_strings_never_appear_unescaped(ruleset: RuleSet) -> None:
    html = render_html(_hostile_result(ruleset))
    for raw in ("<img src=x onerror", "<script>window.__pwned", "<svg onload", "</SCRIPT ><!--"):
        assert raw.lower() not in html.lower(), raw
    # Exactly our own three script blocks, and each closes once: no data closed one early.
    assert len(re.findall(r"<script\b", html, re.IGNORECASE)) == 3
    assert len(re.findall(r"</script", html, re.IGNORECASE)) == 3
    # The data is still there, intact, once the payload is parsed.
    data = re.search(r'<script type="application/json" id="findings-data">(.*?)</script>', html, re.S)
    assert data is not None
    rows = _decode(json.loads(data.group(1)))
    assert {r["name"] for r in rows} == {XSS[1], XSS[0]}
    assert rows[0]["team"] == XSS[2]
    # javascript: from the account never becomes a link target
    assert 'href="javascript:' not in html


def test_csp_allows_exactly_the_inline_script_and_style(ruleset: RuleSet) -> None:
    html = render_html(_hostile_result(ruleset))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1) and "unsafe-inline" not in csp.group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert script is not None and style is not None
    for body in (script.group(1), style.group(1)):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp.group(1)


def test_header_and_could_not_see_render_counts(ruleset: RuleSet) -> None:
    result = _hostile_result(ruleset)
    html = render_html(result)
    assert "111122223333" in html and "eu-west-1, us-east-1, ap-southeast-2" in html
    assert "1 failed</a>" in html  # one failed API call, linked to the could-not-see section
    assert "S3 bucket: <strong>1</strong>" in html
    assert "<code>s3:GetBucketPolicy</code>" in html
    assert "This scan did not see everything." in html


def test_streamed_page_equals_rendered_page(tmp_path, ruleset) -> None:  # type: ignore[no-untyped-def]
    """write_reports streams the page and its JSON payload in chunks; the file must be exactly
    the page render_html builds in one piece, hostile strings included."""
    from srmscan.report import write_reports
    from tests.report_synth import large_result

    inv, findings = large_result(ruleset, n_findings=300)
    result = ScanResult(inventory=inv, findings=findings, ruleset=ruleset)
    result.findings[0].message = "</script><script>window.__pwned=1</script> \u2028 & <b>"
    (path,) = write_reports(result, ["html"], tmp_path)
    assert path.read_text(encoding="utf-8") == render_html(result)
    assert "</script><script>window.__pwned" not in path.read_text(encoding="utf-8")


def test_muted_table_shows_author_reason_expiry_and_the_status_underneath(ruleset: RuleSet) -> None:
    mute = {"reason": "launch <b>assets</b>", "expires": "2027-01-31", "author": "alice@example.com", "status": "fail"}
    fs = [finding(resource_id="b-1", name="acme-launch", status=Status.MUTED, mute=mute)]
    html = render_html(ScanResult(inventory=inventory(), findings=fs, ruleset=ruleset))
    table = html[html.index('id="muted-h"') :]
    table = table[: table.index("</table>")]
    assert '<th scope="col">Muted by</th>' in table and '<th scope="col">Status underneath</th>' in table
    assert "alice@example.com" in table and "2027-01-31" in table
    assert "launch &lt;b&gt;assets&lt;/b&gt;" in table  # the reason is text, escaped
    assert '<td class="status-fail">fail</td>' in table
    assert "<code>acme-launch</code>" in table and '<code class="rid">b-1</code>' in table
