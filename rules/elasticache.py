"""ElastiCache: AWS runs the nodes and ships engine patches; whether they land, and everything about
exposure, encryption, authentication and backups, is ours.

Replication groups (Redis OSS / Valkey) carry the settings FSBP judges (failover, encryption,
AUTH); standalone cache clusters (Memcached, or a single Redis OSS / Valkey node outside any
group) are judged on their own. Clusters that belong to a group are judged through the group,
so a three-node group yields one finding, not three. A check that applies to both is one
declaration on the group with the standalone cluster as a second target (its own rule id,
texts and examples).
"""

from datetime import date

from srmscan.evaluate.settings import switch
from srmscan.rules_api import (
    CUSTOMER,
    DATA,
    HIGH,
    IAM,
    MEDIUM,
    RUNTIME,
    SERVICE_CONFIG,
    SHARED,
    Target,
    fail,
    passed,
    rule,
    unknown,
)

GROUP = "AWS::ElastiCache::ReplicationGroup"
CLUSTER = "AWS::ElastiCache::CacheCluster"
REDIS_LIKE = {"redis", "valkey"}


def _standalone(r):
    return not r.get("replication_group")


def _standalone_redis(r):
    return _standalone(r) and str(r.get("engine") or "").lower() in REDIS_LIKE


RETENTION = "Automatic backups are the only way back after a flush, a bad deploy or a failed node"
ENGINE_RATIONALE = """AWS builds and ships patches only for engine versions in standard support. After
the end of standard support a version gets fixes only under paid Extended Support, and AWS
eventually upgrades it on its own schedule. AWS carries the patching; choosing and upgrading
the version is our lever."""
ENGINE_FIX = """Upgrade the engine (for Redis OSS, moving to Valkey is supported in place):
aws elasticache modify-replication-group --replication-group-id ID --engine valkey
--engine-version 8.0 --apply-immediately (or modify-cache-cluster for a standalone cluster)."""
GROUP_ENGINE = {"engine": "redis", "engine_version": "5.0.6"}


# ----------------------------------------------------------------------------- groups and standalone clusters
# The same check on both: one declaration per check, with the standalone cluster as a second target.


@rule(
    id="elasticache.group_backups",
    title="ElastiCache replication group has automatic backups enabled",
    resource_type=GROUP,
    owner=CUSTOMER,
    layer=DATA,
    severity=HIGH,
    fsbp=["ElastiCache.1"],
    rationale=f"""{RETENTION} of a Redis OSS / Valkey replication group. AWS takes and stores the
    snapshots only if a retention period is set.""",
    remediation="""aws elasticache modify-replication-group --replication-group-id ID
    --snapshot-retention-limit 7 --apply-immediately""",
    failing={"snapshot_retention": 0},
    passing={"snapshot_retention": 7},
    also=[
        Target(
            CLUSTER,
            id="elasticache.cluster_backups",
            title="ElastiCache (Redis OSS / Valkey) cluster has automatic backups enabled",
            fsbp=["ElastiCache.1"],
            rationale=f"""{RETENTION} of a standalone Redis OSS / Valkey node. (Memcached has no backups.)""",
            remediation="""aws elasticache modify-cache-cluster --cache-cluster-id ID --snapshot-retention-limit 7
            --apply-immediately""",
            failing={"engine": "redis", "snapshot_retention": 0},
            passing={"engine": "redis", "snapshot_retention": 5},
            where=_standalone_redis,
        )
    ],
)
def backups(r, inv):
    days = r["snapshot_retention"]
    if days is None:
        return unknown("The answer did not report SnapshotRetentionLimit")
    if int(days) >= 1:
        return passed(f"Automatic backups are kept {days} day(s)", retention_days=days)
    return fail("Automatic backups are off (SnapshotRetentionLimit 0)", retention_days=days)


