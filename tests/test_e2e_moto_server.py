"""End to end: moto_server as a separate endpoint, srmscan as a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.moto_server import moto_server

pytestmark = pytest.mark.e2e
ALL_ON = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)


def _seed(url: str) -> None:
    s3 = boto3.client("s3", endpoint_url=url, region_name="eu-west-1")
    s3.create_bucket(Bucket="e2e-public", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(
        Bucket="e2e-public",
        Policy=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::e2e-public/*",
                    }
                ]
            }
        ),
    )
    s3.create_bucket(Bucket="e2e-private", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_public_access_block(Bucket="e2e-private", PublicAccessBlockConfiguration=ALL_ON)
    s3control = boto3.client("s3control", endpoint_url=url, region_name="eu-west-1")
    # The seeding client needs the same host fix as the scanner; register it the same way.
    from srmscan.collect.session import _strip_account_label

    s3control.meta.events.register("before-send.s3-control", _strip_account_label)
    s3control.put_public_access_block(
        AccountId="123456789012",
        PublicAccessBlockConfiguration={**ALL_ON, "RestrictPublicBuckets": False},
    )


def test_cli_scans_moto_server_through_aws_endpoint_url(tmp_path: Path) -> None:
    with moto_server() as url:
        env = {**os.environ, "AWS_ENDPOINT_URL": url}
        os.environ["AWS_ENDPOINT_URL"] = url
        try:
            _seed(url)
        finally:
            del os.environ["AWS_ENDPOINT_URL"]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "srmscan",
                "scan",
                "--region",
                "eu-west-1",
                "--region",
                "us-east-1",
                "-f",
                "json",
                "-f",
                "html",
                "-o",
                str(tmp_path),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert proc.returncode == 0, proc.stderr
    assert "Findings by owner" in proc.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["schema_version"] == 2 and report["account_id"] == "123456789012"
    assert report["regions"] == ["eu-west-1", "us-east-1"]
    by = {(f["rule_id"], f["resource_id"]): f for f in report["findings"]}
    # s3control reached the endpoint (account id stripped from the host): the account setting was read.
    account_bpa = by[("s3.account_public_access_block", "123456789012")]
    assert account_bpa["status"] == "fail" and account_bpa["evidence"]["settings_off"] == ["RestrictPublicBuckets"]
    assert by[("s3.bucket_policy_public", "e2e-public")]["status"] == "fail"
    assert by[("s3.bucket_policy_public", "e2e-private")]["status"] == "pass"
    # Account-level BlockPublicPolicy is on, but RestrictPublicBuckets is off: the public policy is live.
    assert by[("s3.bucket_policy_public", "e2e-public")]["severity"] == "critical"
    assert not [e for e in report["errors"] if e["service"] == "s3control"]
    assert (tmp_path / "report.html").stat().st_size > 1000
