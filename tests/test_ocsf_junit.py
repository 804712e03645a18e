"""--format ocsf (OCSF Detection Finding, class 2004) and --format junit, from one ScanResult."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from py_ocsf_models.events.findings.detection_finding import DetectionFinding

from srmscan.evaluate.engine import RuleSet
from srmscan.model import Owner, Severity, Status
from srmscan.report import FORMATS, write_reports
from srmscan.report.junit_report import render_junit
from srmscan.report.ocsf_report import render_ocsf
from srmscan.scan import ScanResult
from tests.report_synth import finding, inventory


def _result(ruleset: RuleSet) -> ScanResult:
    findings = [
        finding(
            status=Status.FAIL,
            resource_id="b1\x02",
            name="bad\x01name <x> ]]>",
            message="off\x01 <x> ]]>",
            team="payments",
        ),
        finding(status=Status.PASS, resource_id="b2", severity=Severity.MEDIUM),
        finding(status=Status.UNKNOWN, resource_id="b3", unknown_reason="s3:GetPublicAccessBlock failed: AccessDenied"),
        finding(
            status=Status.MUTED,
            resource_id="b4",
            mute={"status": "fail", "reason": "launch page", "expires": "2026-12-31", "author": "a@example.com"},
        ),
        finding(status=Status.INFO, resource_id="b5", owner=Owner.AWS, severity=Severity.INFO),
        finding(status=Status.FAIL, resource_id="b6", message="key AKIAABCDEFGHIJKLMNOP in env", owner=Owner.SHARED),
    ]
    return ScanResult(inventory=inventory(), findings=findings, ruleset=ruleset)


def test_ocsf_records_are_detection_findings_that_round_trip_through_the_models(ruleset: RuleSet) -> None:
    result = _result(ruleset)
    records = json.loads(render_ocsf(result))
    assert len(records) == len(result.findings)
    for record, f in zip(records, result.findings, strict=True):
        model = DetectionFinding.model_validate(record)
        # Nothing we wrote is outside the schema's models (it would be dropped on the round trip).
        assert model.model_dump(mode="json", exclude_none=True) == record
        assert (record["class_uid"], record["category_uid"], record["type_uid"]) == (2004, 2, 200401)
        assert record["finding_info"]["uid"] == f.id and record["metadata"]["event_code"] == f.rule_id
        assert record["unmapped"]["srmscan"]["owner"] == str(f.owner)
        assert record["unmapped"]["srmscan"]["layer"] == str(f.layer)
        assert record["unmapped"]["srmscan"]["service_tier"] == f.service_tier
        assert record["cloud"]["account"]["uid"] == f.account_id and record["cloud"]["provider"] == "AWS"
    fail, passing, unknown, muted = records[0], records[1], records[2], records[3]
    assert fail["status_code"] == "FAIL" and fail["severity_id"] == 4 and fail["status"] == "New"
    assert passing["status_code"] == "PASS" and passing["severity_id"] == 3
    assert unknown["status_code"] == "UNKNOWN" and "AccessDenied" in unknown["status_detail"]
    assert muted["status"] == "Suppressed" and muted["status_code"] == "FAIL"
    assert fail["resources"][0]["labels"] == ["team:payments"]
    assert "AKIAABCDEFGHIJKLMNOP" not in json.dumps(records)


def test_junit_has_one_case_per_rule_and_resource_and_is_valid_xml(ruleset: RuleSet) -> None:
    root = ET.fromstring(render_junit(_result(ruleset)))
    cases = root.findall(".//testcase")
    assert len(cases) == 5  # the AWS info statement is not a check
    assert root.get("tests") == "5" and root.get("failures") == "2" and root.get("skipped") == "2"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert suites["customer"].get("failures") == "1" and suites["shared"].get("failures") == "1"
    by_resource = {c.get("name").split(" ")[0].rsplit(":", 1)[-1]: c for c in cases}
    assert by_resource["b1\ufffd"].find("failure") is not None
    assert "<x> ]]>" in by_resource["b1\ufffd"].find("failure").get("message")
    assert by_resource["b2"].find("failure") is None and by_resource["b2"].find("skipped") is None
    assert "AccessDenied" in by_resource["b3"].find("skipped").get("message")
    assert "launch page" in by_resource["b4"].find("skipped").get("message")
    assert "AKIAABCDEFGHIJKLMNOP" not in ET.tostring(root, encoding="unicode")


def test_scan_formats_write_the_new_files(ruleset: RuleSet, tmp_path: Path) -> None:
    assert {"ocsf", "junit"} <= set(FORMATS)
    written = write_reports(_result(ruleset), ["ocsf", "junit"], tmp_path)
    assert [p.name for p in written] == ["report.ocsf.json", "report.junit.xml"]
    assert json.loads(written[0].read_text(encoding="utf-8"))[0]["class_name"] == "Detection Finding"
    ET.parse(written[1])
