"""Issue 10 defect 10: a public ACL grant that IgnorePublicAcls neutralises is said so, at low severity.

Shapes: GetBucketAcl is the recorded real response placebo/test_s3_grants/ (an AllUsers WRITE
grant); the bucket's GetPublicAccessBlock is the recorded placebo/test_s3_public_block_disable_one/
(IgnorePublicAcls on, BlockPublicAcls off), the account-level one the harness default (no
configuration, NoSuchPublicAccessBlockConfiguration). ListBuckets follows the botocore model.
"""

from __future__ import annotations

from srmscan.model import Severity, Status
from tests.realworld.harness import Scenario

ACL = "placebo/test_s3_grants/s3.GetBucketAcl_1.json"
BPA_IGNORE = "placebo/test_s3_public_block_disable_one/s3.GetPublicAccessBlock_1.json"


def _run(ruleset, bucket_bpa: str | None):  # type: ignore[no-untyped-def]
    sc = Scenario("public ACL under Block Public Access", source="recorded S3 responses (module doc)")
    sc.answer("s3", "ListBuckets", {"Buckets": [{"Name": "b", "BucketRegion": "eu-west-1"}]}, source="botocore model")
    sc.recorded("s3", "GetBucketAcl", ACL)
    if bucket_bpa == "denied":
        sc.error("s3", "GetPublicAccessBlock", "AccessDenied", status=403, source="S3 API errors")
    elif bucket_bpa:
        sc.recorded("s3", "GetPublicAccessBlock", bucket_bpa)
    return sc.scan(ruleset).finding("s3.bucket_acl_public", "b")


def test_ignore_public_acls_neutralises_the_grant(ruleset) -> None:  # type: ignore[no-untyped-def]
    f = _run(ruleset, BPA_IGNORE)
    assert f.status is Status.FAIL and f.severity is Severity.LOW
    assert "WRITE to AllUsers" in f.message and "IgnorePublicAcls" in f.message


def test_without_block_public_access_the_grant_is_high(ruleset) -> None:  # type: ignore[no-untyped-def]
    f = _run(ruleset, None)
    assert f.status is Status.FAIL and f.severity is Severity.HIGH


def test_unreadable_block_public_access_is_not_taken_as_neutralising(ruleset) -> None:  # type: ignore[no-untyped-def]
    f = _run(ruleset, "denied")
    assert f.status is Status.FAIL and f.severity is Severity.HIGH
