"""Incident 2: the marketing bucket whose Block Public Access was switched off "just for the
launch", with a public-read policy, next to a well-configured twin."""

from __future__ import annotations

import json

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 20
MARKETING = "acme-marketing-launch-assets"
PRIVATE = "acme-customer-uploads"
LOGS = "acme-access-logs"


def seed(world: DemoWorld) -> None:
    s3 = world.client("s3", "eu-west-1")
    loc = {"LocationConstraint": "eu-west-1"}
    for name in (MARKETING, PRIVATE, LOGS):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=loc)

    # The leaked bucket: BPA off at bucket level, no account-level BPA, public-read policy.
    s3.put_public_access_block(
        Bucket=MARKETING,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(
        Bucket=MARKETING,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PublicReadForLaunch",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{MARKETING}/*",
                    }
                ],
            }
        ),
    )
    s3.put_bucket_tagging(Bucket=MARKETING, Tagging={"TagSet": [{"Key": "Team", "Value": "marketing-web"}]})

    # The twin done right: BPA on, KMS default encryption, versioning, access logging.
    for name in (PRIVATE, LOGS):
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            },
        )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket=PRIVATE, Tagging={"TagSet": [{"Key": "Team", "Value": "platform"}]})
    s3.put_bucket_acl(Bucket=LOGS, ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket=PRIVATE,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": LOGS, "TargetPrefix": f"{PRIVATE}/"}},
    )
    world.ids["buckets"] = [MARKETING, PRIVATE, LOGS]
    world.ids["account_id"] = DEMO_ACCOUNT
