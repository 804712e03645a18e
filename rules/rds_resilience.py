"""Whether an RDS, DocumentDB or Neptune database survives a mistake or a host failure.

Backups and deletion protection are ours alone: AWS keeps the storage durable, not our data
recoverable from our own mistakes. Multi-AZ is shared: AWS replaces failed hosts, our switch
decides whether that is a failover or an outage. Each check is declared once for every
resource type it applies to; on a cluster member instance these settings live on the cluster.

Read replicas: a replica's point-in-time recovery comes from its source's backups. Some engines
cannot keep automated backups on a replica at all (RDS for SQL Server; RDS for PostgreSQL before
14.1), so a replica of those is stated (info), never failed; other engines' replicas without
backups fail at low severity, since a replica promoted in a disaster starts with no backups.
AWS Config's db-instance-backup-enabled skips replicas unless asked (checkReadReplicas).

"Production" (for Multi-AZ severity) is read from the tags Environment / Env / Stage with a
value of prod, production, prd or live (case-insensitive). A single-AZ instance is reported
either way; without such a tag the finding is low severity rather than silent, because an
untagged database may well be production.
"""

from srmscan.model import Status
from srmscan.rules_api import (
    CUSTOMER,
    DATA,
    LOW,
    MEDIUM,
    PHYSICAL,
    SERVICE_CONFIG,
    SHARED,
    Example,
    Target,
    fail,
    info,
    passed,
    rule,
)

INSTANCE = "AWS::RDS::DBInstance"
DOCDB_CLUSTER = "AWS::DocDB::DBCluster"
CLUSTER = "AWS::RDS::DBCluster"
NEPTUNE_CLUSTER = "AWS::Neptune::DBCluster"

MIN_RETENTION_DAYS = 7
PROD_TAG_KEYS = {"environment", "env", "stage"}
PROD_VALUES = {"prod", "production", "prd", "live"}
REPLICA_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Overview.Differences.html"


def _standalone(r):
    """Instances outside a cluster: for cluster members these settings live on the cluster."""
    return not r.get("cluster_id")


def _is_production(tags):
    return any(k.strip().lower() in PROD_TAG_KEYS and str(v).strip().lower() in PROD_VALUES for k, v in tags.items())


def _version(text):
    parts = []
    for piece in str(text or "").split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) or None


def replica_backups_impossible(engine, version):
    """Why this engine's read replicas cannot keep automated backups, or None if they can."""
    engine = str(engine or "").lower()
    if engine.startswith("sqlserver"):
        return "RDS for SQL Server read replicas do not support automated backups"
    if engine == "postgres":
        parsed = _version(version)
        if parsed is not None and parsed < (14, 1):
            return f"RDS for PostgreSQL {version} read replicas cannot have automated backups (14.1 and later can)"
    return None


def _retention(r):
    days = int(r["backup_retention"])
    if days == 0:
        return fail("Automated backups are off (retention 0 days)", retention_days=0)
    if days < MIN_RETENTION_DAYS:
        return fail(
            f"Automated backups are kept {days} day(s), fewer than {MIN_RETENTION_DAYS}",
            severity=LOW,
            retention_days=days,
        )
    return passed(f"Automated backups are kept {days} days", retention_days=days)


def _replica(r, inv, verdict):
    """A failing verdict on a read replica, restated for what a replica can and need not do."""
    source = str(r.get("replica_source"))
    origin = inv.find(r.type, source.rsplit(":", 1)[-1])
    evidence = {**verdict.evidence, "replica_of": source, "docs": REPLICA_DOCS}
    if origin is not None and origin.readable("backup_retention"):
        evidence["source_retention_days"] = origin["backup_retention"]
    impossible = replica_backups_impossible(r.get("engine"), r.get("engine_version"))
    if impossible:
        return info(
            f"Not applicable: a read replica of {source}; {impossible}. Recovery comes from the source's backups",
            **evidence,
        )
    return fail(
        f"{verdict.message} on this read replica of {source}: the source's backups cover recovery today, "
        "but a replica promoted after losing the source starts without any",
        severity=LOW,
        **evidence,
    )


# The cluster forms of the instance checks below: (title, CLI flag, attribute, failing, passing).
_ON_CLUSTER = {
    "backups": ("keeps automated backups for at least 7 days", "--backup-retention-period 7", "backup_retention", 1, 7),
    "deletion_protection": (
        "has deletion protection enabled",
        "--deletion-protection",
        "deletion_protection",
        False,
        True,
    ),
}


