"""S3 bucket regions on a real account: BucketRegion from a paginated ListBuckets, legacy locations.

Shapes: the S3 API reference for ListBuckets (BucketRegion is in the answer only when the request
carries a parameter such as MaxBuckets; without pagination, accounts over 10,000 buckets are
refused) and GetBucketLocation (null LocationConstraint for us-east-1, `EU` for old eu-west-1
buckets). Calls to a bucket through the wrong region's endpoint fail, as on S3 (PermanentRedirect,
or no such endpoint for a region named `EU`).
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.s3 import bucket_region
from srmscan.model import Status
from tests.realworld.harness import Scenario

LIST_DOC = "AWS S3 API reference: ListBuckets (BucketRegion, MaxBuckets, ContinuationToken)"
LOCATION_DOC = "AWS S3 API reference: GetBucketLocation (null = us-east-1, EU = eu-west-1)"
BUCKETS = {"old-eu-logs": "eu-west-1", "old-virginia": "us-east-1", "new-frankfurt": "eu-central-1"}
LEGACY = {"old-eu-logs": "EU", "old-virginia": None, "new-frankfurt": "eu-central-1"}
BUCKET_OPS = ("GetPublicAccessBlock", "GetBucketPolicy", "GetBucketAcl", "GetBucketEncryption", "GetBucketVersioning")


def real_list_buckets(params: dict[str, Any]) -> dict[str, Any]:
    """ListBuckets as S3 answers it: BucketRegion only for a paginated request."""
    paginated = any(k in params for k in ("MaxBuckets", "ContinuationToken", "Prefix", "BucketRegion"))
    buckets = [{"Name": n, **({"BucketRegion": r} if paginated else {})} for n, r in BUCKETS.items()]
    return {"Buckets": buckets, "Owner": {"ID": "c0ffee" * 10 + "abcd"}}


def s3_account(legacy_locations: bool = True) -> Scenario:
    sc = Scenario("S3 buckets in three regions", source=f"{LIST_DOC}; {LOCATION_DOC}")
    sc.answer("s3", "ListBuckets", real_list_buckets, source=LIST_DOC)
    for name, region in BUCKETS.items():
        location = LEGACY[name] if legacy_locations else region
        sc.answer(
            "s3", "GetBucketLocation", {"LocationConstraint": location}, when={"Bucket": name}, source=LOCATION_DOC
        )
        for op in BUCKET_OPS:
            # Through any other region's endpoint the bucket is unreachable; its own region answers.
            sc.error("s3", op, "PermanentRedirect", "The bucket you are attempting to access must be addressed "
                     "using the specified endpoint.", status=301, when={"Bucket": name}, source="S3 error codes")  # fmt: skip
            sc.answer(
                "s3",
                op,
                {"Status": "Enabled"} if op == "GetBucketVersioning" else _ok(op),
                when={"Bucket": name},
                region=region,
                source="S3 API reference",
            )
    return sc


def _ok(op: str) -> dict[str, Any]:
    if op == "GetPublicAccessBlock":
        flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        return {"PublicAccessBlockConfiguration": dict.fromkeys(flags, True)}
    if op == "GetBucketPolicy":
        return {"Policy": '{"Version":"2012-10-17","Statement":[]}'}
    if op == "GetBucketEncryption":
        return {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            }
        }
    return {"Owner": {"ID": "c0ffee" * 10 + "abcd"}, "Grants": []}


def test_list_buckets_is_paginated_and_no_location_call_is_needed(ruleset) -> None:  # type: ignore[no-untyped-def]
    run = s3_account().scan(ruleset)
    assert [p.get("MaxBuckets") for p in run.requests("s3", "ListBuckets")] == [10000]
    assert run.requests("s3", "GetBucketLocation") == []
    for name, region in BUCKETS.items():
        assert run.resource("AWS::S3::Bucket", name).region == region
        assert run.finding("s3.bucket_public_access_block", name).status is Status.PASS
        assert run.finding("s3.bucket_versioning", name).status is Status.PASS


def test_legacy_locations_map_to_real_regions_when_the_listing_has_no_region(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = s3_account()
    # An endpoint (or an older S3-compatible service) that leaves BucketRegion out of the listing.
    sc.answer("s3", "ListBuckets", {"Buckets": [{"Name": n} for n in BUCKETS]}, source=LIST_DOC + " (no BucketRegion)")
    run = sc.scan(ruleset)
    assert sorted(p["Bucket"] for p in run.requests("s3", "GetBucketLocation")) == sorted(BUCKETS)
    for name, region in BUCKETS.items():
        bucket = run.resource("AWS::S3::Bucket", name)
        assert bucket.region == region
        assert bucket.unreadable == {}, f"{name}: {bucket.unreadable}"
        assert run.finding("s3.bucket_public_access_block", name).status is Status.PASS


def test_bucket_region_names() -> None:
    assert bucket_region("EU") == "eu-west-1"
    assert bucket_region(None) == "us-east-1"
    assert bucket_region("") == "us-east-1"
    assert bucket_region("ap-southeast-2") == "ap-southeast-2"
