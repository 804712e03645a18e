"""IAM identity rules on a seeded account: admin and direct policies, role trust (public, external
accounts, the trusted-accounts table), documents that do not parse, and the rules command's listing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.model import Status
from tests.helpers import by_rule, fail_operation, one
from tests.iamkit import _doc, _scan, _seed_users_only, _status, _trust

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
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


# --- data table override -------------------------------------------------------------------
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
