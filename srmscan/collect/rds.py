"""RDS: DB instances, clusters, manual snapshots and the maintenance AWS has queued for them.

The same listings return Amazon DocumentDB and Neptune instances and clusters (they share the
RDS API); they are typed by engine as AWS::DocDB::* and AWS::Neptune::* resources.

RDS is the managed tier: AWS patches the host OS and minor engine versions in the maintenance
window; the switches that decide whether and when (auto minor version upgrade, the window,
Multi-AZ) and every exposure setting are ours. One listing per region answers almost
everything: instances (which carry their subnet group's subnets), clusters, and pending
maintenance actions are each one paginated call; subnet groups are listed only when a cluster
needs its subnets resolved, and neither extra call is made in a region without databases.
Snapshot sharing is the exception: RDS has no batch API for snapshot attributes, so each
*manual* snapshot costs one DescribeDBSnapshotAttributes call (automated snapshots cannot be
shared, so they are not listed). Cluster snapshots are not collected yet.

Only whitelisted fields are kept. RDS never returns the master password, but we do not copy
raw describe output either, so nothing secret-shaped can ride along.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, fill, named_resource, tags_from
from srmscan.collect.registry import collector
from srmscan.model import Resource

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
SNAPSHOT = "AWS::RDS::DBSnapshot"
DOCDB_INSTANCE = "AWS::DocDB::DBInstance"
DOCDB_CLUSTER = "AWS::DocDB::DBCluster"
NEPTUNE_INSTANCE = "AWS::Neptune::DBInstance"
NEPTUNE_CLUSTER = "AWS::Neptune::DBCluster"

# DescribeDBInstances / DescribeDBClusters also answer for Amazon DocumentDB and Neptune, which
# share the RDS control plane: the engine tells them apart, and each gets its own resource type
# so that only the checks that apply to it judge it (see rules/docdb_neptune.py).
TYPES_BY_ENGINE = {
    "docdb": (DOCDB_INSTANCE, DOCDB_CLUSTER),
    "neptune": (NEPTUNE_INSTANCE, NEPTUNE_CLUSTER),
}
INSTANCE_TYPES = (INSTANCE, DOCDB_INSTANCE, NEPTUNE_INSTANCE)
CLUSTER_TYPES = (CLUSTER, DOCDB_CLUSTER, NEPTUNE_CLUSTER)


def types_for(engine: Any) -> tuple[str, str]:
    """(instance type, cluster type) for an engine name; RDS for every engine but the two above."""
    return TYPES_BY_ENGINE.get(str(engine or "").lower(), (INSTANCE, CLUSTER))


@collector(
    "rds",
    scope="regional",
    produces=(*INSTANCE_TYPES, *CLUSTER_TYPES, SNAPSHOT),
    actions=[
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "rds:DescribeDBSubnetGroups",
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBSnapshotAttributes",
        "rds:DescribePendingMaintenanceActions",
    ],
)
def collect_rds(c: Collection, region: str) -> None:
    # A failed listing leaves every engine's type unknown: the same call answers for all three.
    instances = c.listing("rds", region, "DescribeDBInstances", "DBInstances", gaps=INSTANCE_TYPES)
    clusters = c.listing("rds", region, "DescribeDBClusters", "DBClusters", gaps=CLUSTER_TYPES)
    found_instances = instances.entries()
    found_clusters = clusters.entries()
    # Regions without databases cost no further calls (and record no errors).
    pending = Answer(data=[])
    if found_instances or found_clusters:
        pending = c.pages("rds", region, "DescribePendingMaintenanceActions", "PendingMaintenanceActions")
    groups = Answer(data=[])
    if any(cl.get("DBSubnetGroup") for cl in found_clusters):
        groups = c.pages("rds", region, "DescribeDBSubnetGroups", "DBSubnetGroups")
    subnets_by_group = _subnets_by_group(groups.data) if groups.ok else {}

    for item in found_instances:
        c.add(_instance(c, region, item, pending))
    for item in found_clusters:
        c.add(_cluster(c, region, item, pending, groups, subnets_by_group))

    snapshots = c.listing("rds", region, "DescribeDBSnapshots", "DBSnapshots", gaps=(SNAPSHOT,), SnapshotType="manual")
    if snapshots.ok:
        c.fanout(lambda s: c.add(_snapshot(c, region, s)), snapshots.data)


def _database(region: str, item: dict[str, Any], rtype: str, ident: str, arn: str, pending: Answer) -> Resource:
    """What instances and clusters report alike; each caller adds its own members."""
    attrs = {
        "engine": item.get("Engine"),
        "engine_version": item.get("EngineVersion"),
        "publicly_accessible": bool(item.get("PubliclyAccessible")),
        "storage_encrypted": bool(item.get("StorageEncrypted")),
        "kms_key": item.get("KmsKeyId"),
        "backup_retention": int(item.get("BackupRetentionPeriod") or 0),
        "multi_az": bool(item.get("MultiAZ")),
        "deletion_protection": bool(item.get("DeletionProtection")),
        "maintenance_window": item.get("PreferredMaintenanceWindow"),
        "iam_auth": bool(item.get("IAMDatabaseAuthenticationEnabled")),
        "log_exports": [str(x) for x in item.get("EnabledCloudwatchLogsExports") or []],
    }
    res = named_resource(rtype, ident, region, arn, "managed", tags=tags_from(item.get("TagList")), attrs=attrs)
    fill(res, "pending_maintenance", pending, lambda data: _actions_for(data, arn))
    return res


def _instance(c: Collection, region: str, item: dict[str, Any], pending: Answer) -> Resource:
    ident = str(item.get("DBInstanceIdentifier"))
    arn = str(item.get("DBInstanceArn") or c.arn("rds", region, f"db:{ident}"))
    group = item.get("DBSubnetGroup") or {}
    res = _database(region, item, types_for(item.get("Engine"))[0], ident, arn, pending)
    res.attrs.update(
        instance_class=item.get("DBInstanceClass"),
        status=item.get("DBInstanceStatus"),
        auto_minor_version_upgrade=bool(item.get("AutoMinorVersionUpgrade")),
        availability_zone=item.get("AvailabilityZone"),
        subnet_group=group.get("DBSubnetGroupName"),
        vpc_id=group.get("VpcId"),
        subnet_ids=_subnet_ids(group),
        security_group_ids=[
            str(g.get("VpcSecurityGroupId")) for g in item.get("VpcSecurityGroups") or [] if isinstance(g, dict)
        ],
        backup_window=item.get("PreferredBackupWindow"),
        cluster_id=item.get("DBClusterIdentifier"),
        # A read replica names its source (an instance, or for Aurora-to-RDS replicas a cluster).
        replica_source=item.get("ReadReplicaSourceDBInstanceIdentifier")
        or item.get("ReadReplicaSourceDBClusterIdentifier"),
        replicas=[str(r) for r in item.get("ReadReplicaDBInstanceIdentifiers") or []],
    )
    if "PubliclyAccessible" not in item:
        # Recorded real answers exist without it; reading absent as False would pass the instance unseen.
        del res.attrs["publicly_accessible"]
        c.missing_member(res, "publicly_accessible", "rds", "DescribeDBInstances", "PubliclyAccessible")
    return res


def _cluster(
    c: Collection,
    region: str,
    item: dict[str, Any],
    pending: Answer,
    groups: Answer,
    subnets_by_group: dict[str, list[str]],
) -> Resource:
    ident = str(item.get("DBClusterIdentifier"))
    arn = str(item.get("DBClusterArn") or ident)
    group_name = item.get("DBSubnetGroup")
    res = _database(region, item, types_for(item.get("Engine"))[1], ident, arn, pending)
    res.attrs.update(
        engine_mode=item.get("EngineMode"),
        status=item.get("Status"),
        auto_minor_version_upgrade=item.get("AutoMinorVersionUpgrade"),
        availability_zones=[str(z) for z in item.get("AvailabilityZones") or []],
        subnet_group=group_name,
        members=[str(m.get("DBInstanceIdentifier")) for m in item.get("DBClusterMembers") or [] if isinstance(m, dict)],
        copy_tags_to_snapshot=bool(item.get("CopyTagsToSnapshot")),
        replica_source=item.get("ReplicationSourceIdentifier"),
    )
    # A cluster names its subnet group but not the subnets: those come from the one
    # DescribeDBSubnetGroups listing of the region.
    if group_name and groups.error is not None:
        res.unreadable["subnet_ids"] = groups.error.id
    else:
        res.attrs["subnet_ids"] = subnets_by_group.get(str(group_name), []) if group_name else []
    return res


def _snapshot(c: Collection, region: str, item: dict[str, Any]) -> Resource:
    ident = str(item.get("DBSnapshotIdentifier"))
    attrs = {
        "instance_id": item.get("DBInstanceIdentifier"),
        "engine": item.get("Engine"),
        "engine_version": item.get("EngineVersion"),
        "encrypted": bool(item.get("Encrypted")),
        "kms_key": item.get("KmsKeyId"),
        "snapshot_type": item.get("SnapshotType"),
        "created": _iso(item.get("SnapshotCreateTime")),
    }
    res = named_resource(
        SNAPSHOT, ident, region, item.get("DBSnapshotArn"), "managed", tags=tags_from(item.get("TagList")), attrs=attrs
    )
    attributes = c.call("rds", region, "DescribeDBSnapshotAttributes", DBSnapshotIdentifier=ident)
    fill(res, "restore_shared_with", attributes, _restore_values)
    return res


def _restore_values(data: dict[str, Any]) -> list[str]:
    """Who may restore (copy) the snapshot: account ids, or "all" when it is public."""
    result = data.get("DBSnapshotAttributesResult") or {}
    values: list[str] = []
    for attr in result.get("DBSnapshotAttributes") or []:
        if isinstance(attr, dict) and attr.get("AttributeName") == "restore":
            values.extend(str(v) for v in attr.get("AttributeValues") or [])
    return sorted(set(values))


def _subnet_ids(group: dict[str, Any]) -> list[str]:
    return [
        str(s.get("SubnetIdentifier"))
        for s in group.get("Subnets") or []
        if isinstance(s, dict) and s.get("SubnetIdentifier")
    ]


def _subnets_by_group(groups: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {str(g.get("DBSubnetGroupName")): _subnet_ids(g) for g in groups if isinstance(g, dict)}


def _actions_for(data: list[dict[str, Any]], arn: str) -> list[dict[str, Any]]:
    """The pending maintenance actions RDS lists for one resource, with every date it gives."""
    actions: list[dict[str, Any]] = []
    for entry in data or []:
        if not isinstance(entry, dict) or entry.get("ResourceIdentifier") != arn:
            continue
        for detail in entry.get("PendingMaintenanceActionDetails") or []:
            if not isinstance(detail, dict):
                continue
            actions.append(
                {
                    "action": str(detail.get("Action") or ""),
                    "description": str(detail.get("Description") or "")[:300],
                    "opt_in_status": detail.get("OptInStatus"),
                    "auto_applied_after": _iso(detail.get("AutoAppliedAfterDate")),
                    "forced_apply": _iso(detail.get("ForcedApplyDate")),
                    "current_apply": _iso(detail.get("CurrentApplyDate")),
                }
            )
    return actions


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
