"""report.json is the machine contract: its fields are documented in the README and stay put."""

from __future__ import annotations

import json

from srmscan.evaluate.engine import RuleSet, evaluate
from srmscan.model import Resource, Status
from srmscan.report.json_report import render_json
from srmscan.scan import ScanResult
from tests.helpers import inventory

FINDING_FIELDS = {
    "id",
    "rule_id",
    "title",
    "status",
    "severity",
    "owner",
    "layer",
    "service",
    "service_tier",
    "region",
    "resource_type",
    "resource_id",
    "resource_arn",
    "resource_name",
    "team",
    "message",
    "remediation",
    "frameworks",
    "evidence",
}
TOP_FIELDS = {
    "schema_version",
    "tool",
    "account_id",
    "regions",
    "started_at",
    "finished_at",
    "summary",
    "errors",
    "findings",
}


def _result(ruleset, *resources):  # type: ignore[no-untyped-def]
    inv = inventory(*resources)
    return ScanResult(inventory=inv, findings=evaluate(inv, ruleset), ruleset=ruleset)


def test_report_has_documented_fields(ruleset) -> None:
    bucket = Resource(
        type="AWS::S3::Bucket",
        id="b1",
        region="us-east-1",
        name="b1",
        tags={"Team": "data-eng"},
        attrs={"versioning": {"status": "Disabled"}},
    )
    report = json.loads(render_json(_result(ruleset, bucket)))
    assert TOP_FIELDS <= set(report)
    assert report["tool"]["name"] == "srmscan"
    assert report["findings"]
    for f in report["findings"]:
        assert FINDING_FIELDS <= set(f), FINDING_FIELDS - set(f)
    versioning = next(f for f in report["findings"] if f["rule_id"] == "s3.bucket_versioning")
    assert versioning["status"] == "fail" and versioning["team"] == "data-eng"
    assert versioning["frameworks"] == {"fsbp": ["S3.14"]}
    assert versioning["owner"] == "customer" and versioning["layer"] == "data"


def test_summary_counts_match_findings(ruleset) -> None:
    bucket = Resource(type="AWS::S3::Bucket", id="b1", region="us-east-1", attrs={"versioning": {"status": "Enabled"}})
    result = _result(ruleset, bucket)
    report = json.loads(render_json(result))
    statuses = [f["status"] for f in report["findings"]]
    for status, n in report["summary"]["by_status"].items():
        assert statuses.count(status) == n
    assert report["summary"]["total"] == len(statuses)
    # A bucket with only versioning collected: every other bucket rule touched missing data.
    assert any(f.status is Status.UNKNOWN for f in result.findings)


def test_info_findings_state_what_aws_owns_for_present_types(ruleset) -> None:
    bucket = Resource(type="AWS::S3::Bucket", id="b1", region="us-east-1", attrs={})
    findings = _result(ruleset, bucket).findings
    info = [f for f in findings if f.status is Status.INFO and f.resource_type == "AWS::S3::Bucket"]
    assert info and all(f.owner in ("aws", "shared") for f in info)
    assert any(f.layer == "physical" and f.owner == "aws" for f in info)
    assert not [f for f in findings if f.status is Status.INFO and f.resource_type == "AWS::RDS::DBInstance"]


def test_finding_ids_are_stable_across_runs(ruleset) -> None:
    bucket = Resource(type="AWS::S3::Bucket", id="b1", region="us-east-1", attrs={"versioning": {"status": "Enabled"}})
    first = [f.id for f in _result(ruleset, bucket).findings]
    second = [f.id for f in _result(ruleset, bucket).findings]
    assert first == second and len(set(first)) == len(first)


def test_mute_author_is_shown_not_redacted_but_secret_values_still_are(ruleset: RuleSet) -> None:
    from tests import report_synth

    mute = {"reason": "ok", "expires": "2027-01-31", "author": "alice@example.com", "status": "fail"}
    leaky = {**mute, "author": "AKIAABCDEFGHIJKLMNOP"}
    fs = [
        report_synth.finding(resource_id="a", status=Status.MUTED, mute=mute),
        report_synth.finding(resource_id="b", status=Status.MUTED, mute=leaky),
    ]
    result = ScanResult(inventory=report_synth.inventory(), findings=fs, ruleset=ruleset)
    data = json.loads(render_json(result))
    authors = [f["mute"]["author"] for f in data["findings"]]
    assert authors[0] == "alice@example.com"
    assert "AKIA" not in authors[1]
