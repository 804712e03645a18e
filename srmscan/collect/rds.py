"""RDS: DB instances, clusters, manual snapshots and the maintenance AWS has queued for them.

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

from srmscan.collect.context import Answer, Collection, fill, tags_from
from srmscan.collect.registry import collector
from srmscan.model import Resource

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
SNAPSHOT = "AWS::RDS::DBSnapshot"


@collector(
    "rds",
    scope="regional",
    produces=(INSTANCE, CLUSTER, SNAPSHOT),
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
    instances = c.pages("rds", region, "DescribeDBInstances", "DBInstances")
    clusters = c.pages("rds", region, "DescribeDBClusters", "DBClusters")
    found_instances = instances.data if instances.ok else []
    found_clusters = clusters.data if clusters.ok else []
    # Regions without databases cost no further calls (and record no errors).
    pending = Answer(data=[])
    if found_instances or found_clusters:
        pending = c.pages("rds", region, "DescribePendingMaintenanceActions", "PendingMaintenanceActions")
    groups = Answer(data=[])
    if any(cl.get("DBSubnetGroup") for cl in found_clusters if isinstance(cl, dict)):
        groups = c.pages("rds", region, "DescribeDBSubnetGroups", "DBSubnetGroups")
    subnets_by_group = _subnets_by_group(groups.data) if groups.ok else {}

    if instances.error is not None:
        c.gap(INSTANCE, region, instances)
    for item in found_instances:
        c.add(_instance(c, region, item, pending))
    if clusters.error is not None:
        c.gap(CLUSTER, region, clusters)
    for item in found_clusters:
        c.add(_cluster(region, item, pending, groups, subnets_by_group))

    snapshots = c.pages("rds", region, "DescribeDBSnapshots", "DBSnapshots", SnapshotType="manual")
    if snapshots.error is not None:
        c.gap(SNAPSHOT, region, snapshots)
    else:
        c.fanout(lambda s: c.add(_snapshot(c, region, s)), snapshots.data)


def _instance(c: Collection, region: str, item: dict[str, Any], pending: Answer) -> Resource:
    ident = str(item.get("DBInstanceIdentifier"))
    arn = str(item.get("DBInstanceArn") or c.arn("rds", region, f"db:{ident}"))
    group = item.get("DBSubnetGroup") or {}
    res = Resource(
        type=INSTANCE,
        id=ident,
        name=ident,
        region=region,
        arn=arn,
        tier="managed",
        tags=tags_from(item.get("TagList")),
        attrs={
            "engine": item.get("Engine"),
            "engine_version": item.get("EngineVersion"),
            "instance_class": item.get("DBInstanceClass"),
            "status": item.get("DBInstanceStatus"),
            "publicly_accessible": bool(item.get("PubliclyAccessible")),
            "storage_encrypted": bool(item.get("StorageEncrypted")),
            "kms_key": item.get("KmsKeyId"),
            "backup_retention": int(item.get("BackupRetentionPeriod") or 0),
            "auto_minor_version_upgrade": bool(item.get("AutoMinorVersionUpgrade")),
            "multi_az": bool(item.get("MultiAZ")),
            "deletion_protection": bool(item.get("DeletionProtection")),
            "availability_zone": item.get("AvailabilityZone"),
            "subnet_group": group.get("DBSubnetGroupName"),
            "vpc_id": group.get("VpcId"),
            "subnet_ids": _subnet_ids(group),
            "security_group_ids": [
                str(g.get("VpcSecurityGroupId")) for g in item.get("VpcSecurityGroups") or [] if isinstance(g, dict)
            ],
            "maintenance_window": item.get("PreferredMaintenanceWindow"),
            "backup_window": item.get("PreferredBackupWindow"),
            "cluster_id": item.get("DBClusterIdentifier"),
            "iam_auth": bool(item.get("IAMDatabaseAuthenticationEnabled")),
        },
    )
    if "PubliclyAccessible" not in item:
        # Recorded real answers exist without it; reading absent as False would pass the instance unseen.
        del res.attrs["publicly_accessible"]
        c.missing_member(res, "publicly_accessible", "rds", "DescribeDBInstances", "PubliclyAccessible")
    fill(res, "pending_maintenance", pending, lambda data: _actions_for(data, arn))
    return res


def _cluster(
    region: str,
    item: dict[str, Any],
    pending: Answer,
    groups: Answer,
    subnets_by_group: dict[str, list[str]],
) -> Resource:
    ident = str(item.get("DBClusterIdentifier"))
    arn = str(item.get("DBClusterArn") or ident)
    group_name = item.get("DBSubnetGroup")
    res = Resource(
        type=CLUSTER,
        id=ident,
        name=ident,
        region=region,
        arn=arn,
        tier="managed",
        tags=tags_from(item.get("TagList")),
        attrs={
            "engine": item.get("Engine"),
            "engine_version": item.get("EngineVersion"),
            "engine_mode": item.get("EngineMode"),
            "status": item.get("Status"),
            "publicly_accessible": bool(item.get("PubliclyAccessible")),
            "storage_encrypted": bool(item.get("StorageEncrypted")),
            "kms_key": item.get("KmsKeyId"),
            "backup_retention": int(item.get("BackupRetentionPeriod") or 0),
            "auto_minor_version_upgrade": item.get("AutoMinorVersionUpgrade"),
            "multi_az": bool(item.get("MultiAZ")),
            "availability_zones": [str(z) for z in item.get("AvailabilityZones") or []],
            "deletion_protection": bool(item.get("DeletionProtection")),
            "subnet_group": group_name,
            "members": [
                str(m.get("DBInstanceIdentifier")) for m in item.get("DBClusterMembers") or [] if isinstance(m, dict)
            ],
            "maintenance_window": item.get("PreferredMaintenanceWindow"),
        },
    )
    # A cluster names its subnet group but not the subnets: those come from the one
    # DescribeDBSubnetGroups listing of the region.
    if group_name and groups.error is not None:
        res.unreadable["subnet_ids"] = groups.error.id
    else:
        res.attrs["subnet_ids"] = subnets_by_group.get(str(group_name), []) if group_name else []
    fill(res, "pending_maintenance", pending, lambda data: _actions_for(data, arn))
    return res


def _snapshot(c: Collection, region: str, item: dict[str, Any]) -> Resource:
    ident = str(item.get("DBSnapshotIdentifier"))
    res = Resource(
        type=SNAPSHOT,
        id=ident,
        name=ident,
        region=region,
        arn=item.get("DBSnapshotArn"),
        tier="managed",
        tags=tags_from(item.get("TagList")),
        attrs={
            "instance_id": item.get("DBInstanceIdentifier"),
            "engine": item.get("Engine"),
            "engine_version": item.get("EngineVersion"),
            "encrypted": bool(item.get("Encrypted")),
            "kms_key": item.get("KmsKeyId"),
            "snapshot_type": item.get("SnapshotType"),
            "created": _iso(item.get("SnapshotCreateTime")),
        },
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
