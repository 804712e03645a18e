"""Account-wide settings: a trail, Config in one region only, a weak password policy, and no
Access Analyzer (an API moto lacks, so that check reports unknown, as it would if denied)."""

from __future__ import annotations

from srmscan.demo.account import DemoWorld

ORDER = 30
TRAIL_BUCKET = "acme-cloudtrail-logs"


def seed(world: DemoWorld) -> None:
    home = world.regions[0]
    s3 = world.client("s3", home)
    s3.create_bucket(Bucket=TRAIL_BUCKET, CreateBucketConfiguration={"LocationConstraint": home})
    s3.put_public_access_block(
        Bucket=TRAIL_BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    trail = world.client("cloudtrail", home)
    trail.create_trail(
        Name="org-audit", S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=True, EnableLogFileValidation=True
    )
    # Real AWS gives a new trail this default selector; moto leaves the selectors empty.
    trail.put_event_selectors(
        TrailName="org-audit", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    trail.start_logging(Name="org-audit")

    config = world.client("config", home)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{world.ids.get('account_id', '123456789012')}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": TRAIL_BUCKET})
    config.start_configuration_recorder(ConfigurationRecorderName="default")

    iam = world.client("iam", home)
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True)
    iam.create_account_alias(AccountAlias="acme-prod")
