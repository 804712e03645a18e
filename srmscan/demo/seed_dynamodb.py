"""DynamoDB and DAX: an orders table done right and a sessions table done in a hurry, and two DAX
caches in front of them (one encrypted at rest and in transit, one not).

The good table has point-in-time recovery, deletion protection, a customer managed KMS key and
an AWS Backup plan that selects it; the hurried one has none of these and a resource policy that
lets any principal read it. moto lacks backup:ListBackupSelections and GetBackupSelection;
`install` answers them with the demo's SIMULATED selection (the daily plan selects the orders
table by ARN), not something the scanner computes.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 55
REGION = "eu-west-1"
GOOD_TABLE = "acme-orders"
BAD_TABLE = "acme-sessions"
GOOD_CACHE = "acme-orders-cache"
BAD_CACHE = "acme-sessions-cache"
PLAN = "acme-daily"
SELECTION_ID = "demo-selection-0001"


def seed(world: DemoWorld) -> None:
    ddb = world.client("dynamodb", REGION)
    kms = world.client("kms", REGION)
    key = kms.create_key(Description="acme orders table key")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key)
    schema: dict[str, Any] = {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    ddb.create_table(
        TableName=GOOD_TABLE,
        DeletionProtectionEnabled=True,
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
        Tags=[{"Key": "Team", "Value": "payments"}, {"Key": "Environment", "Value": "prod"}],
        **schema,
    )
    ddb.update_continuous_backups(
        TableName=GOOD_TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    bad = ddb.create_table(
        TableName=BAD_TABLE, Tags=[{"Key": "Team", "Value": "web"}, {"Key": "Environment", "Value": "prod"}], **schema
    )["TableDescription"]["TableArn"]
    ddb.put_resource_policy(
        ResourceArn=bad,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ReadForDebugging",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                        "Resource": bad,
                    }
                ],
            }
        ),
    )
    world.client("backup", REGION).create_backup_plan(
        BackupPlan={"BackupPlanName": PLAN, "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "Default"}]}
    )
    dax = world.client("dax", REGION)
    role = f"arn:aws:iam::{DEMO_ACCOUNT}:role/acme-dax"
    dax.create_cluster(
        ClusterName=GOOD_CACHE,
        NodeType="dax.r5.large",
        ReplicationFactor=3,
        IamRoleArn=role,
        SSESpecification={"Enabled": True},
        ClusterEndpointEncryptionType="TLS",
        Tags=[{"Key": "Team", "Value": "payments"}],
    )
    dax.create_cluster(
        ClusterName=BAD_CACHE,
        NodeType="dax.t3.small",
        ReplicationFactor=1,
        IamRoleArn=role,
        Tags=[{"Key": "Team", "Value": "web"}],
    )
    world.ids["dynamodb_tables"] = [GOOD_TABLE, BAD_TABLE]


def install(events: Any, world: DemoWorld) -> None:
    """Answer the two AWS Backup calls moto lacks with the demo's simulated selection."""
    table_arn = f"arn:aws:dynamodb:{REGION}:{DEMO_ACCOUNT}:table/{GOOD_TABLE}"

    def selections(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # SIMULATED: the daily plan (created in the data region only) has one selection.
        return AWSResponse("", 200, {}, None), {"BackupSelectionsList": [_summary()]}

    def selection(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # SIMULATED: it selects the orders table by ARN; the sessions table is in no plan.
        return AWSResponse("", 200, {}, None), {
            "BackupSelection": {
                "SelectionName": "orders-table",
                "IamRoleArn": f"arn:aws:iam::{DEMO_ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole",
                "Resources": [table_arn],
            },
            "SelectionId": SELECTION_ID,
        }

    events.register("before-call.backup.ListBackupSelections", selections)
    events.register("before-call.backup.GetBackupSelection", selection)


def _summary() -> dict[str, Any]:
    return {
        "SelectionId": SELECTION_ID,
        "SelectionName": "orders-table",
        "IamRoleArn": f"arn:aws:iam::{DEMO_ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole",
    }
