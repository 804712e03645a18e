"""IAM identities: collection through GetAccountAuthorizationDetails only, and the identity rules.

moto 5.2.5 dates every access key and password "now" and has no root row in the credential report.
Where a test needs old credentials it rewrites the credential report in an after-call hook: that is
simulated data, said so in each such test.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.model import ACCOUNT_TYPE, Finding, Resource, Status
from tests.helpers import by_rule, fail_operation, inventory, one

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
USER_RULES = ("iam.user_console_mfa", "iam.access_key_rotation", "iam.unused_credentials")
NEW_RULES = {
    "iam.user_console_mfa",
    "iam.access_key_rotation",
    "iam.unused_credentials",
    "iam.user_direct_policies",
    "iam.user_full_admin",
    "iam.group_full_admin",
    "iam.role_full_admin",
    "iam.role_trust_public",
    "iam.role_trust_external_account",
    "iam.root_hardware_mfa",
}
# Calls that would mean "one call per user / role / group / key": never allowed.
PER_PRINCIPAL_OPS = {
    "GetUser",
    "GetRole",
    "GetGroup",
    "ListUserPolicies",
    "ListRolePolicies",
    "ListGroupPolicies",
    "GetUserPolicy",
    "GetRolePolicy",
    "GetGroupPolicy",
    "ListAttachedUserPolicies",
    "ListAttachedRolePolicies",
    "ListAttachedGroupPolicies",
    "ListAccessKeys",
    "GetAccessKeyLastUsed",
    "ListMFADevices",
    "GetLoginProfile",
    "ListGroupsForUser",
    "GetPolicyVersion",
    "ListUserTags",
    "ListRoleTags",
}


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: Any, **extra: Any) -> str:
    return _doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


@pytest.fixture
def managed_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto loads AWS-managed policies (AdministratorAccess) only when asked, at backend creation."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def _seed(session: boto3.Session) -> None:
    iam = session.client("iam")
    iam.create_user(UserName="no-mfa", Tags=[{"Key": "Team", "Value": "marketing"}])
    iam.create_login_profile(UserName="no-mfa", Password="Demo-only-Passw0rd!")
    iam.create_user(UserName="admin-direct")
    iam.attach_user_policy(UserName="admin-direct", PolicyArn=ADMIN_ARN)
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    iam.create_user(UserName="inline-admin")
    iam.put_user_policy(
        UserName="inline-admin",
        PolicyName="everything",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    scoped = iam.create_policy(
        PolicyName="read-reports",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="analysts")
    iam.attach_group_policy(GroupName="analysts", PolicyArn=scoped)
    iam.create_user(UserName="analyst")
    iam.add_user_to_group(GroupName="analysts", UserName="analyst")
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN_ARN)
    iam.add_user_to_group(GroupName="admins", UserName="analyst")

    iam.create_role(RoleName="open-role", AssumeRolePolicyDocument=_trust({"AWS": "*"}))
    iam.create_role(
        RoleName="org-role",
        AssumeRolePolicyDocument=_trust(
            {"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}
        ),
    )
    iam.create_role(
        RoleName="extid-only-role",
        AssumeRolePolicyDocument=_trust({"AWS": "*"}, Condition={"StringEquals": {"sts:ExternalId": "x"}}),
    )
    iam.create_role(RoleName="vendor-role", AssumeRolePolicyDocument=_trust({"AWS": "arn:aws:iam::999988887777:root"}))
    iam.create_role(
        RoleName="vendor-extid",
        AssumeRolePolicyDocument=_trust(
            {"AWS": "111122223333"}, Condition={"StringEquals": {"sts:ExternalId": "shared-secret-id"}}
        ),
    )
    iam.create_role(RoleName="own-account", AssumeRolePolicyDocument=_trust({"AWS": "arn:aws:iam::123456789012:root"}))
    iam.create_role(RoleName="ec2-role", AssumeRolePolicyDocument=_trust({"Service": "ec2.amazonaws.com"}))
    iam.attach_role_policy(RoleName="ec2-role", PolicyArn=ADMIN_ARN)
    iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"}))
    iam.attach_role_policy(RoleName="app-role", PolicyArn=scoped)
    iam.generate_credential_report()  # so the scan does not wait a polling second


def _scan(aws: AwsSession, ruleset: Any = None, only: set[str] | None = None) -> tuple[Any, list[Finding]]:
    """Only the IAM collectors by default: the other services are not under test here."""
    only = only or {"account", "iam"}
    inv = collect_inventory(aws, ["eu-west-1"], only=only)
    return inv, evaluate(inv, ruleset or load_ruleset())


def _status(findings: list[Finding], rule_id: str, resource_id: str) -> Status:
    return one(findings, rule_id, resource_id).status


# --- call budget ---------------------------------------------------------------------------
def _count_iam_calls(session: boto3.Session, aws: AwsSession, users: int, roles: int, start: int = 0) -> Counter[str]:
    """Add `users` users (password, key, inline policy) and `roles` roles, then count a scan's IAM calls.

    The credential report is generated beforehand so that its polling costs the same every time."""
    iam = session.client("iam")
    for i in range(start, start + users):
        iam.create_user(UserName=f"user-{i:03d}")
        iam.create_login_profile(UserName=f"user-{i:03d}", Password="Demo-only-Passw0rd!")
        iam.create_access_key(UserName=f"user-{i:03d}")
        iam.put_user_policy(
            UserName=f"user-{i:03d}",
            PolicyName="p",
            PolicyDocument=_doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}),
        )
    for i in range(start, start + roles):
        iam.create_role(RoleName=f"role-{i:03d}", AssumeRolePolicyDocument=_trust({"Service": "ec2.amazonaws.com"}))
        iam.put_role_policy(
            RoleName=f"role-{i:03d}",
            PolicyName="p",
            PolicyDocument=_doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}),
        )
    iam.generate_credential_report()
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    aws.events.register("before-call.iam", count)
    inv, _ = _scan(aws, only={"account", "iam"})
    assert len([r for r in inv.resources if r.type == "AWS::IAM::User"]) == start + users
    assert len([r for r in inv.resources if r.type == "AWS::IAM::Role"]) == start + roles
    return calls


def test_iam_call_budget_30_users_30_roles(session: boto3.Session, aws: AwsSession) -> None:
    calls = _count_iam_calls(session, aws, users=30, roles=30)
    assert not set(calls) & PER_PRINCIPAL_OPS, calls
    assert calls["GetAccountAuthorizationDetails"] == 1
    # account collector: summary, password policy, aliases, virtual MFA, generate + get report.
    assert sum(calls.values()) <= 10, calls  # far below one call per principal (60 here)


def test_iam_call_count_does_not_depend_on_population(session: boto3.Session) -> None:
    """2 users and 2 roles cost exactly the calls that 30 of each cost. Both scans run on the same
    moto backend with fresh scanner sessions (moto returns one page whatever MaxItems says)."""
    two = _count_iam_calls(session, AwsSession(boto3.Session(region_name="eu-west-1")), users=2, roles=2, start=0)
    thirty = _count_iam_calls(session, AwsSession(boto3.Session(region_name="eu-west-1")), users=28, roles=28, start=2)
    assert two == thirty, (two, thirty)
    assert not set(two) & PER_PRINCIPAL_OPS


def test_authorization_details_follows_markers(aws: AwsSession) -> None:
    """Pagination is checked with botocore's Stubber because moto never truncates this answer."""
    client = aws.client("iam", "eu-west-1")
    stub = Stubber(client)
    base = {"Filter": ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"], "MaxItems": 1000}
    created = datetime(2026, 1, 1, tzinfo=UTC)

    def user(name: str) -> dict[str, Any]:
        return {"UserName": name, "UserId": "AIDA" + name.upper() * 16, "Arn": f"arn:aws:iam::123456789012:user/{name}",
                "Path": "/", "CreateDate": created}  # fmt: skip

    stub.add_response(
        "get_account_authorization_details", {"UserDetailList": [user("a")], "IsTruncated": True, "Marker": "m1"}, base
    )
    stub.add_response(
        "get_account_authorization_details",
        {"UserDetailList": [user("b")], "IsTruncated": False},
        {**base, "Marker": "m1"},
    )
    with stub:
        inv, findings = _scan(aws, only={"iam"})
    stub.assert_no_pending_responses()
    users = sorted(r.id for r in inv.resources if r.type == "AWS::IAM::User")
    assert users == ["a", "b"]
    # Without the account collector there is no credential report: never a pass.
    for rule_id in USER_RULES:
        assert _status(findings, rule_id, "a") is Status.UNKNOWN


# --- rules on seeded data ------------------------------------------------------------------
def test_identity_rules_on_seeded_account(managed_policies: None, session: boto3.Session, aws: AwsSession) -> None:
    _seed(session)
    inv, findings = _scan(aws)

    assert _status(findings, "iam.user_console_mfa", "no-mfa") is Status.FAIL
    assert _status(findings, "iam.user_console_mfa", "ci") is Status.PASS
    assert one(findings, "iam.user_console_mfa", "no-mfa").team == "marketing"

    assert _status(findings, "iam.user_full_admin", "admin-direct") is Status.FAIL
    assert one(findings, "iam.user_full_admin", "admin-direct").evidence["admin_policies"] == [
        {"kind": "aws-managed", "arn": ADMIN_ARN}
    ]
    assert _status(findings, "iam.user_full_admin", "inline-admin") is Status.FAIL
    assert _status(findings, "iam.user_full_admin", "analyst") is Status.PASS
    admins = one(findings, "iam.group_full_admin", "admins")
    assert admins.status is Status.FAIL and admins.evidence["members"] == ["analyst"]
    assert _status(findings, "iam.group_full_admin", "analysts") is Status.PASS
    assert _status(findings, "iam.role_full_admin", "ec2-role") is Status.FAIL
    assert _status(findings, "iam.role_full_admin", "app-role") is Status.PASS

    assert _status(findings, "iam.user_direct_policies", "admin-direct") is Status.FAIL
    assert _status(findings, "iam.user_direct_policies", "inline-admin") is Status.FAIL
    assert _status(findings, "iam.user_direct_policies", "analyst") is Status.PASS

    assert _status(findings, "iam.role_trust_public", "open-role") is Status.FAIL
    assert one(findings, "iam.role_trust_public", "open-role").severity == "critical"
    extid = one(findings, "iam.role_trust_public", "extid-only-role")
    assert extid.status is Status.FAIL and extid.severity == "high"
    assert _status(findings, "iam.role_trust_public", "org-role") is Status.PASS
    assert _status(findings, "iam.role_trust_public", "ec2-role") is Status.PASS

    vendor = one(findings, "iam.role_trust_external_account", "vendor-role")
    assert vendor.status is Status.FAIL and vendor.severity == "medium"
    assert vendor.evidence["accounts"] == ["999988887777"]
    guarded = one(findings, "iam.role_trust_external_account", "vendor-extid")
    assert guarded.status is Status.FAIL and guarded.severity == "low"
    assert _status(findings, "iam.role_trust_external_account", "own-account") is Status.PASS
    assert _status(findings, "iam.role_trust_external_account", "ec2-role") is Status.PASS

    # moto dates keys "now": a fresh key is neither old nor unused.
    assert _status(findings, "iam.access_key_rotation", "ci") is Status.PASS
    assert _status(findings, "iam.unused_credentials", "ci") is Status.PASS

    # Attached AWS-managed policies are collected (with their document); unattached ones are not.
    policies = {r.id: r for r in inv.resources if r.type == "AWS::IAM::Policy"}
    assert policies[ADMIN_ARN].attrs["managed_by"] == "aws"
    assert {"type": "user", "name": "admin-direct"} in policies[ADMIN_ARN].attrs["attached_to"]
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" not in policies
    assert all(r.region == "global" for r in inv.resources if r.type.startswith("AWS::IAM::"))


def _age_report(days_rotated: int, days_used: int | None, password_used_days: int | None) -> Any:
    """An after-call hook rewriting the credential report's dates: simulated data, as moto always
    reports credentials created "now"."""

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        now = datetime.now(UTC)
        lines = parsed["Content"].decode().splitlines()
        header = lines[0].split(",")
        out = [lines[0]]
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=True))
            if row["access_key_1_active"] == "true":
                row["access_key_1_last_rotated"] = (now - timedelta(days=days_rotated)).isoformat()
                row["access_key_1_last_used_date"] = (
                    (now - timedelta(days=days_used)).isoformat() if days_used is not None else "N/A"
                )
            if row["password_enabled"] == "true" and password_used_days is not None:
                row["password_last_used"] = (now - timedelta(days=password_used_days)).isoformat()
            out.append(",".join(row[h] for h in header))
        parsed["Content"] = ("\n".join(out) + "\n").encode()

    return rewrite