@rule(
    id="elasticache.group_auto_minor_upgrade",
    title="ElastiCache replication group applies minor engine upgrades automatically",
    resource_type=GROUP,
    owner=SHARED,
    layer=RUNTIME,
    severity=HIGH,
    fsbp=["ElastiCache.2"],
    rationale="""AWS releases minor engine versions with security fixes and applies them in the
    maintenance window, but only where auto minor version upgrade is on. With it off, every fix
    waits for someone on our side to upgrade by hand.""",
    remediation="""aws elasticache modify-replication-group --replication-group-id ID
    --auto-minor-version-upgrade --apply-immediately""",
    failing={"auto_minor_version_upgrade": False},
    passing={"auto_minor_version_upgrade": True},
    also=[
        Target(
            CLUSTER,
            id="elasticache.cluster_auto_minor_upgrade",
            title="ElastiCache cluster applies minor engine upgrades automatically",
            fsbp=["ElastiCache.2"],
            rationale="""AWS releases minor engine versions with security fixes and applies them in the
            maintenance window, but only where auto minor version upgrade is on.""",
            remediation="""aws elasticache modify-cache-cluster --cache-cluster-id ID --auto-minor-version-upgrade
            --apply-immediately""",
            failing={"auto_minor_version_upgrade": False},
            passing={"auto_minor_version_upgrade": True},
            where=_standalone,
        )
    ],
)
def auto_minor_upgrade(r, inv):
    return switch(
        r["auto_minor_version_upgrade"],
        unreported="The answer did not report AutoMinorVersionUpgrade",
        on="Auto minor version upgrade is on",
        off="Auto minor version upgrade is off: AWS's engine patches are not applied to it",
    )


@rule(
    id="elasticache.group_default_subnet_group",
    title="ElastiCache replication group does not use the default subnet group",
    resource_type=GROUP,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["ElastiCache.7"],
    rationale="""The default subnet group uses the default VPC's subnets, which are public by default:
    the cache then sits where any instance with a public route lives. Placement is our choice.""",
    remediation="""Create a subnet group with private subnets (aws elasticache create-cache-subnet-group)
    and recreate the cache in it from a backup.""",
    failing={"subnet_group": "default"},
    passing={"subnet_group": "cache-private"},
    also=[
        Target(
            CLUSTER,
            id="elasticache.cluster_default_subnet_group",
            title="ElastiCache cluster does not use the default subnet group",
            fsbp=["ElastiCache.7"],
            rationale="""The default subnet group uses the default VPC's subnets, which are public by default.
            Placement is our choice.""",
            remediation="""Create a subnet group with private subnets and recreate the cluster in it.""",
            failing={"subnet_group": "default"},
            passing={"subnet_group": "cache-private"},
            where=_standalone,
        )
    ],
)
def default_subnet_group(r, inv):
    group = r["subnet_group"]
    if group is None:
        return unknown("The cache's subnet group was not reported")
    groups = group if isinstance(group, list) else [group]
    if "default" in groups:
        return fail("The cache uses the default subnet group", subnet_group=groups)
    return passed("The cache uses its own subnet group", subnet_group=groups)


@rule(
    id="elasticache.group_engine_supported",
    title="ElastiCache replication group runs an engine version in standard support",
    resource_type=GROUP,
    owner=SHARED,
    layer=RUNTIME,
    severity=MEDIUM,
    rationale=ENGINE_RATIONALE,
    remediation=ENGINE_FIX,
    failing=GROUP_ENGINE,
    passing={"engine": "valkey", "engine_version": "8.0.1"},
    also=[
        Target(
            CLUSTER,
            id="elasticache.cluster_engine_supported",
            title="ElastiCache cluster runs an engine version in standard support",
            failing={"engine": "redis", "engine_version": "4.0.10"},
            passing={"engine": "memcached", "engine_version": "1.6.22"},
            where=_standalone,
        )
    ],
)
def engine_supported(r, inv):
    engine = str(r.get("engine") or "").lower()
    version = r["engine_version"]
    if not engine or not version:
        return unknown("The engine or its version was not reported")
    major = str(version).split(".", 1)[0]
    today = inv.scan_time.date()
    for entry in inv.table("elasticache_engines").get("engine", []):
        if entry.get("engine") != engine or str(entry.get("major")) != major:
            continue
        eol = entry.get("end_of_life")
        if isinstance(eol, date) and today > eol:
            return fail(f"{engine} {version} is past end of life ({eol})", severity=HIGH, end_of_life=str(eol))
        end = entry.get("standard_end")
        if isinstance(end, date) and today > end:
            return fail(
                f"{engine} {version} left standard support on {end}: AWS now patches it only under paid "
                "Extended Support, and will upgrade it itself at the end of that",
                standard_end=str(end),
            )
        if isinstance(end, date):
            return passed(f"{engine} {version} is in standard support until {end}", standard_end=str(end))
    return passed(f"{engine} {version} is in standard support (no end date announced)", version=version)


