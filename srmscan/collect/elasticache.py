"""ElastiCache: Redis OSS / Valkey replication groups and cache clusters (Memcached, Redis, Valkey).

Managed tier: AWS runs and patches the nodes and ships engine patches; whether a patch lands
(auto minor version upgrade), whether a node failure is an outage (automatic failover), and
encryption, AUTH/RBAC, backups and the network placement are ours.

Call budget: two paginated listings per region, DescribeReplicationGroups and
DescribeCacheClusters (pages of 100, the API maximum); nothing per resource. A replication
group does not carry its engine version or subnet group: both come from its member clusters in
the same cluster listing. Tags are not collected (ElastiCache has no batch tag call); team
ownership is therefore not shown for caches.

Absent members stay None (not reported): moto and older real answers omit several of them.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, named_resource
from srmscan.collect.registry import collector
from srmscan.model import Resource

REPLICATION_GROUP = "AWS::ElastiCache::ReplicationGroup"
CACHE_CLUSTER = "AWS::ElastiCache::CacheCluster"
PAGE = 100  # MaxRecords: 20..100


@collector(
    "elasticache",
    scope="regional",
    produces=(REPLICATION_GROUP, CACHE_CLUSTER),
    actions=["elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters"],
)
def collect_elasticache(c: Collection, region: str) -> None:
    clusters = c.listing(
        "elasticache",
        region,
        "DescribeCacheClusters",
        "CacheClusters",
        gaps=(CACHE_CLUSTER,),
        PaginationConfig={"PageSize": PAGE},
    )
    groups = c.listing(
        "elasticache",
        region,
        "DescribeReplicationGroups",
        "ReplicationGroups",
        gaps=(REPLICATION_GROUP,),
        PaginationConfig={"PageSize": PAGE},
    )
    members: dict[str, list[dict[str, Any]]] = {}
    if clusters.ok:
        for item in clusters.data:
            if not isinstance(item, dict):
                continue
            if item.get("ReplicationGroupId"):
                members.setdefault(str(item["ReplicationGroupId"]), []).append(item)
            c.add(_cluster(c, region, item))
    if groups.error is not None:
        return
    for item in groups.data:
        if isinstance(item, dict):
            res = _group(c, region, item, members.get(str(item.get("ReplicationGroupId")), []))
            if clusters.error is not None:
                res.unreadable["engine_version"] = clusters.error.id
                res.unreadable["subnet_group"] = clusters.error.id
            c.add(res)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def cluster_attrs(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "engine": item.get("Engine"),
        "engine_version": item.get("EngineVersion"),
        "status": item.get("CacheClusterStatus"),
        "node_type": item.get("CacheNodeType"),
        "replication_group": item.get("ReplicationGroupId"),
        "auto_minor_version_upgrade": _flag(item.get("AutoMinorVersionUpgrade")),
        "snapshot_retention": item.get("SnapshotRetentionLimit"),
        "subnet_group": item.get("CacheSubnetGroupName"),
        "at_rest_encryption": _flag(item.get("AtRestEncryptionEnabled")),
        "transit_encryption": _flag(item.get("TransitEncryptionEnabled")),
        "auth_token": _flag(item.get("AuthTokenEnabled")),
        "security_group_ids": [
            str(g.get("SecurityGroupId")) for g in item.get("SecurityGroups") or [] if isinstance(g, dict)
        ],
    }


def _cache_resource(
    c: Collection, region: str, rtype: str, item: dict[str, Any], ident: str, arn_kind: str, attrs: dict[str, Any]
) -> Resource:
    """A cache cluster or replication group: named by its id, its ARN the answer's own or else
    built as `arn_kind:id` (older answers leave ARN out)."""
    arn = str(item.get("ARN") or c.arn("elasticache", region, f"{arn_kind}:{ident}"))
    return named_resource(rtype, ident, region, arn, "managed", attrs=attrs)


def _cluster(c: Collection, region: str, item: dict[str, Any]) -> Resource:
    ident = str(item.get("CacheClusterId"))
    return _cache_resource(c, region, CACHE_CLUSTER, item, ident, "cluster", cluster_attrs(item))


def group_attrs(item: dict[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    versions = sorted({str(m.get("EngineVersion")) for m in members if m.get("EngineVersion")})
    subnet_groups = sorted({str(m.get("CacheSubnetGroupName")) for m in members if m.get("CacheSubnetGroupName")})
    return {
        # Replication groups are Redis OSS or Valkey; newer answers say which.
        "engine": item.get("Engine") or next((m.get("Engine") for m in members if m.get("Engine")), None),
        "engine_version": versions[-1] if versions else None,
        "status": item.get("Status"),
        "automatic_failover": item.get("AutomaticFailover"),
        "multi_az": item.get("MultiAZ"),
        "cluster_mode": item.get("ClusterMode") or ("enabled" if item.get("ClusterEnabled") else None),
        "auto_minor_version_upgrade": _flag(item.get("AutoMinorVersionUpgrade")),
        "snapshot_retention": item.get("SnapshotRetentionLimit"),
        "at_rest_encryption": _flag(item.get("AtRestEncryptionEnabled")),
        "transit_encryption": _flag(item.get("TransitEncryptionEnabled")),
        "auth_token": _flag(item.get("AuthTokenEnabled")),
        "user_groups": [str(u) for u in item.get("UserGroupIds") or []],
        "kms_key": item.get("KmsKeyId"),
        "members": [str(m) for m in item.get("MemberClusters") or []],
        "subnet_group": subnet_groups[0] if len(subnet_groups) == 1 else (subnet_groups or None),
    }


def _group(c: Collection, region: str, item: dict[str, Any], members: list[dict[str, Any]]) -> Resource:
    ident = str(item.get("ReplicationGroupId"))
    return _cache_resource(c, region, REPLICATION_GROUP, item, ident, "replicationgroup", group_attrs(item, members))
