"""Public ACL grants under Block Public Access: IgnorePublicAcls neutralises them, unread settings do not."""

from __future__ import annotations

import boto3

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Severity, Status
from tests.helpers import fail_operation, one

REGION = "eu-west-1"


def _public_acl_bucket(session: boto3.Session, name: str, ignore_public_acls: bool) -> None:
    s3 = session.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    if ignore_public_acls:
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": False,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False,
            },
        )


def _scan(aws, ruleset):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only={"s3"})
    return evaluate(inv, ruleset)


def test_ignore_public_acls_neutralises_public_grants_at_low_severity(session, aws, ruleset) -> None:
    _public_acl_bucket(session, "ignored", ignore_public_acls=True)
    _public_acl_bucket(session, "exposed", ignore_public_acls=False)
    findings = _scan(aws, ruleset)
    ignored = one(findings, "s3.bucket_acl_public", "ignored")
    assert ignored.status is Status.FAIL and ignored.severity is Severity.LOW
    assert "neutralises" in ignored.message and "AllUsers" in ignored.message
    exposed = one(findings, "s3.bucket_acl_public", "exposed")
    assert exposed.status is Status.FAIL and exposed.severity is Severity.HIGH


def test_unreadable_block_public_access_does_not_neutralise(session, aws, ruleset) -> None:
    _public_acl_bucket(session, "ignored", ignore_public_acls=True)
    fail_operation(aws.events, "s3", "GetPublicAccessBlock")
    f = one(_scan(aws, ruleset), "s3.bucket_acl_public", "ignored")
    assert f.status is Status.FAIL and f.severity is Severity.HIGH
