"""The CLI's contract: exit codes, one-line errors for bad input, --fail-on, rules listing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srmscan.cli import app

runner = CliRunner()


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_unknown_profile_exits_2_with_one_line() -> None:
    result = _invoke("scan", "--profile", "no-such-profile-xyz", "-q")
    assert result.exit_code == 2
    assert "unknown AWS profile 'no-such-profile-xyz'" in result.output
    assert len(result.output.strip().splitlines()) <= 2


def test_unknown_region_exits_2(moto: None, tmp_path: Path) -> None:
    result = _invoke("scan", "--region", "mars-north-1", "-o", str(tmp_path), "-q")
    assert result.exit_code == 2
    assert "unknown region 'mars-north-1'" in result.output


def test_no_credentials_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = _invoke("scan", "--region", "eu-west-1", "-o", str(tmp_path), "-q")
    assert result.exit_code == 2
    assert "no AWS credentials" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_dir_exits_2(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = _invoke("scan", "-o", str(locked / "out"), "-q")
    assert result.exit_code == 2


def test_output_dir_that_is_a_file_exits_2(moto: None, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _invoke("scan", "--region", "eu-west-1", "-o", str(blocker / "out"), "-q")
    assert result.exit_code == 2
    assert "cannot create output directory" in result.output


def test_rules_file_that_does_not_load_exits_2(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz\n")
    result = _invoke("rules", "--rules-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "broken.py" in result.output and "failed to load" in result.output


def test_user_rules_dir_adds_rules(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(
        "from srmscan.rules_api import CUSTOMER, DATA, LOW, fail, passed, rule\n"
        "@rule(id='custom.bucket_has_team_tag', title='Bucket has a Team tag', resource_type='AWS::S3::Bucket',\n"
        "      owner=CUSTOMER, layer=DATA, severity=LOW, rationale='r', remediation='m',\n"
        "      failing={}, passing={})\n"
        "def team(r, inv):\n"
        "    return passed('tagged') if r.tags.get('Team') else fail('no Team tag')\n"
    )
    result = _invoke("rules", "--rules-dir", str(tmp_path), "--json")
    assert result.exit_code == 0
    ids = [r["id"] for r in json.loads(result.output)]
    assert "custom.bucket_has_team_tag" in ids and "s3.bucket_public_access_block" in ids


def test_duplicate_rule_id_exits_2(tmp_path: Path) -> None:
    (tmp_path / "dup.py").write_text(
        "from srmscan.rules_api import CUSTOMER, DATA, LOW, passed, rule\n"
        "@rule(id='s3.bucket_versioning', title='t', resource_type='AWS::S3::Bucket', owner=CUSTOMER, layer=DATA,\n"
        "      severity=LOW, rationale='r', remediation='m', failing={}, passing={})\n"
        "def dup(r, inv):\n    return passed('x')\n"
    )
    result = _invoke("rules", "--rules-dir", str(tmp_path))
    assert result.exit_code == 2 and "already defined" in result.output


def test_rules_lists_owner_layer_severity() -> None:
    result = _invoke("rules", "--json")
    rules = {r["id"]: r for r in json.loads(result.output)}
    bpa = rules["s3.bucket_public_access_block"]
    assert (bpa["owner"], bpa["layer"], bpa["severity"]) == ("customer", "service_config", "high")
    assert bpa["frameworks"]["fsbp"] == ["S3.8"]


def test_unknown_format_and_severity_exit_2(tmp_path: Path) -> None:
    assert _invoke("scan", "--format", "pdf", "-o", str(tmp_path), "-q").exit_code == 2
    assert _invoke("scan", "--fail-on", "catastrophic", "-o", str(tmp_path), "-q").exit_code == 2


def test_fail_on_sets_exit_code(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An account with no password policy fails iam.password_policy (medium): --fail-on medium -> 1."""
    ok = _invoke("scan", "--region", "eu-west-1", "-o", str(tmp_path / "a"), "-q", "--fail-on", "critical")
    # root MFA is 0 in moto -> a critical failure exists
    assert ok.exit_code == 1
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    crit = [f for f in report["findings"] if f["status"] == "fail" and f["severity"] == "critical"]
    assert crit
    session.client("iam").update_account_password_policy(MinimumPasswordLength=20)
    none = _invoke("scan", "--region", "eu-west-1", "-o", str(tmp_path / "b"), "-q")
    assert none.exit_code == 0


def test_scan_writes_requested_formats(moto: None, tmp_path: Path) -> None:
    result = _invoke("scan", "--region", "eu-west-1", "-o", str(tmp_path), "-f", "json", "-f", "csv", "-q")
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv", "report.json"]


def test_permissions_prints_read_only_policy() -> None:
    result = _invoke("permissions")
    policy = json.loads(result.output)
    actions = policy["Statement"][0]["Action"]
    assert "s3:GetAccountPublicAccessBlock" in actions
    # API Gateway's IAM actions are HTTP verbs: apigateway:GET is its read-only action (and the only verb here).
    assert all(
        a.split(":")[1].startswith(("Describe", "List", "Get", "Generate", "BatchGet", "Lookup"))
        or a == "apigateway:GET"
        for a in actions
    )


def test_all_regions_means_the_regions_the_account_enabled(aws) -> None:  # type: ignore[no-untyped-def]
    """moto lists not-opted-in regions (it ignores the opt-in filter); srmscan must skip them."""
    from srmscan.scan import resolve_regions

    regions = resolve_regions(aws, [], all_regions=True)
    assert {"eu-west-1", "us-east-1"} <= set(regions)
    assert "ap-east-1" not in regions  # opt-in region, not enabled
    assert regions == sorted(set(regions))


def test_default_region_is_the_profiles(aws) -> None:  # type: ignore[no-untyped-def]
    from srmscan.scan import resolve_regions

    assert resolve_regions(aws, [], all_regions=False) == ["eu-west-1"]
    assert resolve_regions(aws, ["us-east-1", "us-east-1", "eu-west-1"], all_regions=False) == [
        "us-east-1",
        "eu-west-1",
    ]
