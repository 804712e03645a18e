"""IAM collection goes through GetAccountAuthorizationDetails only: a scan costs the same handful of
IAM calls whatever the number of users and roles, and follows the answer's markers.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.stub import Stubber

from srmscan.collect.session import AwsSession
from srmscan.model import Status
from tests.iamkit import USER_RULES, _doc, _scan, _status, _trust

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
