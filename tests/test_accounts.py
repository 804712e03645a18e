"""Many accounts: --role-arn, --org-role, --shard and `srmscan merge`, on moto's STS and Organizations.

moto's AssumeRole issues credentials for any role ARN and maps them to the ARN's account, and
every moto backend is per account, so each member account really is a separate, empty account
that the tests seed through the role's credentials.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from srmscan.accounts import organization as accounts
from srmscan.accounts.merge import MergeError, load_report, merge_reports
from srmscan.accounts.organization import Account, assume_role, organization_accounts, parse_shard, scan_accounts, shard
from srmscan.cli import app
from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession, ScanSetupError
from srmscan.model import Status

PUBLIC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}],
}


def _as(account_id: str, role: str = "Audit") -> boto3.Session:
    """A seeding session inside a member account (through moto's AssumeRole)."""
    creds = boto3.client("sts", region_name="eu-west-1").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{role}", RoleSessionName="seed"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="eu-west-1",
    )


def _public_bucket(session: boto3.Session, name: str) -> None:
    s3 = session.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(PUBLIC).replace("arn:aws:s3:::x", f"arn:aws:s3:::{name}"))


def _org(session: boto3.Session, n: int = 3) -> list[str]:
    org = session.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = []
    for i in range(n):
        status = org.create_account(AccountName=f"member-{i}", Email=f"m{i}@example.com")["CreateAccountStatus"]
        ids.append(
            org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
        )
    return ids


def test_role_arn_scans_the_role_account_with_external_id_and_refreshes(session, aws: AwsSession, ruleset) -> None:
    _public_bucket(_as("111111111111"), "member-leaky")
    _public_bucket(session, "home-bucket")
    seen: list[dict[str, Any]] = []
    aws.events.register("before-parameter-build.sts.AssumeRole", lambda params, **_: seen.append(dict(params)))
    scanner = assume_role(aws, "arn:aws:iam::111111111111:role/Audit", external_id="ext-123")
    assert scanner.identity()[0] == "111111111111"
    inv = collect_inventory(scanner, ["eu-west-1"])
    assert inv.account_id == "111111111111"
    buckets = {r.id for r in inv.resources if r.type == "AWS::S3::Bucket"}
    assert buckets == {"member-leaky"}  # the role's account, not the caller's
    assert seen and seen[0]["ExternalId"] == "ext-123" and seen[0]["RoleArn"].endswith(":role/Audit")
    # Credentials about to expire are renewed by a new AssumeRole, not left to fail mid-scan.
    creds = scanner.session._session.get_credentials()
    calls = len(seen)
    # Simulate an hour passing: the session's credentials and the fetcher's cached copy near expiry.
    creds._expiry_time = datetime.now(UTC) + timedelta(seconds=30)
    creds._refresh_using.__self__._cache.clear()
    creds.get_frozen_credentials()
    assert len(seen) == calls + 1


def test_bad_role_arn_and_denied_assume_role_are_setup_errors(aws: AwsSession) -> None:
    with pytest.raises(ScanSetupError, match="not an IAM role ARN"):
        assume_role(aws, "arn:aws:iam::1:user/x")

    def deny(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "AssumeRole")

    aws.events.register("before-call.sts.AssumeRole", deny)
    with pytest.raises(ScanSetupError, match=r"cannot assume role .*AccessDenied"):
        assume_role(aws, "arn:aws:iam::111111111111:role/Audit")


def test_shard_slices_are_deterministic_disjoint_and_complete() -> None:
    accts = [Account(f"{i:012d}") for i in (5, 3, 9, 1, 7, 2, 8)]
    slices = [shard(list(reversed(accts)), i, 3) for i in range(3)]
    assert slices == [shard(accts, i, 3) for i in range(3)]  # input order does not matter
    ids = [a.id for s in slices for a in s]
    assert sorted(ids) == sorted(a.id for a in accts) and len(ids) == len(set(ids))
    assert parse_shard("1/4") == (1, 4)
    for bad in ("4/4", "x", "1/0", "-1/2"):
        with pytest.raises(ScanSetupError):
            parse_shard(bad)