# ----------------------------------------------------------------------------- replication groups only


@rule(
    id="elasticache.group_automatic_failover",
    title="ElastiCache replication group has automatic failover enabled",
    resource_type=GROUP,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["ElastiCache.3"],
    rationale="""AWS replaces failed nodes and patches them, which restarts nodes; without automatic
    failover a primary that fails or restarts takes writes down until it is back. The switch that
    decides whether we survive AWS's maintenance and hardware failures is ours.""",
    remediation="""Add a replica, then aws elasticache modify-replication-group --replication-group-id ID
    --automatic-failover-enabled --multi-az-enabled --apply-immediately""",
    failing={"automatic_failover": "disabled"},
    passing={"automatic_failover": "enabled"},
)
def group_automatic_failover(r, inv):
    state = r["automatic_failover"]
    if state is None:
        return unknown("The answer did not report AutomaticFailover")
    if state in ("enabled", "enabling"):
        return passed(f"Automatic failover is {state}", automatic_failover=state)
    return fail(f"Automatic failover is {state}", automatic_failover=state)


@rule(
    id="elasticache.group_encrypted_at_rest",
    title="ElastiCache replication group is encrypted at rest",
    resource_type=GROUP,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["ElastiCache.4"],
    rationale="""At-rest encryption covers the data on disk during sync, swap and backups (including
    snapshots in S3). It is chosen when the group is created; AWS does not turn it on for us.""",
    remediation="""Create an encrypted group from a backup (aws elasticache create-replication-group ...
    --at-rest-encryption-enabled --snapshot-name SNAP), move clients, delete the old group.""",
    failing={"at_rest_encryption": False},
    passing={"at_rest_encryption": True},
)
def group_encrypted_at_rest(r, inv):
    return switch(
        r["at_rest_encryption"],
        unreported="The answer did not report AtRestEncryptionEnabled",
        on="Encrypted at rest",
        off="Not encrypted at rest",
    )


@rule(
    id="elasticache.group_encrypted_in_transit",
    title="ElastiCache replication group encrypts traffic in transit (TLS)",
    resource_type=GROUP,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["ElastiCache.5"],
    rationale="""Without TLS, cache traffic (keys, values and any AUTH token) crosses the VPC in clear
    text between clients and nodes and between nodes. TLS is our setting.""",
    remediation="""aws elasticache modify-replication-group --replication-group-id ID
    --transit-encryption-enabled --transit-encryption-mode preferred, move clients to TLS, then
    set --transit-encryption-mode required.""",
    failing={"transit_encryption": False},
    passing={"transit_encryption": True},
)
def group_encrypted_in_transit(r, inv):
    return switch(
        r["transit_encryption"],
        unreported="The answer did not report TransitEncryptionEnabled",
        on="Encrypted in transit",
        off="Traffic to the cache is not encrypted in transit",
    )


@rule(
    id="elasticache.group_auth",
    title="ElastiCache replication group requires authentication (AUTH token or RBAC user group)",
    resource_type=GROUP,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["ElastiCache.6"],
    rationale="""Without an AUTH token or an RBAC user group, anything that can reach the port can read
    and overwrite every key; security groups are then the only control. Who may connect is ours.""",
    remediation="""Attach a user group (Redis OSS 6+ / Valkey): aws elasticache modify-replication-group
    --replication-group-id ID --user-group-ids-to-add GROUP, or set an AUTH token with
    --auth-token TOKEN --auth-token-update-strategy ROTATE (TLS must be on).""",
    failing={"auth_token": False, "user_groups": []},
    passing={"auth_token": False, "user_groups": ["app-users"]},
)
def group_auth(r, inv):
    groups = r["user_groups"]
    if groups:
        return passed("Access is controlled by RBAC user group(s): " + ", ".join(groups), user_groups=groups)
    return switch(
        r["auth_token"],
        unreported="The answer did not report AuthTokenEnabled",
        on="An AUTH token is required",
        off="No AUTH token and no RBAC user group: any client that reaches the port is let in",
    )