def test_old_and_unused_keys_fail(session: boto3.Session, aws: AwsSession) -> None:
    _seed_users_only(session)
    aws.events.register("after-call.iam.GetCredentialReport", _age_report(200, 120, 50))
    _, findings = _scan(aws, only={"account", "iam"})
    rotation = one(findings, "iam.access_key_rotation", "ci")
    assert rotation.status is Status.FAIL
    assert rotation.evidence["keys"][0]["age_days"] >= 199
    unused = one(findings, "iam.unused_credentials", "ci")
    assert unused.status is Status.FAIL and unused.severity == "medium"  # > 90 days: fails FSBP IAM.8 too
    # Password last used 50 days ago: fails the 45-day check only, at low severity.
    console = one(findings, "iam.unused_credentials", "no-mfa")
    assert console.status is Status.FAIL and console.severity == "low"


@pytest.mark.parametrize("age,expected", [(10, Status.PASS), (60, Status.FAIL)])
def test_never_used_key_counts_from_creation(
    session: boto3.Session, aws: AwsSession, age: int, expected: Status
) -> None:
    """A never-used key is judged by its creation date (simulated dates in the credential report)."""
    _seed_users_only(session)
    aws.events.register("after-call.iam.GetCredentialReport", _age_report(age, None, None))
    _, findings = _scan(aws, only={"account", "iam"})
    unused = one(findings, "iam.unused_credentials", "ci")
    assert unused.status is expected
    if expected is Status.FAIL:
        assert unused.severity == "low" and unused.evidence["stale"][0]["never_used"] is True
    assert _status(findings, "iam.access_key_rotation", "ci") is Status.PASS


