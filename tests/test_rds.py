"""RDS collector and rules against moto in-process.

moto 5.2.5 does not implement rds:DescribePendingMaintenanceActions (in-process it raises
NotImplementedError). Tests that need pending actions answer that one call through a botocore
`before-call` event hook on `aws.events` (the same mechanism as the demo), and say so.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Severity, Status
from tests.helpers import by_rule, fail_operation, one

REGION = "eu-west-1"
PASSWORD = "Sup3r-Secret-Master-Pw"


def _network(session: boto3.Session) -> dict[str, str]:
    """Two private and two public subnets (public ones route 0.0.0.0/0 to an internet gateway)."""
    ec2 = session.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ids = {}
    for name, cidr, zone in (("priv-a", "10.9.1.0/24", "a"), ("priv-b", "10.9.2.0/24", "b")):
        ids[name] = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=REGION + zone)["Subnet"]["SubnetId"]
    for name, cidr, zone in (("pub-a", "10.9.101.0/24", "a"), ("pub-b", "10.9.102.0/24", "b")):
        ids[name] = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=REGION + zone)["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for name in ("pub-a", "pub-b"):
        ec2.associate_route_table(RouteTableId=table, SubnetId=ids[name])
    rds = session.client("rds", region_name=REGION)
    rds.create_db_subnet_group(
        DBSubnetGroupName="private", DBSubnetGroupDescription="p", SubnetIds=[ids["priv-a"], ids["priv-b"]]
    )
    rds.create_db_subnet_group(
        DBSubnetGroupName="public", DBSubnetGroupDescription="p", SubnetIds=[ids["pub-a"], ids["pub-b"]]
    )
    return ids


def _databases(session: boto3.Session, *, bad_tags: list[dict[str, str]] | None = None) -> None:
    _network(session)
    rds = session.client("rds", region_name=REGION)
    common: dict[str, Any] = {
        "Engine": "postgres",
        "EngineVersion": "16.3",
        "DBInstanceClass": "db.t3.micro",
        "MasterUsername": "admin",
        "MasterUserPassword": PASSWORD,
        "AllocatedStorage": 20,
    }
    rds.create_db_instance(
        DBInstanceIdentifier="good",
        DBSubnetGroupName="private",
        PubliclyAccessible=False,
        StorageEncrypted=True,
        MultiAZ=True,
        BackupRetentionPeriod=7,
        AutoMinorVersionUpgrade=True,
        DeletionProtection=True,
        Tags=[{"Key": "Environment", "Value": "prod"}],
        **common,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="bad",
        DBSubnetGroupName="public",
        PubliclyAccessible=True,
        StorageEncrypted=False,
        MultiAZ=False,
        BackupRetentionPeriod=1,
        AutoMinorVersionUpgrade=False,
        DeletionProtection=False,
        Tags=bad_tags if bad_tags is not None else [{"Key": "env", "Value": "Production"}],
        **common,
    )


def _snapshots(session: boto3.Session) -> None:
    rds = session.client("rds", region_name=REGION)
    rds.create_db_snapshot(DBSnapshotIdentifier="good-snap", DBInstanceIdentifier="good")
    rds.create_db_snapshot(DBSnapshotIdentifier="bad-snap", DBInstanceIdentifier="bad")
    rds.create_db_snapshot(DBSnapshotIdentifier="partner-snap", DBInstanceIdentifier="good")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="bad-snap", AttributeName="restore", ValuesToAdd=["all"])
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="partner-snap", AttributeName="restore", ValuesToAdd=["210987654321"]
    )


def _scan(aws, ruleset, only=None):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only=only)
    return inv, evaluate(inv, ruleset)


def _pending_hook(aws: Any, actions: list[dict[str, Any]]) -> None:
    """moto lacks DescribePendingMaintenanceActions: answer it with a before-call hook."""

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("", 200, {}, None), {"PendingMaintenanceActions": actions}

    aws.events.register("before-call.rds.DescribePendingMaintenanceActions", answer)


def test_instance_done_right_passes_and_wrong_fails(session, aws, ruleset) -> None:
    _databases(session)
    inv, findings = _scan(aws, ruleset, only={"rds", "ec2"})
    expect_fail = {
        "rds.instance_public_access": Severity.CRITICAL,
        "rds.instance_public_subnet": Severity.CRITICAL,  # public subnet AND publicly accessible
        "rds.instance_storage_encrypted": Severity.MEDIUM,
        "rds.instance_backups": Severity.LOW,  # 1 day: on, but short
        "rds.instance_auto_minor_upgrade": Severity.HIGH,
        "rds.instance_multi_az": Severity.MEDIUM,  # tagged env=Production
        "rds.instance_deletion_protection": Severity.LOW,
    }
    for rule_id, severity in expect_fail.items():
        bad = one(findings, rule_id, "bad")
        assert (bad.status, bad.severity) == (Status.FAIL, severity), rule_id
        assert one(findings, rule_id, "good").status is Status.PASS, rule_id
    minor = one(findings, "rds.instance_auto_minor_upgrade", "bad")
    assert (minor.owner, minor.layer) == ("shared", "runtime")
    good = next(r for r in inv.resources if r.id == "good")
    assert good.tier == "managed" and good.attrs["engine"] == "postgres" and len(good.attrs["subnet_ids"]) == 2
    assert good.tags == {"Environment": "prod"}


def test_no_password_in_inventory_or_findings(session, aws, ruleset) -> None:
    _databases(session)
    _snapshots(session)
    inv, findings = _scan(aws, ruleset, only={"rds"})
    blob = json.dumps(inv.to_dict(), default=str) + json.dumps([f.to_dict() for f in findings], default=str)
    assert PASSWORD not in blob
    assert "MasterUserPassword" not in blob


def test_single_az_without_production_tag_is_low(session, aws, ruleset) -> None:
    """Untagged single-AZ databases are still reported, at low severity (documented choice)."""
    _databases(session, bad_tags=[])
    _, findings = _scan(aws, ruleset, only={"rds"})
    f = one(findings, "rds.instance_multi_az", "bad")
    assert (f.status, f.severity) == (Status.FAIL, Severity.LOW)
    assert f.evidence["production"] is False


def test_public_subnet_unknown_when_subnets_not_collected(session, aws, ruleset) -> None:
    """Without the EC2 collector the subnet facts are missing: unknown, never pass."""
    _databases(session)
    _, findings = _scan(aws, ruleset, only={"rds"})
    for db in ("good", "bad"):
        assert one(findings, "rds.instance_public_subnet", db).status is Status.UNKNOWN


def test_public_subnet_unknown_when_subnet_listing_denied(session, aws, ruleset) -> None:
    _databases(session)
    fail_operation(aws.events, "ec2", "DescribeSubnets", code="UnauthorizedOperation")
    _, findings = _scan(aws, ruleset, only={"rds", "ec2"})
    f = one(findings, "rds.instance_public_subnet", "good")
    assert f.status is Status.UNKNOWN and "ec2:DescribeSubnets" in (f.unknown_reason or "")


def test_public_snapshot_fails_private_and_named_share_pass(session, aws, ruleset) -> None:
    _databases(session)
    _snapshots(session)
    _inv, findings = _scan(aws, ruleset, only={"rds"})
    assert one(findings, "rds.snapshot_public", "bad-snap").status is Status.FAIL
    assert one(findings, "rds.snapshot_public", "good-snap").status is Status.PASS
    partner = one(findings, "rds.snapshot_public", "partner-snap")
    assert partner.status is Status.PASS and partner.evidence["shared_with"] == ["210987654321"]
    assert one(findings, "rds.snapshot_encrypted", "bad-snap").status is Status.FAIL
    assert one(findings, "rds.snapshot_encrypted", "good-snap").status is Status.PASS


def test_denied_snapshot_attributes_is_unknown(session, aws, ruleset) -> None:
    _databases(session)
    _snapshots(session)
    fail_operation(aws.events, "rds", "DescribeDBSnapshotAttributes")
    _inv, findings = _scan(aws, ruleset, only={"rds"})
    for snap in ("bad-snap", "good-snap", "partner-snap"):
        f = one(findings, "rds.snapshot_public", snap)
        assert f.status is Status.UNKNOWN
        assert "rds:DescribeDBSnapshotAttributes" in (f.unknown_reason or "")
    # The encryption verdict comes from the listing and is unaffected.
    assert one(findings, "rds.snapshot_encrypted", "bad-snap").status is Status.FAIL


def test_denied_instance_listing_is_unknown_not_absent(session, aws, ruleset) -> None:
    _databases(session)
    fail_operation(aws.events, "rds", "DescribeDBInstances")
    _inv, findings = _scan(aws, ruleset, only={"rds"})
    f = one(findings, "rds.instance_public_access")
    assert f.status is Status.UNKNOWN and f.resource_id == "*"
    assert not [x for x in findings if x.resource_type == "AWS::RDS::DBInstance" and x.status is Status.PASS]


def test_pending_maintenance_unsupported_is_unknown(session, aws, ruleset) -> None:
    """moto itself lacks DescribePendingMaintenanceActions: the rule must say unknown, with the call."""
    _databases(session)
    _, findings = _scan(aws, ruleset, only={"rds"})
    f = one(findings, "rds.instance_pending_maintenance", "good")
    assert f.status is Status.UNKNOWN
    assert "rds:DescribePendingMaintenanceActions" in (f.unknown_reason or "")


def test_pending_maintenance_reported_with_dates(session, aws, ruleset) -> None:
    """Pending actions come from a before-call hook (moto lacks the API)."""
    _databases(session)
    soon = datetime.now(UTC) + timedelta(days=5)
    _pending_hook(
        aws,
        [
            {
                "ResourceIdentifier": f"arn:aws:rds:{REGION}:123456789012:db:bad",
                "PendingMaintenanceActionDetails": [
                    {"Action": "system-update", "AutoAppliedAfterDate": soon, "Description": "OS update"}
                ],
            },
            {
                "ResourceIdentifier": f"arn:aws:rds:{REGION}:123456789012:db:good",
                "PendingMaintenanceActionDetails": [{"Action": "db-upgrade", "OptInStatus": "next-maintenance"}],
            },
        ],
    )
    inv, findings = _scan(aws, ruleset, only={"rds"})
    bad = one(findings, "rds.instance_pending_maintenance", "bad")
    assert (bad.status, bad.severity, bad.owner) == (Status.FAIL, Severity.MEDIUM, "shared")
    assert soon.date().isoformat() in bad.message and "system-update" in bad.message
    good = one(findings, "rds.instance_pending_maintenance", "good")
    assert (good.status, good.severity) == (Status.FAIL, Severity.LOW)  # pending but undated: visible, low
    assert "next-maintenance" in good.message
    pending = next(r for r in inv.resources if r.id == "bad").attrs["pending_maintenance"]
    assert [a["action"] for a in pending] == ["system-update"]  # the other resource's action is not mixed in


def test_call_budget_is_per_region_except_snapshot_attributes(session, aws, ruleset) -> None:
    _databases(session)
    _snapshots(session)
    calls: Counter[str] = Counter()
    aws.events.register("before-call.rds", lambda model, **_: calls.update([model.name]))
    _scan(aws, ruleset, only={"rds"})
    assert calls["DescribeDBSnapshotAttributes"] == 3  # no batch API: one per manual snapshot
    for op in ("DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots", "DescribePendingMaintenanceActions"):
        assert calls[op] == 1, op
    assert set(calls) <= {
        "DescribeDBInstances",
        "DescribeDBClusters",
        "DescribeDBSnapshots",
        "DescribeDBSnapshotAttributes",
        "DescribePendingMaintenanceActions",
        "DescribeDBSubnetGroups",
    }


def test_empty_region_costs_no_maintenance_call(aws, ruleset) -> None:
    calls: Counter[str] = Counter()
    aws.events.register("before-call.rds", lambda model, **_: calls.update([model.name]))
    inv, findings = _scan(aws, ruleset, only={"rds"})
    assert calls["DescribePendingMaintenanceActions"] == 0
    assert not [e for e in inv.errors if e.service == "rds"]
    assert not by_rule(findings, "rds.instance_pending_maintenance")


def test_cluster_settings_judged_on_the_cluster_not_its_members(session, aws, ruleset) -> None:
    _network(session)
    rds = session.client("rds", region_name=REGION)
    rds.create_db_cluster(
        DBClusterIdentifier="agg",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        DBSubnetGroupName="private",
        StorageEncrypted=False,
        DeletionProtection=False,
        BackupRetentionPeriod=1,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="agg-1",
        DBClusterIdentifier="agg",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r6g.large",
    )
    inv, findings = _scan(aws, ruleset, only={"rds"})
    for rule_id in ("rds.cluster_storage_encrypted", "rds.cluster_deletion_protection", "rds.cluster_backups"):
        assert one(findings, rule_id, "agg").status is Status.FAIL, rule_id
    cluster = next(r for r in inv.resources if r.id == "agg")
    assert len(cluster.attrs["subnet_ids"]) == 2  # resolved through DescribeDBSubnetGroups
    assert cluster.attrs["members"] == ["agg-1"]
    for rule_id in ("rds.instance_multi_az", "rds.instance_deletion_protection", "rds.instance_backups"):
        assert not by_rule(findings, rule_id, "agg-1"), rule_id
    assert PASSWORD not in json.dumps(inv.to_dict(), default=str)
