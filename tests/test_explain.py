"""`srmscan explain` works offline from any single or merged report: it shows the finding and its
team, marks attribution unavailable when CloudTrail cannot be asked, and finds the demo's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.model import Finding, Layer, Owner, Severity, Status

ACCOUNT = "123456789012"


def _finding(team: str | None = "marketing-web") -> Finding:
    return Finding(
        id="a1b2c3d4e5f6a7b8c9d0",
        rule_id="s3.bucket_public_access_block",
        title="S3 bucket Block Public Access is on",
        status=Status.FAIL,
        severity=Severity.HIGH,
        owner=Owner.CUSTOMER,
        layer=Layer.SERVICE_CONFIG,
        service="s3",
        service_tier="serverless",
        account_id=ACCOUNT,
        region="eu-west-1",
        resource_type="AWS::S3::Bucket",
        resource_id="launch-assets",
        resource_arn="arn:aws:s3:::launch-assets",
        resource_name="launch-assets",
        team=team,
        message="Block Public Access is off",
        rationale="r",
        remediation="x",
        frameworks={},
        evidence={},
    )


def _write(path: Path, merged: bool = False) -> Path:
    f = _finding().to_dict()
    if merged:
        data = {
            "kind": "srmscan-merged-report",
            "schema_version": 1,
            "accounts": [{"account_id": ACCOUNT, "regions": ["eu-west-1"]}],
            "findings": [f],
            "errors": [],
        }
    else:
        data = {"kind": "srmscan-report", "schema_version": 1, "account_id": ACCOUNT, "regions": ["eu-west-1"]}
        data["findings"] = [f]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-role probe


def test_without_credentials_the_finding_is_shown_and_attribution_marked_unavailable(
    tmp_path: Path, no_credentials: None
) -> None:
    path = _write(tmp_path / "report.json")
    res = CliRunner().invoke(app, ["explain", "a1b2c3d4", "--report", str(path)])
    assert res.exit_code == 0, res.output
    assert "Block Public Access is off" in res.output and "Team: marketing-web" in res.output
    assert "Attribution: unavailable: CloudTrail lookup not run: no AWS credentials" in res.output
    as_json = CliRunner().invoke(app, ["explain", "a1b2c3d4", "--report", str(path), "--json"])
    assert json.loads(as_json.output)["attribution"]["status"] == "unavailable"


def test_a_merged_report_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "merged" / "report.json", merged=True)
    res = CliRunner().invoke(app, ["explain", "a1b2c3d4e5f6a7b8c9d0", "--report", str(path), "--no-lookup"])
    assert res.exit_code == 0, res.output
    assert "launch-assets" in res.output and f"account {ACCOUNT}" in res.output


def test_default_report_search_finds_the_demo_and_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(app, ["explain", "a1b2c3d4", "--no-lookup"])
    assert missing.exit_code == 2
    assert "srmscan-report/report.json" in missing.output and "srmscan-demo/report.json" in missing.output
    _write(tmp_path / "srmscan-demo" / "report.json")  # where `make demo` writes it
    found = CliRunner().invoke(app, ["explain", "a1b2c3d4", "--no-lookup"])
    assert found.exit_code == 0, found.output
    assert "launch-assets" in found.output
    unknown = CliRunner().invoke(app, ["explain", "ffffffff", "--no-lookup"])
    assert unknown.exit_code == 2 and "srmscan-demo/report.json" in unknown.output