def _seed_users_only(session: boto3.Session) -> None:
    iam = session.client("iam")
    iam.create_user(UserName="no-mfa")
    iam.create_login_profile(UserName="no-mfa", Password="Demo-only-Passw0rd!")
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    iam.create_user(UserName="plain")
    iam.generate_credential_report()  # so the scan does not wait a polling second


@pytest.mark.parametrize("operation", ["GetCredentialReport", "GenerateCredentialReport"])
def test_unreadable_credential_report_makes_credential_rules_unknown(
    session: boto3.Session, aws: AwsSession, operation: str
) -> None:
    _seed_users_only(session)
    fail_operation(aws.events, "iam", operation)
    _, findings = _scan(aws, only={"account", "iam"})
    for user in ("no-mfa", "ci", "plain"):
        for rule_id in USER_RULES:
            f = one(findings, rule_id, user)
            assert f.status is Status.UNKNOWN, (rule_id, user)
            assert f"iam:{operation}" in (f.unknown_reason or "")
            assert f.error_ids
        # Rules that do not need the report still decide.
        assert _status(findings, "iam.user_direct_policies", user) is Status.PASS


def test_denied_authorization_details_is_unknown_for_every_identity_rule(
    session: boto3.Session, aws: AwsSession
) -> None:
    _seed_users_only(session)
    fail_operation(aws.events, "iam", "GetAccountAuthorizationDetails")
    _, findings = _scan(aws, only={"account", "iam"})
    for rule_id in NEW_RULES - {"iam.root_hardware_mfa"}:
        found = by_rule(findings, rule_id)
        assert [f.status for f in found] == [Status.UNKNOWN], rule_id
        assert found[0].resource_id == "*"


