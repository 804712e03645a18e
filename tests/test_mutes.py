"""Mutes: accepted risks with a reason, an author and an expiry, applied purely at evaluation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.evaluate.mutes import Mute, MuteFileError, apply_mutes, parse_mutes, scan_date
from srmscan.model import Finding, Layer, Owner, Resource, Severity, Status
from srmscan.scan import evaluate_inventory
from tests.helpers import inventory, one

runner = CliRunner()


def _finding(rule: str, rid: str, status: Status, arn: str | None = None) -> Finding:
    return Finding(
        id=f"{rule}|{rid}",
        rule_id=rule,
        title=rule,
        status=status,
        severity=Severity.HIGH,
        owner=Owner.CUSTOMER,
        layer=Layer.SERVICE_CONFIG,
        service="s3",
        service_tier="serverless",
        account_id="123456789012",
        region="eu-west-1",
        resource_type="AWS::S3::Bucket",
        resource_id=rid,
        resource_arn=arn,
        resource_name=rid,
        team=None,
        message="bucket is public",
        rationale="r",
        remediation="m",
        frameworks={},
        evidence={"seen": 1},
    )


def _mute(resource: str, *, glob: bool = False, expires: date = date(2026, 12, 31), index: int = 0) -> Mute:
    return Mute("s3.public", resource, glob, "launch assets", expires, "alice", index)


def test_exact_mute_by_arn_keeps_real_status_and_stops_counting() -> None:
    f = _finding("s3.public", "assets", Status.FAIL, arn="arn:aws:s3:::assets")
    out = apply_mutes([f], [_mute("arn:aws:s3:::assets")], date(2026, 11, 24))
    muted = out.findings[0]
    assert muted.status is Status.MUTED
    assert muted.mute is not None and muted.mute["status"] == "fail"
    assert muted.mute["reason"] == "launch assets" and muted.mute["author"] == "alice"
    assert muted.mute["expires"] == "2026-12-31"
    assert not out.stale and not out.expired
    # The original finding object is not modified (pure).
    assert f.status is Status.FAIL and f.mute is None


def test_exact_mute_does_not_act_as_a_prefix_or_glob() -> None:
    findings = [_finding("s3.public", "assets-2", Status.FAIL), _finding("s3.public", "assets", Status.FAIL)]
    out = apply_mutes(findings, [_mute("assets")], date(2026, 1, 1))
    assert [f.status for f in out.findings] == [Status.FAIL, Status.MUTED]


def test_glob_mute_is_explicit() -> None:
    findings = [_finding("s3.public", "tmp-a", Status.FAIL), _finding("s3.public", "prod", Status.UNKNOWN)]
    out = apply_mutes(findings, [_mute("tmp-*", glob=True)], date(2026, 1, 1))
    assert [f.status for f in out.findings] == [Status.MUTED, Status.UNKNOWN]


def test_expired_mute_stops_muting_and_says_so() -> None:
    f = _finding("s3.public", "assets", Status.FAIL)
    out = apply_mutes([f], [_mute("assets", expires=date(2026, 11, 23))], date(2026, 11, 24))
    shown = out.findings[0]
    assert shown.status is Status.FAIL and shown.mute is None
    assert "mute expired 2026-11-23" in shown.message
    assert shown.evidence["expired_mute"]["author"] == "alice" and shown.evidence["seen"] == 1
    assert out.expired and "Expired mute #1" in out.notes()[0]


def test_mute_applies_through_its_expiry_day() -> None:
    f = _finding("s3.public", "assets", Status.FAIL)
    out = apply_mutes([f], [_mute("assets", expires=date(2026, 11, 24))], date(2026, 11, 24))
    assert out.findings[0].status is Status.MUTED


def test_stale_and_unneeded_mutes_are_reported() -> None:
    findings = [_finding("s3.public", "fixed", Status.PASS)]
    mutes = [_mute("gone", index=0), _mute("fixed", index=1)]
    out = apply_mutes(findings, mutes, date(2026, 1, 1))
    assert [m.resource for m in out.stale] == ["gone"]
    assert [m.resource for m in out.only_passing] == ["fixed"]
    assert out.findings[0].status is Status.PASS  # a pass is never hidden
    notes = " ".join(out.notes())
    assert "Stale mute #1" in notes and "Unneeded mute #2" in notes


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"rule": "r", "resource": "x", "expires": "2026-01-01", "author": "a"}, "'reason' is required"),
        ({"rule": "r", "resource": "x", "reason": "y", "author": "a"}, "'expires' is required"),
        ({"rule": "r", "resource": "x", "reason": "y", "expires": "soon", "author": "a"}, "must be a date"),
        ({"rule": "r", "reason": "y", "expires": "2026-01-01", "author": "a"}, "exactly one of"),
        (
            {"rule": "r", "resource": "x", "resource_glob": "*", "reason": "y", "expires": "2026-01-01", "author": "a"},
            "exactly one of",
        ),
        ({"rule": "r", "resource": "x", "reason": "y", "expires": "2026-01-01", "author": "a", "x": 1}, "unknown key"),
    ],
)
def test_invalid_mutes_are_refused(entry: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(MuteFileError, match=message):
        parse_mutes({"mute": [entry]})


def test_scan_date_comes_from_the_inventory_in_utc() -> None:
    assert scan_date("2026-11-24T23:30:00-02:00") == date(2026, 11, 25)
    assert scan_date("2026-11-24T10:00:00Z") == date(2026, 11, 24)


def _bucket_inventory():  # type: ignore[no-untyped-def]
    """A bucket whose versioning is off: s3.bucket_versioning fails (rules/s3.py)."""
    bucket = Resource(
        type="AWS::S3::Bucket",
        id="logs",
        region="us-east-1",
        arn="arn:aws:s3:::logs",
        name="logs",
        attrs={"versioning": {"status": "Disabled", "mfa_delete": "Disabled"}},
    )
    return inventory(bucket)


def test_evaluate_inventory_applies_mutes_against_the_inventory_date(ruleset) -> None:  # type: ignore[no-untyped-def]
    inv = _bucket_inventory()  # started 2026-11-24
    plain = evaluate_inventory(inv, ruleset)
    assert one(plain.findings, "s3.bucket_versioning", "logs").status is Status.FAIL
    active = Mute("s3.bucket_versioning", "arn:aws:s3:::logs", False, "immutable logs", date(2026, 11, 24), "a")
    muted = evaluate_inventory(inv, ruleset, mutes=[active])
    assert one(muted.findings, "s3.bucket_versioning", "logs").status is Status.MUTED
    assert not [f for f in muted.failing_at_or_above(Severity.INFO) if f.rule_id == "s3.bucket_versioning"]
    lapsed = Mute("s3.bucket_versioning", "logs", False, "immutable logs", date(2026, 11, 23), "a")
    again = evaluate_inventory(inv, ruleset, mutes=[lapsed])
    assert one(again.findings, "s3.bucket_versioning", "logs").status is Status.FAIL
    assert any("Expired mute" in n for n in again.notes)


def test_cli_reads_srmscan_toml_and_reports_muted_and_stale(tmp_path: Path, monkeypatch, ruleset) -> None:  # type: ignore[no-untyped-def]
    from srmscan.scan import write_inventory

    write_inventory(_bucket_inventory(), tmp_path / "inv.json")
    (tmp_path / "srmscan.toml").write_text(
        '[[mute]]\nrule = "s3.bucket_versioning"\nresource = "logs"\nreason = "immutable logs"\n'
        'expires = 2027-01-01\nauthor = "alice"\n\n'
        '[[mute]]\nrule = "s3.bucket_versioning"\nresource = "gone-bucket"\nreason = "old"\n'
        'expires = 2027-01-01\nauthor = "bob"\n'
    )
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["evaluate", "inv.json", "-o", "out", "-f", "json,html", "-q", "--fail-on", "low"])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    f = next(x for x in report["findings"] if x["rule_id"] == "s3.bucket_versioning")
    assert f["status"] == "muted" and f["mute"]["status"] == "fail"
    assert any("Stale mute #2" in n and "gone-bucket" in n for n in report["notes"])
    assert report["summary"]["by_status"]["muted"] == 1
    html = (tmp_path / "out" / "report.html").read_text()
    assert "immutable logs" in html
    # --fail-on low still fails on the other low+ findings? Only if any unmuted failure remains.
    unmuted = [x for x in report["findings"] if x["status"] == "fail" and x["severity"] != "info"]
    assert res.exit_code == (1 if unmuted else 0)


def test_broken_mutes_file_is_a_usage_error(tmp_path: Path) -> None:
    from srmscan.scan import write_inventory

    write_inventory(_bucket_inventory(), tmp_path / "inv.json")
    bad = tmp_path / "m.toml"
    bad.write_text('[[mute]]\nrule = "x"\nresource = "y"\n')
    res = runner.invoke(app, ["evaluate", str(tmp_path / "inv.json"), "--mutes", str(bad), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "'expires' is required" in res.output
