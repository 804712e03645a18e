"""The one judgement of which other accounts a policy grants, shared by role trust and bucket policies."""

from __future__ import annotations

from srmscan.evaluate.engine import evaluate
from srmscan.evaluate.policy import external_accounts, granted_accounts, has_restricting_condition
from srmscan.model import Resource, Status
from tests.helpers import inventory, one

OTHER = "999988887777"


def _doc(*statements):  # type: ignore[no-untyped-def]
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_principal_star_with_principal_account_condition_grants_that_account() -> None:
    s = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": OTHER}},
    }
    assert granted_accounts(s) == [(OTHER, f"* with aws:PrincipalAccount {OTHER}", True)]
    external, _ = external_accounts(_doc(s), "123456789012", set(), has_restricting_condition)
    assert external[OTHER]["guarded"] is False  # the condition is the grant, not a guard on it


def test_deny_and_negated_conditions_name_no_account() -> None:
    deny = {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "*"}
    negated = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": OTHER}},
    }
    assert granted_accounts(deny) == [] and granted_accounts(negated) == []


def test_role_trust_and_bucket_policy_judge_the_same_statement_alike(ruleset) -> None:  # type: ignore[no-untyped-def]
    s = {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": ["sts:AssumeRole", "s3:GetObject"]}
    policy = {"document": _doc(s), "malformed": None}
    role = Resource(type="AWS::IAM::Role", id="r", region="global", attrs={"trust_policy": policy})
    bucket = Resource(type="AWS::S3::Bucket", id="b", region="us-east-1", attrs={"policy": policy})
    findings = evaluate(inventory(role, bucket), ruleset)
    trust = one(findings, "iam.role_trust_external_account", "r")
    grant = one(findings, "s3.bucket_policy_external_account", "b")
    assert trust.status is grant.status is Status.FAIL
    assert trust.evidence["accounts"] == grant.evidence["accounts"] == [OTHER]