def test_malformed_policies_are_never_a_pass(managed_policies: None, session: boto3.Session, aws: AwsSession) -> None:
    """The after-call hook garbles documents as a broken or hostile answer would (simulated data)."""
    _seed(session)

    def garble(parsed: dict[str, Any], **_: Any) -> None:
        for user in parsed.get("UserDetailList", []):
            if user["UserName"] == "analyst":
                user["UserPolicyList"] = [{"PolicyName": "broken", "PolicyDocument": '{"Statement": [ {"Eff'}]
        for role in parsed.get("RoleDetailList", []):
            if role["RoleName"] == "app-role":
                role["AssumeRolePolicyDocument"] = "%7B%22Statement%22%3A"
            if role["RoleName"] == "org-role":
                role["AssumeRolePolicyDocument"] = '{"Statement": "sts:AssumeRole"}'
            if role["RoleName"] == "ec2-role":
                role["AssumeRolePolicyDocument"] = '["not", "a", "policy object"]'

    aws.events.register("after-call.iam.GetAccountAuthorizationDetails", garble)
    inv, findings = _scan(aws)
    assert not [e for e in inv.errors if e.service == "iam"], inv.errors
    broken = one(findings, "iam.user_full_admin", "analyst")
    assert broken.status is Status.UNKNOWN
    assert broken.evidence["unreadable_policies"][0]["name"] == "broken"
    assert _status(findings, "iam.user_direct_policies", "analyst") is Status.FAIL
    for role in ("app-role", "ec2-role", "org-role"):
        trust = one(findings, "iam.role_trust_public", role)
        assert trust.status is Status.FAIL and "could not be parsed" in trust.message
        assert _status(findings, "iam.role_trust_external_account", role) is Status.UNKNOWN
    analyst = next(r for r in inv.resources if r.type == "AWS::IAM::User" and r.id == "analyst")
    assert analyst.attrs["inline_policies"][0]["malformed"]


