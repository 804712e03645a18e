"""S3 reads every setting of every bucket concurrently, in batches of buckets."""

from __future__ import annotations

import boto3
import pytest

from srmscan.collect import s3 as s3_collector
from srmscan.collect.runner import collect_inventory

REGION = "eu-west-1"


def test_each_bucket_gets_its_own_settings_across_batches(
    session: boto3.Session, aws, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(s3_collector, "BUCKET_BATCH", 2)  # 5 buckets: batches of 2, 2 and 1
    s3 = session.client("s3", region_name=REGION)
    for i in range(5):
        name = f"batch-{i}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        if i % 2:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "n", "Value": str(i)}]})
    inv = collect_inventory(aws, [REGION], only={"s3"})
    buckets = {r.id: r for r in inv.resources if r.type == "AWS::S3::Bucket"}
    assert sorted(buckets) == [f"batch-{i}" for i in range(5)]
    for i in range(5):
        bucket = buckets[f"batch-{i}"]
        assert bucket.tags == {"n": str(i)}, "a bucket's answers must not land on another bucket"
        assert bucket.attrs["versioning"]["status"] == ("Enabled" if i % 2 else "Disabled")
        assert bucket.region == REGION and not bucket.unreadable
