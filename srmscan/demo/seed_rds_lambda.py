"""The managed and serverless tiers: two Postgres databases (one done right, one not) and four
Lambda functions (current runtime, deprecated runtime, a secret in an environment variable, a
public resource policy).

moto lacks rds:DescribePendingMaintenanceActions and lambda:ListFunctionUrlConfigs; `install`
answers them through botocore event hooks. Those answers are the demo's SIMULATED account
data (a pending OS update on the badly configured database, one unauthenticated function URL),
not something the scanner computes.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 45
REGION = "eu-west-1"
GOOD_DB = "acme-orders-db"
BAD_DB = "acme-reporting-db"
PUBLIC_FN = "acme-partner-hook"
# Must never appear in any scanner output: tests grep every report for it.
CANARY = "demo-canary-lambda-5678"


def seed(world: DemoWorld) -> None:
    private_group, public_group = _network(world)
    _databases(world, private_group, public_group)
    _functions(world)


def _network(world: DemoWorld) -> tuple[str, str]:
    """A VPC with two private subnets and two public ones (routed to an internet gateway)."""
    ec2 = world.client("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "acme-data"}])
    subnets = {}
    for name, cidr, zone in (
        ("data-private-a", "10.40.1.0/24", "a"),
        ("data-private-b", "10.40.2.0/24", "b"),
        ("data-public-a", "10.40.101.0/24", "a"),
        ("data-public-b", "10.40.102.0/24", "b"),
    ):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        ec2.create_tags(Resources=[subnet], Tags=[{"Key": "Name", "Value": name}])
        subnets[name] = subnet
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for name in ("data-public-a", "data-public-b"):
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnets[name])

    rds = world.client("rds", REGION)
    rds.create_db_subnet_group(
        DBSubnetGroupName="acme-data-private",
        DBSubnetGroupDescription="private subnets only",
        SubnetIds=[subnets["data-private-a"], subnets["data-private-b"]],
    )
    rds.create_db_subnet_group(
        DBSubnetGroupName="acme-data-public",
        DBSubnetGroupDescription="created for a quick BI tool test",
        SubnetIds=[subnets["data-public-a"], subnets["data-public-b"]],
    )
    return "acme-data-private", "acme-data-public"


def _databases(world: DemoWorld, private_group: str, public_group: str) -> None:
    rds = world.client("rds", REGION)
    common = {
        "Engine": "postgres",
        "EngineVersion": "16.3",
        "DBInstanceClass": "db.t3.medium",
        "MasterUsername": "acme_admin",
        # The demo never outputs this; RDS describe calls do not return it either.
        "MasterUserPassword": "demo-not-a-real-password",
        "AllocatedStorage": 20,
    }
    rds.create_db_instance(
        DBInstanceIdentifier=GOOD_DB,
        DBSubnetGroupName=private_group,
        PubliclyAccessible=False,
        StorageEncrypted=True,
        MultiAZ=True,
        BackupRetentionPeriod=14,
        AutoMinorVersionUpgrade=True,
        DeletionProtection=True,
        PreferredMaintenanceWindow="sun:03:00-sun:03:30",
        Tags=[{"Key": "Environment", "Value": "prod"}, {"Key": "Team", "Value": "payments"}],
        **common,
    )
    rds.create_db_instance(
        DBInstanceIdentifier=BAD_DB,
        DBSubnetGroupName=public_group,
        PubliclyAccessible=True,
        StorageEncrypted=False,
        MultiAZ=False,
        BackupRetentionPeriod=1,
        AutoMinorVersionUpgrade=False,
        DeletionProtection=False,
        PreferredMaintenanceWindow="wed:22:00-wed:22:30",
        Tags=[{"Key": "Environment", "Value": "prod"}, {"Key": "Team", "Value": "analytics"}],
        **common,
    )
    rds.create_db_snapshot(DBSnapshotIdentifier=f"{GOOD_DB}-pre-migration", DBInstanceIdentifier=GOOD_DB)
    rds.create_db_snapshot(DBSnapshotIdentifier=f"{BAD_DB}-for-vendor", DBInstanceIdentifier=BAD_DB)
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier=f"{BAD_DB}-for-vendor", AttributeName="restore", ValuesToAdd=["all"]
    )
    world.ids["rds_instances"] = [GOOD_DB, BAD_DB]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


def _role(world: DemoWorld) -> str:
    iam = world.client("iam", REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    try:
        return str(
            iam.create_role(RoleName="acme-lambda-exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        )
    except ClientError:
        return str(iam.get_role(RoleName="acme-lambda-exec")["Role"]["Arn"])


def _functions(world: DemoWorld) -> None:
    lam = world.client("lambda", REGION)
    role = _role(world)
    code = _zip()
    functions: list[tuple[str, str, dict[str, str], dict[str, str]]] = [
        ("acme-thumbnailer", "python3.12", {"LOG_LEVEL": "info"}, {"Team": "media"}),
        ("acme-legacy-report", "python3.8", {"REPORT_BUCKET": "acme-reports"}, {"Team": "analytics"}),
        ("acme-billing-webhook", "python3.12", {"API_TOKEN": CANARY, "LOG_LEVEL": "warn"}, {"Team": "payments"}),
        (PUBLIC_FN, "nodejs22.x", {}, {"Team": "partners"}),
    ]
    for name, runtime, env, tags in functions:
        lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code},
            Environment={"Variables": env},
            Tags=tags,
        )
    lam.add_permission(
        FunctionName=PUBLIC_FN, StatementId="partner-invoke", Action="lambda:InvokeFunction", Principal="*"
    )
    world.ids["lambda_functions"] = [f[0] for f in functions]


# --------------------------------------------------------------------------- simulated answers


def install(events: Any, world: DemoWorld) -> None:
    """Answer the two APIs moto lacks with the demo's simulated data."""
    seeded = world.now

    def pending_maintenance(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # SIMULATED: AWS has queued an OS update for the badly configured database, applied
        # automatically in its window after a date 10 days out, plus an undated engine upgrade.
        arn = f"arn:aws:rds:{REGION}:{DEMO_ACCOUNT}:db:{BAD_DB}"
        actions = [
            {
                "ResourceIdentifier": arn,
                "PendingMaintenanceActionDetails": [
                    {
                        "Action": "system-update",
                        "Description": "New Operating System update is available",
                        "AutoAppliedAfterDate": seeded + timedelta(days=10),
                        "CurrentApplyDate": seeded + timedelta(days=10),
                    },
                    {
                        "Action": "db-upgrade",
                        "Description": "Minor engine version upgrade to 16.4 available",
                    },
                ],
            }
        ]
        return AWSResponse("", 200, {}, None), {"PendingMaintenanceActions": actions}

    def function_urls(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # SIMULATED: only the partner hook has a function URL, and it has no authentication.
        name = str(params.get("url_path", ""))  # /2021-10-31/functions/NAME/urls
        configs = []
        if PUBLIC_FN in name:
            configs.append(
                {
                    "FunctionUrl": "https://demo0partner0hook.lambda-url.eu-west-1.on.aws/",
                    "FunctionArn": f"arn:aws:lambda:{REGION}:{DEMO_ACCOUNT}:function:{PUBLIC_FN}",
                    "AuthType": "NONE",
                    "CreationTime": seeded.isoformat(),
                    "LastModifiedTime": seeded.isoformat(),
                }
            )
        return AWSResponse("", 200, {}, None), {"FunctionUrlConfigs": configs}

    events.register("before-call.rds.DescribePendingMaintenanceActions", pending_maintenance)
    events.register("before-call.lambda.ListFunctionUrlConfigs", function_urls)
