"""Issue 11's gap: S3 bucket policies that grant accounts outside the trusted-account allow-list.

Shapes: every GetBucketPolicy answer is a recorded real response: a log bucket granting two other
accounts (placebo/test_s3_encrypt_policy/ _3), a bucket delegating to another account's access
points through `s3:DataAccessPointAccount` (placebo/test_s3_dataaccesspointaccount_cross_account/
_2) and a CloudTrail log bucket granting only the service (placebo/test_cloudtrail_enable/ _1).
ListBuckets follows the botocore model (BucketRegion is returned when MaxBuckets is sent).
The allow-list is the one the role-trust rules read (data/trusted_accounts.toml in a --rules-dir).
"""

from __future__ import annotations

from pathlib import Path

from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.model import Status
from tests.helpers import one
from tests.realworld.harness import Scenario

POLICIES = {
    "audit-logs": "placebo/test_s3_encrypt_policy/s3.GetBucketPolicy_3.json",
    "via-access-points": "placebo/test_s3_dataaccesspointaccount_cross_account/s3.GetBucketPolicy_2.json",
    "trail-logs": "placebo/test_cloudtrail_enable/s3.GetBucketPolicy_1.json",
}


def _inventory():  # type: ignore[no-untyped-def]
    sc = Scenario("bucket policies naming other accounts", source="recorded S3 responses (module doc)")
    buckets = [{"Name": n, "BucketRegion": "us-east-1"} for n in POLICIES]
    sc.answer("s3", "ListBuckets", {"Buckets": buckets}, source="botocore model ListBucketsOutput")
    for name, path in POLICIES.items():
        sc.recorded("s3", "GetBucketPolicy", path, when={"Bucket": name})
    run = sc.collect(regions=["us-east-1"], only={"s3"})
    assert run.collector_crashes() == []
    return run.inventory


def test_unlisted_accounts_are_reported_with_their_ids(ruleset) -> None:  # type: ignore[no-untyped-def]
    findings = evaluate(_inventory(), ruleset)
    audit = one(findings, "s3.bucket_policy_external_account", "audit-logs")
    assert audit.status is Status.FAIL and audit.evidence["accounts"] == ["086441151436", "113285607260"]
    points = one(findings, "s3.bucket_policy_external_account", "via-access-points")
    assert points.status is Status.FAIL and points.evidence["accounts"] == ["111111111111"]
    assert "s3:DataAccessPointAccount" in points.evidence["grants"][0]["principals"][0]
    trail = one(findings, "s3.bucket_policy_external_account", "trail-logs")
    assert trail.status is Status.PASS and "no other AWS account" in trail.message


def test_the_role_trust_allow_list_also_clears_bucket_grants(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "trusted_accounts.toml").write_text(
        'accounts = ["086441151436", "113285607260"]\n[names]\n"086441151436" = "CloudTrail (legacy)"\n',
        encoding="utf-8",
    )
    findings = evaluate(_inventory(), load_ruleset([tmp_path]))
    audit = one(findings, "s3.bucket_policy_external_account", "audit-logs")
    assert audit.status is Status.PASS and "CloudTrail (legacy)" in audit.message
    assert one(findings, "s3.bucket_policy_external_account", "via-access-points").status is Status.FAIL