def test_org_scan_isolates_a_failing_account_and_merges(session, aws: AwsSession, ruleset, tmp_path: Path) -> None:
    members = _org(session)
    _public_bucket(_as(members[0]), "member0-leaky")
    listed = organization_accounts(aws)
    assert {a.id for a in listed} >= set(members)

    def deny_one(params: dict[str, Any], **_: Any) -> None:
        if members[1] in params["RoleArn"]:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not trusted"}}, "AssumeRole")

    aws.events.register("before-parameter-build.sts.AssumeRole", deny_one)
    outcomes, merged = scan_accounts(
        aws,
        listed,
        "Audit",
        ruleset,
        regions=["eu-west-1"],
        all_regions=False,
        output_dir=tmp_path,
        formats=["json", "html"],
        concurrency=2,
    )
    by_id = {o.account.id: o for o in outcomes}
    assert by_id[members[1]].result is None and "AccessDenied" in (by_id[members[1]].error or "")
    for acct in (members[0], members[2]):
        assert by_id[acct].result is not None
        report = json.loads((tmp_path / acct / "report.json").read_text(encoding="utf-8"))
        assert report["account_id"] == acct
    assert not (tmp_path / members[1]).exists()
    on_disk = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(merged, default=str))
    assert on_disk["failed_accounts"] == [members[1]] and on_disk["partial"] is True
    assert {a["account_id"] for a in on_disk["accounts"]} == {a.id for a in listed}
    leaky = [f for f in on_disk["findings"] if f["rule_id"] == "s3.bucket_policy_public" and f["status"] == "fail"]
    assert [f["account_id"] for f in leaky] == [members[0]]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert members[1] in html and "could not be scanned" in html and "AccessDenied" in html
    assert f"{members[0]}/report.html" in html


def test_cli_org_shards_then_merge(session, tmp_path: Path) -> None:
    members = _org(session, n=4)
    for acct in members:
        _public_bucket(_as(acct), f"leaky-{acct}")
    runner = CliRunner()
    shard_dirs = []
    for i in range(2):
        out = tmp_path / f"shard-{i}"
        result = runner.invoke(
            app,
            ["scan", "--org-role", "Audit", "--shard", f"{i}/2", "-r", "eu-west-1", "-o", str(out), "-q"],
        )
        assert result.exit_code == 0, result.output
        shard_dirs.append(out)
    shard_accounts = [{a["account_id"] for a in load_report(d / "report.json")["accounts"]} for d in shard_dirs]
    assert not shard_accounts[0] & shard_accounts[1]
    final = tmp_path / "all"
    merge_args = ["merge", *(str(d / "report.json") for d in shard_dirs), "-o", str(final)]
    result = runner.invoke(app, merge_args)
    assert result.exit_code == 0, result.output
    merged = load_report(final / "report.json")
    assert {a["account_id"] for a in merged["accounts"]} == shard_accounts[0] | shard_accounts[1]
    assert set(members) <= shard_accounts[0] | shard_accounts[1]
    failing = {f["account_id"] for f in merged["findings"] if f["rule_id"] == "s3.bucket_policy_public"}
    assert set(members) <= failing
    assert merged["summary"]["total"] == sum(a["summary"]["total"] for a in merged["accounts"])
    # --shard alone is a usage error, as is a malformed slice.
    assert runner.invoke(app, ["scan", "--shard", "0/2", "-o", str(tmp_path / "x")]).exit_code == 2
    bad = ["scan", "--org-role", "Audit", "--shard", "2/2", "-o", str(tmp_path / "y")]
    assert runner.invoke(app, bad).exit_code == 2


def test_merge_keeps_the_latest_scan_of_an_account_and_rejects_other_files(tmp_path: Path) -> None:
    def report(finished: str, status: str) -> dict[str, Any]:
        return {
            "kind": "srmscan-report",
            "schema_version": 1,
            "account_id": "222222222222",
            "finished_at": finished,
            "findings": [{"id": "f1", "account_id": "222222222222", "status": status, "severity": "high"}],
            "errors": [],
        }

    merged = merge_reports([report("2026-01-02T00:00:00Z", "pass"), report("2026-01-01T00:00:00Z", "fail")])
    assert [f["status"] for f in merged["findings"]] == ["pass"]
    again = merge_reports([merged, report("2026-01-03T00:00:00Z", "fail")])
    assert [f["status"] for f in again["findings"]] == ["fail"] and len(again["accounts"]) == 1
    other = tmp_path / "inventory.json"
    other.write_text(json.dumps({"kind": "srmscan-inventory", "schema_version": 1}), encoding="utf-8")
    with pytest.raises(MergeError):
        load_report(other)
    result = CliRunner().invoke(app, ["merge", str(other), "-o", str(tmp_path / "m")])
    assert result.exit_code == 2