def _on_cluster(check, resource_type, service, label, control=None):
    title, flag, attr, bad, good = _ON_CLUSTER[check]
    return Target(
        resource_type,
        id=f"{service}.cluster_{check}",
        title=f"{label} {title}",
        fsbp=[control] if control else [],
        remediation=f"CLI: aws {service} modify-db-cluster --db-cluster-identifier CLUSTER {flag} --apply-immediately",
        failing={attr: bad},
        passing={attr: good},
    )


@rule(
    id="rds.instance_backups",
    title="RDS DB instance keeps automated backups for at least 7 days",
    resource_type=INSTANCE,
    where=_standalone,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["RDS.11"],
    rationale="""AWS keeps the storage durable; it does not undo our mistakes. Point-in-time recovery
    after a bad migration, a deleted table or ransomware exists only within the backup retention
    we set, and retention 0 turns automated backups off entirely. A read replica's recovery comes
    from its source: where the engine cannot back up replicas this is stated, not failed.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --backup-retention-period 7
    --apply-immediately""",
    failing={"backup_retention": 1},
    passing={"backup_retention": 7},
    also=[
        _on_cluster("backups", CLUSTER, "rds", "RDS DB cluster"),
        _on_cluster("backups", DOCDB_CLUSTER, "docdb", "DocumentDB cluster", "DocumentDB.2"),
        _on_cluster("backups", NEPTUNE_CLUSTER, "neptune", "Neptune DB cluster", "Neptune.5"),
    ],
)
def backups(r, inv):
    verdict = _retention(r)
    if r.type == INSTANCE and r.get("replica_source") and verdict.status is not Status.PASS:
        return _replica(r, inv, verdict)
    return verdict


@rule(
    id="rds.instance_deletion_protection",
    title="RDS DB instance has deletion protection enabled",
    resource_type=INSTANCE,
    where=_standalone,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["RDS.8"],
    rationale="""Deletion protection stops a mistaken or malicious delete call, including one issued by
    automation that tears down the wrong stack; on a cluster it keeps every member instance and the
    cluster volume from going with it.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --deletion-protection
    --apply-immediately""",
    failing={"deletion_protection": False},
    passing={"deletion_protection": True},
    also=[
        _on_cluster("deletion_protection", CLUSTER, "rds", "RDS DB cluster", "RDS.7"),
        _on_cluster("deletion_protection", DOCDB_CLUSTER, "docdb", "DocumentDB cluster", "DocumentDB.5"),
        _on_cluster("deletion_protection", NEPTUNE_CLUSTER, "neptune", "Neptune DB cluster", "Neptune.4"),
    ],
)
def deletion_protection(r, inv):
    if r["deletion_protection"]:
        return passed("Deletion protection is on")
    return fail("Deletion protection is off")


@rule(
    id="rds.instance_multi_az",
    title="RDS DB instance is deployed across multiple Availability Zones",
    resource_type=INSTANCE,
    where=_standalone,
    owner=SHARED,
    layer=PHYSICAL,
    severity=MEDIUM,
    fsbp=["RDS.5"],
    rationale="""AWS maintains and replaces the hosts; Multi-AZ is our switch that decides whether a host
    failure, an OS patch or a scale change is a short failover or an outage. Databases tagged as
    production (Environment/Env/Stage = prod, production, prd, live) fail at medium severity;
    others are still reported, at low severity, because an untagged database may be production.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --multi-az
    --apply-immediately (or in the next maintenance window).""",
    failing=Example(attrs={"multi_az": False}, tags={"Environment": "prod"}),
    passing=Example(attrs={"multi_az": True}, tags={"Environment": "prod"}),
    also=[
        Target(
            NEPTUNE_CLUSTER,
            id="neptune.cluster_multi_az",
            title="Neptune DB cluster has instances in more than one Availability Zone",
            fsbp=["Neptune.9"],
            remediation="""Add a read replica instance in another Availability Zone (aws neptune
            create-db-instance --db-cluster-identifier CLUSTER --availability-zone AZ ...): Neptune
            promotes it when the primary fails.""",
            failing=Example(attrs={"multi_az": False}, tags={"Environment": "prod"}),
            passing=Example(attrs={"multi_az": True}, tags={"Environment": "prod"}),
        )
    ],
)
def multi_az(r, inv):
    if r["multi_az"]:
        return passed("Multi-AZ: a host or zone failure fails over")
    if _is_production(r.tags):
        return fail("A production database runs in a single Availability Zone", production=True)
    return fail(
        "The database runs in a single Availability Zone (not tagged as production)",
        severity=LOW,
        production=False,
    )
