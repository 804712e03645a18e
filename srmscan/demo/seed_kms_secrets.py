"""KMS keys and Secrets Manager secrets: the keys and credentials the data services depend on.

Keys: a payments key done right (rotation on, account-only policy), an exports key whose policy
lets any principal decrypt, and an old reports key scheduled for deletion while an archive table
is still encrypted under it. Secrets: a rotated database credential, and a partner API key with no
rotation and a resource policy open to everyone. The partner key's description carries a canary
that must never reach any scanner output (descriptions are dropped at collection).
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 54
REGION = "eu-west-1"
# Must never appear in any scanner output: tests grep every report for it.
DESCRIPTION_CANARY = "demo-canary-secret-description-3141"
VALUE_CANARY = "demo-canary-secret-value-2718"


def seed(world: DemoWorld) -> None:
    _keys(world)
    _secrets(world)


def _policy(principal: Any, key_arn: str = "*") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Use",
                    "Effect": "Allow",
                    "Principal": {"AWS": principal},
                    "Action": ["kms:Decrypt", "kms:DescribeKey"] if principal == "*" else "kms:*",
                    "Resource": key_arn,
                }
            ],
        }
    )


def _keys(world: DemoWorld) -> None:
    kms = world.client("kms", REGION)
    root = f"arn:aws:iam::{DEMO_ACCOUNT}:root"
    good = kms.create_key(Description="acme payments", Policy=_policy(root))["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good)
    kms.create_alias(AliasName="alias/acme-payments", TargetKeyId=good)
    public = kms.create_key(Description="acme exports", Policy=_policy("*"))["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=public)
    kms.create_alias(AliasName="alias/acme-exports", TargetKeyId=public)
    old_key = kms.create_key(Description="acme old reports", Policy=_policy(root))["KeyMetadata"]
    old = old_key["Arn"]
    kms.create_alias(AliasName="alias/acme-old-reports", TargetKeyId=old)
    world.client("dynamodb", REGION).create_table(
        TableName="acme-reports-archive",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=True,
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": old},
        Tags=[{"Key": "Team", "Value": "analytics"}],
    )
    kms.schedule_key_deletion(KeyId=old_key["KeyId"], PendingWindowInDays=7)
    world.ids["kms_pending_deletion"] = old_key["KeyId"]


def _secrets(world: DemoWorld) -> None:
    sm = world.client("secretsmanager", REGION)
    sm.create_secret(
        Name="acme/orders-db/app",
        SecretString=json.dumps({"username": "orders_app", "password": VALUE_CANARY + "-a"}),
        Tags=[{"Key": "Team", "Value": "payments"}],
    )
    # moto records the rotation schedule, then fails to find the (absent) rotation function.
    with contextlib.suppress(ClientError):
        sm.rotate_secret(
            SecretId="acme/orders-db/app",
            RotationLambdaARN=f"arn:aws:lambda:{REGION}:{DEMO_ACCOUNT}:function:acme-rotate-postgres",
            RotationRules={"AutomaticallyAfterDays": 30},
        )
    partner = sm.create_secret(
        Name="acme/partner-api-key",
        Description=f"partner key; fallback {DESCRIPTION_CANARY}",
        SecretString=VALUE_CANARY,
        Tags=[{"Key": "Team", "Value": "partners"}],
    )["ARN"]
    sm.put_resource_policy(
        SecretId=partner,
        ResourcePolicy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
                ],
            }
        ),
    )


def install(events: Any, world: DemoWorld) -> None:
    """SIMULATED: moto dates the scheduled deletion from the wall clock; the demo dates it from its
    own clock, so two demo runs on one day report the same date."""
    key = world.ids.get("kms_pending_deletion")
    if not key:
        return

    def deletion_date(parsed: dict[str, Any], **_: Any) -> None:
        meta = parsed.get("KeyMetadata") or {}
        if meta.get("KeyId") == key and meta.get("DeletionDate"):
            meta["DeletionDate"] = world.now + timedelta(days=7)

    events.register("after-call.kms.DescribeKey", deletion_date)
