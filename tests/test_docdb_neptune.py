"""DocumentDB and Neptune come back from the RDS listings; RDS read replicas and backups.

moto 5.2.5 rejects engine `docdb` (CreateDBCluster: "Engine 'docdb' is not supported") and lacks
DescribePendingMaintenanceActions, so the scenario answers the rds collector's calls with
botocore's Stubber, which validates every response against the botocore output shape. The
members come from responses recorded on real accounts (Cloud Custodian's placebo data):
the Neptune cluster from test_rdscluster_config/rds.DescribeDBClusters_1.json, the pending
action on a DocumentDB instance from test_rds_pending_maintenance/
rds.DescribePendingMaintenanceActions_1.json, the two read replicas from
test_rds_retention/rds.DescribeDBInstances_1.json; the DocumentDB cluster and instance follow
the botocore docdb model (AutoMinorVersionUpgrade "Does not apply", PubliclyAccessible "always
false"). Neptune, which moto does serve, is also checked end to end on moto.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.stub import Stubber

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Finding, Severity, Status
from tests.helpers import by_rule, one

REGION = "us-east-1"
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/b10f842a-feb7-4318-92d5-0640a75b7688"


def _instance(ident: str, engine: str, version: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "DBInstanceIdentifier": ident,
        "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{ident}",
        "DBInstanceClass": "db.r5.large",
        "Engine": engine,
        "EngineVersion": version,
        "DBInstanceStatus": "available",
        "PubliclyAccessible": False,
        "StorageEncrypted": True,
        "MultiAZ": False,
        "AutoMinorVersionUpgrade": True,
        "PreferredMaintenanceWindow": "sat:09:57-sat:10:27",
        "DeletionProtection": False,
        "TagList": [],
    }
    return {**base, **extra}


INSTANCES = [
    # DocumentDB: the model says AutoMinorVersionUpgrade does not apply; real answers carry False.
    _instance(
        "docdb-2020-08-05-07-53-40",
        "docdb",
        "4.0.0",
        AutoMinorVersionUpgrade=False,
        DBClusterIdentifier="docs",
        BackupRetentionPeriod=1,
    ),
    _instance("graph-1", "neptune", "1.0.4.0", AutoMinorVersionUpgrade=False, DBClusterIdentifier="graph"),
    # An RDS primary with backups off, and two read replicas (recorded shapes).
    _instance("qpsoa-primary", "postgres", "16.3", BackupRetentionPeriod=0),
    _instance(
        "qapipfitread",
        "postgres",
        "9.4.5",
        BackupRetentionPeriod=0,
        ReadReplicaSourceDBInstanceIdentifier="qapipfit",
    ),
    _instance(
        "qpsoaread",
        "mysql",
        "5.1.73b",
        BackupRetentionPeriod=1,
        ReadReplicaSourceDBInstanceIdentifier="qpsoa",
    ),
    _instance(
        "pg16read",
        "postgres",
        "16.3",
        BackupRetentionPeriod=0,
        ReadReplicaSourceDBInstanceIdentifier="qpsoa-primary",
    ),
]

CLUSTERS = [
    {
        # test_rdscluster_config/rds.DescribeDBClusters_1.json, second cluster (trimmed).
        "AllocatedStorage": 1,
        "AvailabilityZones": ["us-east-1d", "us-east-1e", "us-east-1a"],
        "BackupRetentionPeriod": 1,
        "DBClusterIdentifier": "graph",
        "DBClusterParameterGroup": "default.neptune1",
        "DBSubnetGroup": "default",
        "Status": "available",
        "MultiAZ": False,
        "Engine": "neptune",
        "EngineVersion": "1.0.4.0",
        "Port": 8182,
        "MasterUsername": "admin",
        "PreferredBackupWindow": "05:42-06:12",
        "PreferredMaintenanceWindow": "sat:09:57-sat:10:27",
        "ReadReplicaIdentifiers": [],
        "DBClusterMembers": [{"DBInstanceIdentifier": "graph-1", "IsClusterWriter": True}],
        "StorageEncrypted": True,
        "KmsKeyId": KEY,
        "DBClusterArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:graph",
        "IAMDatabaseAuthenticationEnabled": False,
        "ClusterCreateTime": datetime(2020, 11, 9, 15, 59, 7),
        "EnabledCloudwatchLogsExports": ["audit"],
        "EngineMode": "provisioned",
        "DeletionProtection": False,
        "CopyTagsToSnapshot": False,
        "TagList": [],
    },
    {
        "AvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
        "BackupRetentionPeriod": 1,
        "DBClusterIdentifier": "docs",
        "DBSubnetGroup": "default",
        "Status": "available",
        "MultiAZ": False,
        "Engine": "docdb",
        "EngineVersion": "4.0.0",
        "Port": 27017,
        "MasterUsername": "docadmin",
        "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
        "DBClusterMembers": [{"DBInstanceIdentifier": "docdb-2020-08-05-07-53-40", "IsClusterWriter": True}],
        "StorageEncrypted": False,
        "DBClusterArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:docs",
        "EnabledCloudwatchLogsExports": ["profiler"],
        "DeletionProtection": True,
        "TagList": [],
    },
]

PENDING = [
    {
        "ResourceIdentifier": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:docdb-2020-08-05-07-53-40",
        "PendingMaintenanceActionDetails": [
            {"Action": "system-update", "Description": "New Operating System upgrade is available"}
        ],
    }
]

GROUPS = [
    {
        "DBSubnetGroupName": "default",
        "DBSubnetGroupDescription": "default",
        "VpcId": "vpc-1",
        "SubnetGroupStatus": "Complete",
        "Subnets": [{"SubnetIdentifier": "subnet-efbcccb7", "SubnetStatus": "Active"}],
    }
]


def _scan(aws: Any, ruleset: Any) -> tuple[Any, list[Finding]]:
    client = aws.client("rds", REGION)
    stub = Stubber(client)
    stub.add_response("describe_db_instances", {"DBInstances": INSTANCES})
    stub.add_response("describe_db_clusters", {"DBClusters": CLUSTERS})
    stub.add_response("describe_pending_maintenance_actions", {"PendingMaintenanceActions": PENDING})
    stub.add_response("describe_db_subnet_groups", {"DBSubnetGroups": GROUPS})
    stub.add_response("describe_db_snapshots", {"DBSnapshots": []})
    with stub:
        inv = collect_inventory(aws, [REGION], only={"rds"})
        stub.assert_no_pending_responses()
    return inv, evaluate(inv, ruleset)


def test_documentdb_and_neptune_are_typed_by_engine(aws, ruleset) -> None:
    inv, findings = _scan(aws, ruleset)
    types = {r.id: r.type for r in inv.resources if r.region == REGION and r.type != "AWS::Account"}
    assert types["docs"] == "AWS::DocDB::DBCluster"
    assert types["docdb-2020-08-05-07-53-40"] == "AWS::DocDB::DBInstance"
    assert types["graph"] == "AWS::Neptune::DBCluster"
    assert types["graph-1"] == "AWS::Neptune::DBInstance"
    assert types["qpsoaread"] == "AWS::RDS::DBInstance"
    # No RDS rule judges them any more.
    for ident in ("docs", "docdb-2020-08-05-07-53-40", "graph", "graph-1"):
        assert not [f for f in findings if f.resource_id == ident and f.rule_id.startswith("rds.")], ident


def test_documentdb_is_judged_by_its_own_controls(aws, ruleset) -> None:
    _, findings = _scan(aws, ruleset)
    backups = one(findings, "docdb.cluster_backups", "docs")
    assert backups.status is Status.FAIL and backups.frameworks == {"fsbp": ["DocumentDB.2"]}
    assert one(findings, "docdb.cluster_storage_encrypted", "docs").status is Status.FAIL
    assert one(findings, "docdb.cluster_deletion_protection", "docs").status is Status.PASS
    audit = one(findings, "docdb.cluster_audit_logs", "docs")
    assert audit.status is Status.FAIL and "profiler" in audit.message
    # Auto minor version upgrade does not apply to DocumentDB: no finding either way.
    instance = [f for f in findings if f.resource_id == "docdb-2020-08-05-07-53-40" and f.status is not Status.INFO]
    assert {f.rule_id for f in instance} == {"docdb.instance_pending_maintenance"}
    pending = instance[0]
    assert pending.status is Status.FAIL and "system-update" in pending.message


def test_neptune_is_judged_by_its_own_controls(aws, ruleset) -> None:
    _, findings = _scan(aws, ruleset)
    expected = {
        "neptune.cluster_backups": (Status.FAIL, "Neptune.5"),
        "neptune.cluster_storage_encrypted": (Status.PASS, "Neptune.1"),
        "neptune.cluster_audit_logs": (Status.PASS, "Neptune.2"),
        "neptune.cluster_deletion_protection": (Status.FAIL, "Neptune.4"),
        "neptune.cluster_iam_auth": (Status.FAIL, "Neptune.7"),
        "neptune.cluster_multi_az": (Status.FAIL, "Neptune.9"),
    }
    for rule_id, (status, control) in expected.items():
        f = one(findings, rule_id, "graph")
        assert (f.status, f.frameworks.get("fsbp")) == (status, [control]), rule_id
    assert one(findings, "neptune.cluster_backups", "graph").severity == Severity.LOW  # 1 day: on, but short
    assert one(findings, "neptune.instance_auto_minor_upgrade", "graph-1").status is Status.FAIL
    assert one(findings, "neptune.instance_public_access", "graph-1").status is Status.PASS
    # AWS's side is stated for the new types too.
    assert [f for f in findings if f.resource_type == "AWS::Neptune::DBCluster" and f.status is Status.INFO]


def test_read_replicas_and_primaries_on_backups(aws, ruleset) -> None:
    _, findings = _scan(aws, ruleset)
    primary = one(findings, "rds.instance_backups", "qpsoa-primary")
    assert primary.status is Status.FAIL and primary.severity == Severity.MEDIUM
    old_pg = one(findings, "rds.instance_backups", "qapipfitread")
    assert old_pg.status is Status.INFO
    assert "Not applicable" in old_pg.message and "9.4.5" in old_pg.message
    assert old_pg.evidence["replica_of"] == "qapipfit"
    mysql = one(findings, "rds.instance_backups", "qpsoaread")
    assert mysql.status is Status.FAIL and mysql.severity == Severity.LOW
    assert "read replica of qpsoa" in mysql.message
    # PostgreSQL 14.1+ replicas can keep backups: failing, low, with the source's retention shown.
    new_pg = one(findings, "rds.instance_backups", "pg16read")
    assert new_pg.status is Status.FAIL and new_pg.severity == Severity.LOW
    assert new_pg.evidence["source_retention_days"] == 0


def test_neptune_on_moto_end_to_end(session, aws, ruleset) -> None:
    rds = session.client("rds", region_name="eu-west-1")
    rds.create_db_cluster(DBClusterIdentifier="kg", Engine="neptune", StorageEncrypted=True, DeletionProtection=True)
    inv = collect_inventory(aws, ["eu-west-1"], only={"rds"})
    cluster = next(r for r in inv.resources if r.id == "kg")
    assert cluster.type == "AWS::Neptune::DBCluster"
    findings = evaluate(inv, ruleset)
    assert one(findings, "neptune.cluster_deletion_protection", "kg").status is Status.PASS
    assert not by_rule(findings, "rds.cluster_deletion_protection", "kg")
