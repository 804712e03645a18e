"""Defect 6: DescribeDBInstances / DescribeDBClusters also return DocumentDB and Neptune.

A whole `srmscan scan` replayed (tests/realworld/harness.py). Shapes: the Neptune cluster is the
recorded response test_rdscluster_config/rds.DescribeDBClusters_1.json (trimmed), the pending
action on a DocumentDB instance test_rds_pending_maintenance/rds.DescribePendingMaintenanceActions_1.json
(both Cloud Custodian placebo recordings under /work/shared/realworld/); the DocumentDB cluster and
instance follow botocore's docdb model (DBInstance.AutoMinorVersionUpgrade "Does not apply",
PubliclyAccessible "always false"). Before the fix every one of them was judged as RDS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from srmscan.model import Severity, Status
from tests.realworld.harness import Scenario

REGION = "us-east-1"
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/b10f842a-feb7-4318-92d5-0640a75b7688"
SOURCE = "recorded: placebo/test_rdscluster_config, placebo/test_rds_pending_maintenance; botocore docdb model"


def db_instance(ident: str, engine: str, version: str, **extra: Any) -> dict[str, Any]:
    """A DBInstance as DescribeDBInstances returns it (members from the recordings named above)."""
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
    db_instance(
        "docdb-2020-08-05-07-53-40",
        "docdb",
        "4.0.0",
        AutoMinorVersionUpgrade=False,
        DBClusterIdentifier="docs",
        BackupRetentionPeriod=1,
    ),
    db_instance("graph-1", "neptune", "1.0.4.0", AutoMinorVersionUpgrade=False, DBClusterIdentifier="graph"),
    db_instance("orders", "postgres", "16.3", BackupRetentionPeriod=7, DeletionProtection=True),
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


def databases() -> Scenario:
    sc = Scenario("DocumentDB and Neptune in the RDS listings", source=SOURCE)
    sc.answer("rds", "DescribeDBInstances", {"DBInstances": INSTANCES}, source="botocore docdb/neptune DBInstance")
    sc.answer("rds", "DescribeDBClusters", {"DBClusters": CLUSTERS}, source="recorded: test_rdscluster_config")
    sc.answer(
        "rds",
        "DescribePendingMaintenanceActions",
        {"PendingMaintenanceActions": PENDING},
        source="recorded: test_rds_pending_maintenance",
    )
    sc.answer("rds", "DescribeDBSubnetGroups", {"DBSubnetGroups": GROUPS}, source="botocore rds DBSubnetGroup")
    return sc


def test_documentdb_and_neptune_are_typed_by_engine(ruleset) -> None:
    run = databases().scan(ruleset, regions=[REGION])
    assert not run.collector_crashes()
    assert run.resource("AWS::DocDB::DBCluster", "docs")
    assert run.resource("AWS::DocDB::DBInstance", "docdb-2020-08-05-07-53-40")
    assert run.resource("AWS::Neptune::DBCluster", "graph")
    assert run.resource("AWS::Neptune::DBInstance", "graph-1")
    assert run.resource("AWS::RDS::DBInstance", "orders")
    assert run.result is not None
    for ident in ("docs", "docdb-2020-08-05-07-53-40", "graph", "graph-1"):
        judged_as_rds = [f for f in run.result.findings if f.resource_id == ident and f.rule_id.startswith("rds.")]
        assert not judged_as_rds, ident


def test_documentdb_is_judged_by_its_own_controls(ruleset) -> None:
    run = databases().scan(ruleset, regions=[REGION])
    backups = run.finding("docdb.cluster_backups", "docs")
    assert backups.status is Status.FAIL and backups.frameworks == {"fsbp": ["DocumentDB.2"]}
    assert run.finding("docdb.cluster_storage_encrypted", "docs").status is Status.FAIL
    assert run.finding("docdb.cluster_deletion_protection", "docs").status is Status.PASS
    audit = run.finding("docdb.cluster_audit_logs", "docs")
    assert audit.status is Status.FAIL and "profiler" in audit.message
    # Auto minor version upgrade does not apply to DocumentDB: no finding either way.
    assert run.result is not None
    instance = [
        f for f in run.result.findings if f.resource_id == "docdb-2020-08-05-07-53-40" and f.status is not Status.INFO
    ]
    assert {f.rule_id for f in instance} == {"docdb.instance_pending_maintenance"}
    assert instance[0].status is Status.FAIL and "system-update" in instance[0].message


def test_neptune_is_judged_by_its_own_controls(ruleset) -> None:
    run = databases().scan(ruleset, regions=[REGION])
    expected = {
        "neptune.cluster_backups": (Status.FAIL, "Neptune.5"),
        "neptune.cluster_storage_encrypted": (Status.PASS, "Neptune.1"),
        "neptune.cluster_audit_logs": (Status.PASS, "Neptune.2"),
        "neptune.cluster_deletion_protection": (Status.FAIL, "Neptune.4"),
        "neptune.cluster_iam_auth": (Status.FAIL, "Neptune.7"),
        "neptune.cluster_multi_az": (Status.FAIL, "Neptune.9"),
    }
    for rule_id, (status, control) in expected.items():
        f = run.finding(rule_id, "graph")
        assert (f.status, f.frameworks.get("fsbp")) == (status, [control]), rule_id
    assert run.finding("neptune.cluster_backups", "graph").severity == Severity.LOW  # 1 day: on, but short
    assert run.finding("neptune.instance_auto_minor_upgrade", "graph-1").status is Status.FAIL
    assert run.finding("neptune.instance_public_access", "graph-1").status is Status.PASS
    # The RDS instance beside them is still judged as RDS, and AWS's side is stated for Neptune.
    assert run.finding("rds.instance_backups", "orders").status is Status.PASS
    assert run.result is not None
    assert [f for f in run.result.findings if f.resource_type == "AWS::Neptune::DBCluster" and f.status is Status.INFO]