def test_user_missing_from_credential_report_is_unknown(session: boto3.Session, aws: AwsSession) -> None:
    """A user created after the (cached) report was generated has no row: unknown, not pass.
    The row is removed by an after-call hook (simulated data)."""
    _seed_users_only(session)

    def drop_ci(parsed: dict[str, Any], **_: Any) -> None:
        lines = parsed["Content"].decode().splitlines()
        parsed["Content"] = "\n".join(line for line in lines if not line.startswith("ci,")).encode()

    aws.events.register("after-call.iam.GetCredentialReport", drop_ci)
    _, findings = _scan(aws, only={"account", "iam"})
    f = one(findings, "iam.user_console_mfa", "ci")
    assert f.status is Status.UNKNOWN and "no row" in f.message
    assert _status(findings, "iam.user_console_mfa", "no-mfa") is Status.FAIL


# --- data table override and the root hardware-MFA rule -------------------------------------
def test_trusted_accounts_table_is_overridden_by_rules_dir(
    session: boto3.Session, aws: AwsSession, tmp_path: Path
) -> None:
    session.client("iam").create_role(
        RoleName="vendor-role", AssumeRolePolicyDocument=_trust({"AWS": "arn:aws:iam::999988887777:root"})
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "trusted_accounts.toml").write_text(
        'accounts = ["999988887777"]\n[names]\n"999988887777" = "backup vendor"\n', encoding="utf-8"
    )
    inv = collect_inventory(aws, ["eu-west-1"], only={"iam"})
    assert _status(evaluate(inv, load_ruleset()), "iam.role_trust_external_account", "vendor-role") is Status.FAIL
    custom = one(evaluate(inv, load_ruleset([tmp_path])), "iam.role_trust_external_account", "vendor-role")
    assert custom.status is Status.PASS and "backup vendor" in custom.message


def _root(**attrs: Any) -> Resource:
    return Resource(type=ACCOUNT_TYPE, id="123456789012", region="global", attrs=attrs)


def test_root_hardware_mfa_states() -> None:
    rules = load_ruleset()
    virtual = _root(account_summary={"AccountMFAEnabled": 1}, root_virtual_mfa=True)
    hardware = _root(account_summary={"AccountMFAEnabled": 1}, root_virtual_mfa=False)
    unreadable = _root(account_summary={"AccountMFAEnabled": 1})
    unreadable.unreadable["root_virtual_mfa"] = "E1"
    statuses = [
        one(evaluate(inventory(r), rules), "iam.root_hardware_mfa").status for r in (virtual, hardware, unreadable)
    ]
    assert statuses == [Status.FAIL, Status.PASS, Status.UNKNOWN]
    # The virtual device finding is less severe than having no MFA at all (iam.root_mfa, critical).
    assert one(evaluate(inventory(virtual), rules), "iam.root_hardware_mfa").severity == "medium"


def test_key_age_uses_scan_time_not_clock() -> None:
    """Re-evaluating a saved inventory gives the same verdict: age is relative to `started_at`."""
    creds = {
        "password_enabled": False,
        "mfa_active": False,
        "access_keys": [{"slot": 1, "active": True, "last_rotated": "2026-09-01T00:00:00+00:00", "last_used": None}],
    }
    user = Resource(type="AWS::IAM::User", id="u", region="global", attrs={"credentials": creds})
    early = inventory(user)  # started 2026-11-24: 84 days old
    early.started_at = "2026-11-24T10:00:00Z"
    late = inventory(user)
    late.started_at = "2026-12-24T10:00:00Z"
    rules = load_ruleset()
    assert one(evaluate(early, rules), "iam.access_key_rotation", "u").status is Status.PASS
    assert one(evaluate(late, rules), "iam.access_key_rotation", "u").status is Status.FAIL


# --- the rules command ---------------------------------------------------------------------
def test_rules_command_lists_identity_rules() -> None:
    from srmscan.cli import app

    result = CliRunner().invoke(app, ["rules", "--json"])
    assert result.exit_code == 0, result.output
    listed = {r["id"]: r for r in json.loads(result.output)}
    assert NEW_RULES <= set(listed)
    for rule_id in NEW_RULES:
        assert listed[rule_id]["owner"] == "customer" and listed[rule_id]["layer"] == "iam"
    assert listed["iam.user_console_mfa"]["frameworks"] == {"fsbp": ["IAM.5"], "cis": ["1.10"]}
    assert listed["iam.user_full_admin"]["frameworks"]["fsbp"] == ["IAM.1"]
