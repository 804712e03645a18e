"""`srmscan diff`: findings matched by stable id across two scans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.collect.runner import collect_inventory
from srmscan.drift.diff import diff_reports, new_failures_at_or_above
from srmscan.model import Severity
from srmscan.scan import write_inventory

runner = CliRunner()


def _f(fid: str, status: str, severity: str = "high", rid: str = "b1", **extra: Any) -> dict[str, Any]:
    return {
        "id": fid,
        "rule_id": f"rule.{fid}",
        "title": f"title {fid}",
        "status": status,
        "severity": severity,
        "owner": "customer",
        "region": "eu-west-1",
        "resource_type": "AWS::S3::Bucket",
        "resource_id": rid,
        "resource_name": rid,
        "resource_arn": f"arn:aws:s3:::{rid}",
        "message": "m",
        **extra,
    }


def _report(findings: list[dict[str, Any]], resources: list[str] | None = None) -> dict[str, Any]:
    rep: dict[str, Any] = {
        "kind": "srmscan-report",
        "account_id": "123456789012",
        "started_at": "2026-11-24T10:00:00Z",
        "regions": ["eu-west-1"],
        "findings": findings,
    }
    if resources is not None:
        rep["resources"] = [{"type": "AWS::S3::Bucket", "region": "eu-west-1", "id": r} for r in resources]
    return rep


def test_classifies_new_resolved_and_visibility_changes() -> None:
    old = _report(
        [_f("a", "pass"), _f("b", "fail"), _f("c", "pass"), _f("d", "fail", rid="gone"), _f("e", "unknown")],
        resources=["b1", "gone"],
    )
    new = _report(
        [_f("a", "fail"), _f("b", "pass"), _f("c", "unknown"), _f("e", "pass"), _f("n", "fail", "low", rid="b2")],
        resources=["b1", "b2"],
    )
    d = diff_reports(old, new)
    assert {(e["id"], e["old_status"]) for e in d["new_failures"]} == {("a", "pass"), ("n", None)}
    assert {e["id"]: e["change"] for e in d["resolved_failures"]} == {
        "b": "resolved",
        "d": "resolved (finding no longer reported)",
    }
    changes = {e["id"]: e["change"] for e in d["status_changes"]}
    assert changes == {"c": "we lost visibility", "e": "visibility regained"}
    assert [r["id"] for r in d["resources_appeared"]] == ["b2"]
    assert [r["id"] for r in d["resources_disappeared"]] == ["gone"]
    assert d["summary"]["lost_visibility"] == 1
    # Sorted most severe first.
    assert [e["id"] for e in d["new_failures"]] == ["a", "n"]


def test_fail_to_unknown_is_lost_visibility_not_resolved() -> None:
    d = diff_reports(_report([_f("a", "fail")]), _report([_f("a", "unknown")]))
    assert not d["resolved_failures"] and d["status_changes"][0]["change"] == "we lost visibility"


def test_muted_failure_is_compared_by_its_real_status() -> None:
    muted = _f("a", "muted", mute={"status": "fail", "reason": "r"})
    d = diff_reports(_report([_f("a", "pass")]), _report([muted]))
    assert d["new_failures"][0]["muted"] is True
    assert not new_failures_at_or_above(d, Severity.LOW)
    # Muting a failure is not a fix: it shows as a mute change, not as resolved.
    d2 = diff_reports(_report([_f("a", "fail")]), _report([muted]))
    assert not d2["resolved_failures"] and d2["status_changes"][0]["change"] == "muted"


def test_fail_on_new_threshold() -> None:
    d = diff_reports(_report([]), _report([_f("a", "fail", "medium")]))
    assert new_failures_at_or_above(d, Severity.MEDIUM)
    assert not new_failures_at_or_above(d, Severity.HIGH)


def test_resources_from_findings_for_reports_without_a_resources_list() -> None:
    d = diff_reports(_report([_f("a", "pass", rid="x")]), _report([_f("a", "pass", rid="x"), _f("b", "pass", rid="y")]))
    assert [r["id"] for r in d["resources_appeared"]] == ["y"]


def test_refuses_reports_of_different_accounts() -> None:
    other = _report([])
    other["account_id"] = "999999999999"
    with pytest.raises(ValueError, match="different accounts"):
        diff_reports(_report([]), other)


def _bpa_off_then_on(session, aws, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    s3 = session.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket="steady", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    before = collect_inventory(aws, ["eu-west-1"])
    s3.create_bucket(Bucket="launch", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    after = collect_inventory(aws, ["eu-west-1"])
    write_inventory(before, tmp_path / "old.json")
    write_inventory(after, tmp_path / "new.json")
    return tmp_path / "old.json", tmp_path / "new.json"


def test_cli_diff_of_inventories_and_reports(session, aws, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two real (moto) scans: a bucket without Block Public Access appears between them."""
    monkeypatch.chdir(tmp_path)
    old, new = _bpa_off_then_on(session, aws, tmp_path)
    res = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert ("s3.bucket_public_access_block", "launch") in {(e["rule_id"], e["resource_id"]) for e in d["new_failures"]}
    assert not any(e["resource_id"] == "steady" for e in d["new_failures"])
    assert [r["id"] for r in d["resources_appeared"]] == ["launch"]
    # --fail-on-new: the new BPA failure is high.
    assert runner.invoke(app, ["diff", str(old), str(new), "--fail-on-new", "high", "-o", "d.txt"]).exit_code == 1
    table = (tmp_path / "d.txt").read_text()
    assert "New failures" in table and "launch" in table
    assert runner.invoke(app, ["diff", str(old), str(new), "--fail-on-new", "critical"]).exit_code == 0
    # A mute (srmscan.toml in the working directory) takes the new failure out of --fail-on-new.
    (tmp_path / "srmscan.toml").write_text(
        '[[mute]]\nrule = "s3.bucket_public_access_block"\nresource = "launch"\nreason = "launch"\n'
        'expires = 2999-01-01\nauthor = "a"\n'
    )
    muted = runner.invoke(app, ["diff", str(old), str(new), "--fail-on-new", "high", "-f", "json"])
    assert muted.exit_code == 0, muted.output
    assert any(e["resource_id"] == "launch" and e["muted"] for e in json.loads(muted.output)["new_failures"])
    # Reports work the same as inventories, and the HTML report gains the drift section.
    assert runner.invoke(app, ["evaluate", str(old), "-o", "r-old", "-q"]).exit_code in (0, 1)
    assert runner.invoke(
        app, ["evaluate", str(new), "-o", "r-new", "-q", "--baseline", "r-old/report.json"]
    ).exit_code in (0, 1)
    html = (tmp_path / "r-new" / "report.html").read_text()
    assert 'id="drift-h"' in html and "launch" in html
    via_reports = runner.invoke(app, ["diff", "r-old/report.json", "r-new/report.json", "-f", "json"])
    assert json.loads(via_reports.output)["summary"] == json.loads(muted.output)["summary"]


def test_cli_diff_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[1]")
    assert runner.invoke(app, ["diff", str(bad), str(bad)]).exit_code == 2
    good = tmp_path / "r.json"
    good.write_text(json.dumps(_report([])))
    res = runner.invoke(app, ["diff", str(good), str(good), "--format", "xml"])
    assert res.exit_code == 2 and "unknown diff format" in res.output