def test_merged_report_statuses_are_not_upgraded(session, aws: AwsSession, ruleset, tmp_path: Path) -> None:
    """An account scanned with a denied call keeps its unknowns in the merged report."""
    members = _org(session, n=1)
    _public_bucket(_as(members[0]), "denied-policy")

    def deny(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetBucketPolicy")

    original = accounts.assume_role

    def assume_and_deny(*args: Any, **kwargs: Any) -> AwsSession:
        scanner = original(*args, **kwargs)
        scanner.events.register("before-call.s3.GetBucketPolicy", deny)
        return scanner

    accounts.assume_role = assume_and_deny  # type: ignore[assignment]
    try:
        _, merged = scan_accounts(
            aws,
            [Account(members[0])],
            "Audit",
            ruleset,
            regions=["eu-west-1"],
            all_regions=False,
            output_dir=tmp_path,
            formats=["json"],
        )
    finally:
        accounts.assume_role = original  # type: ignore[assignment]
    policy = [f for f in merged["findings"] if f["rule_id"] == "s3.bucket_policy_public"]
    assert [f["status"] for f in policy] == [str(Status.UNKNOWN)]
    assert any(e["operation"] == "GetBucketPolicy" and e["account_id"] == members[0] for e in merged["errors"])


def _regional(region: str, finished: str, status: str, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "kind": "srmscan-report",
        "schema_version": 1,
        "account_id": "333333333333",
        "regions": [region],
        "finished_at": finished,
        "api_calls": 10,
        "findings": [
            {"id": f"f-{region}", "account_id": "333333333333", "region": region, "status": status, "severity": "high"},
            {"id": "f-iam", "account_id": "333333333333", "region": "global", "status": status, "severity": "low"},
            *(extra or []),
        ],
        "errors": [{"id": "E1", "region": region, "operation": "X"}],
    }


def test_merge_unions_regions_of_one_account_and_says_when_a_later_scan_wins(tmp_path: Path) -> None:
    eu = _regional("eu-west-1", "2026-01-01T10:00:00Z", "fail")
    us = _regional("us-east-1", "2026-01-01T11:00:00Z", "pass")
    merged = merge_reports([eu, us])
    (account,) = merged["accounts"]
    assert account["regions"] == ["eu-west-1", "us-east-1"] and account["api_calls"] == 20
    by_id = {f["id"]: f["status"] for f in merged["findings"]}
    assert by_id == {"f-eu-west-1": "fail", "f-us-east-1": "pass", "f-iam": "pass"}  # global: the later scan
    assert {e["region"] for e in merged["errors"]} == {"eu-west-1", "us-east-1"}
    assert [n for n in merged["notes"] if "region global" in n]  # the shared account-wide part is named
    assert not [n for n in merged["notes"] if "eu-west-1" in n]

    rerun = _regional("eu-west-1", "2026-01-02T09:00:00Z", "pass")
    again = merge_reports([merged, rerun])
    assert {f["id"]: f["status"] for f in again["findings"]}["f-eu-west-1"] == "pass"
    note = next(n for n in again["notes"] if "region eu-west-1" in n)
    assert "kept the scan finished 2026-01-02T09:00:00Z" in note and "2026-01-01T10:00:00Z" in note

    paths = []
    for n, report in enumerate((eu, us)):
        paths.append(tmp_path / f"r{n}.json")
        paths[-1].write_text(json.dumps(report), encoding="utf-8")
    result = CliRunner().invoke(app, ["merge", *map(str, paths), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "m" / "report.json").read_text(encoding="utf-8"))
    assert len(written["findings"]) == 3 and "region global" in result.output


def test_org_role_with_no_active_account_is_an_error_not_a_clean_scan(
    session, aws: AwsSession, ruleset, tmp_path: Path
) -> None:
    from srmscan.accounts.organization import org_scan
    from srmscan.collect.session import ScanSetupError

    _org(session, n=1)

    def suspend_all(parsed: dict[str, Any], **_: Any) -> None:
        for item in parsed.get("Accounts", []):
            item["Status"] = item["State"] = "SUSPENDED"

    aws.events.register("after-call.organizations.ListAccounts", suspend_all)
    common: dict[str, Any] = dict(
        role_name="Audit",
        ruleset=ruleset,
        regions=["eu-west-1"],
        all_regions=False,
        formats=["json"],
        external_id=None,
        owner_tags=("Team",),
        threshold=None,
        concurrency=1,
        say=lambda line: None,
    )
    with pytest.raises(ScanSetupError, match="no ACTIVE account"):
        org_scan(aws, output_dir=tmp_path / "none", shard_spec=None, **common)
    # An empty shard is normal (fewer accounts than shards): exit 0 with an empty merged report.
    assert org_scan(aws, output_dir=tmp_path / "slice", shard_spec="0/2", **common) == 0
