"""RDS: AWS runs the hosts and patches the OS and minor engine versions; we hold the levers.

Exposure, encryption, backups and deletion protection are ours alone. Auto minor version
upgrade, the maintenance window and Multi-AZ are shared: AWS does the work, our switch decides
whether it happens (patches) or whether we survive it (a host failure or reboot).

"Production" (for Multi-AZ severity) is read from the tags Environment / Env / Stage with a
value of prod, production, prd or live (case-insensitive). A single-AZ instance is reported
either way; without such a tag the finding is low severity rather than silent, because an
untagged database may well be production.
"""

from datetime import date, datetime, timedelta

from srmscan.model import Resource
from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    DATA,
    HIGH,
    LOW,
    MEDIUM,
    OS_PATCHING,
    PHYSICAL,
    RUNTIME,
    SERVICE_CONFIG,
    SHARED,
    Example,
    fail,
    passed,
    rule,
    unknown,
)

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
SNAPSHOT = "AWS::RDS::DBSnapshot"
SUBNET = "AWS::EC2::Subnet"

MIN_RETENTION_DAYS = 7
MAINTENANCE_SOON_DAYS = 30
PROD_TAG_KEYS = {"environment", "env", "stage"}
PROD_VALUES = {"prod", "production", "prd", "live"}


def _standalone(r):
    """Instances outside a cluster: for cluster members these settings live on the cluster."""
    return not r.get("cluster_id")


def _is_production(tags):
    return any(k.strip().lower() in PROD_TAG_KEYS and str(v).strip().lower() in PROD_VALUES for k, v in tags.items())


def _subnet(subnet_id, public):
    return Resource(type=SUBNET, id=subnet_id, region="us-east-1", attrs={"public": public})


# ----------------------------------------------------------------------------- exposure


@rule(
    id="rds.instance_public_access",
    title="RDS DB instance is not publicly accessible",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=CRITICAL,
    fsbp=["RDS.2"],
    cis=["2.3.3"],
    rationale="""A publicly accessible instance gets a DNS name that resolves to a public IP; only its
    security groups and the database password then stand between the internet and the data.
    AWS runs the host; who can reach the endpoint is our setting.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --no-publicly-accessible
    --apply-immediately. Reach the database through private subnets, a VPN or a bastion instead.""",
    failing={"publicly_accessible": True},
    passing={"publicly_accessible": False},
)
def instance_public_access(r, inv):
    if r["publicly_accessible"]:
        return fail("The instance is publicly accessible (PubliclyAccessible=true)")
    return passed("The instance is not publicly accessible")


@rule(
    id="rds.instance_public_subnet",
    title="RDS DB instance's subnet group contains no public subnet",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    rationale="""A subnet is public when its route table sends 0.0.0.0/0 or ::/0 to an internet gateway.
    RDS may place or fail over the instance into any subnet of its group, so one public subnet is
    enough: a single PubliclyAccessible flag then exposes the database to the internet.""",
    remediation="""Create a DB subnet group with private subnets only (no route to an internet gateway)
    and move the instance to it: aws rds modify-db-instance --db-instance-identifier DB
    --db-subnet-group-name PRIVATE_GROUP (for a VPC change, restore from a snapshot).""",
    failing=Example(
        attrs={"subnet_ids": ["subnet-pub", "subnet-priv"], "publicly_accessible": True},
        related=(_subnet("subnet-pub", True), _subnet("subnet-priv", False)),
    ),
    passing=Example(
        attrs={"subnet_ids": ["subnet-a", "subnet-b"], "publicly_accessible": False},
        related=(_subnet("subnet-a", False), _subnet("subnet-b", False)),
    ),
)
def instance_public_subnet(r, inv):
    subnet_ids = r["subnet_ids"]
    if not subnet_ids:
        return unknown("The instance reports no subnets in its DB subnet group")
    inv.resources(SUBNET, r.region)  # raises Unreadable if the region's subnets could not be listed
    public, missing = [], []
    for subnet_id in subnet_ids:
        subnet = inv.find(SUBNET, subnet_id)
        if subnet is None or "public" not in subnet:
            missing.append(subnet_id)
        elif subnet["public"]:  # raises Unreadable if route tables could not be read
            public.append(subnet_id)
    if public:
        also = " and the instance is publicly accessible" if r.get("publicly_accessible") else ""
        return fail(
            f"The DB subnet group includes public subnets ({', '.join(public)}){also}",
            severity=CRITICAL if also else None,
            public_subnets=public,
        )
    if missing:
        return unknown(
            "Whether these subnets are public is not in the inventory: " + ", ".join(missing),
            subnets_not_collected=missing,
        )
    return passed("Every subnet in the DB subnet group is private", subnets=subnet_ids)


# ----------------------------------------------------------------------------- data protection


@rule(
    id="rds.instance_storage_encrypted",
    title="RDS DB instance storage is encrypted at rest",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["RDS.3"],
    cis=["2.3.1"],
    rationale="""Encryption at rest is chosen at creation and covers storage, automated backups,
    snapshots and read replicas. AWS disposes of disks safely; whether the data on them is
    encrypted, and under which KMS key, is our choice.""",
    remediation="""Encryption cannot be switched on in place: snapshot the instance, copy the snapshot
    with --kms-key-id KEY, restore from the encrypted copy, and cut over
    (aws rds copy-db-snapshot ... --kms-key-id alias/aws/rds).""",
    failing={"storage_encrypted": False},
    passing={"storage_encrypted": True, "kms_key": "arn:aws:kms:us-east-1:123456789012:key/k"},
)
def instance_storage_encrypted(r, inv):
    if r["storage_encrypted"]:
        return passed("Storage is encrypted", kms_key=r.get("kms_key"))
    return fail("Storage is not encrypted at rest")


def _backups(r):
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
    we set, and retention 0 turns automated backups off entirely.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --backup-retention-period 7
    --apply-immediately""",
    failing={"backup_retention": 1},
    passing={"backup_retention": 7},
)
def instance_backups(r, inv):
    return _backups(r)


@rule(
    id="rds.instance_deletion_protection",
    title="RDS DB instance has deletion protection enabled",
    resource_type=INSTANCE,
    where=_standalone,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["RDS.8"],
    rationale="""Deletion protection stops a mistaken or malicious DeleteDBInstance, including one issued
    by automation that tears down the wrong stack.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --deletion-protection
    --apply-immediately""",
    failing={"deletion_protection": False},
    passing={"deletion_protection": True},
)
def instance_deletion_protection(r, inv):
    if r["deletion_protection"]:
        return passed("Deletion protection is on")
    return fail("Deletion protection is off")


# ----------------------------------------------------------------------------- shared levers


@rule(
    id="rds.instance_auto_minor_upgrade",
    title="RDS DB instance applies minor engine upgrades automatically",
    resource_type=INSTANCE,
    owner=SHARED,
    layer=RUNTIME,
    severity=HIGH,
    fsbp=["RDS.13"],
    cis=["2.3.2"],
    rationale="""AWS builds and ships minor engine versions with security fixes and applies them in our
    maintenance window, but only if auto minor version upgrade is on. With it off, the patch
    exists and nobody installs it: AWS did its half, the other half is ours.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --auto-minor-version-upgrade
    --preferred-maintenance-window ddd:hh:mm-ddd:hh:mm (a window that suits the workload).""",
    failing={"auto_minor_version_upgrade": False, "engine": "postgres", "engine_version": "16.3"},
    passing={"auto_minor_version_upgrade": True, "engine": "postgres", "engine_version": "16.3"},
)
def instance_auto_minor_upgrade(r, inv):
    evidence = {
        "engine": r.get("engine"),
        "engine_version": r.get("engine_version"),
        "maintenance_window": r.get("maintenance_window"),
    }
    if r["auto_minor_version_upgrade"]:
        return passed("Auto minor version upgrade is on", **evidence)
    return fail(
        f"Auto minor version upgrade is off: {evidence['engine']} {evidence['engine_version']} gets no "
        "minor-version security fixes unless someone upgrades it by hand",
        **evidence,
    )


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
    failure, an OS patch or a scale change is a 60-second failover or an outage. Instances tagged
    as production (Environment/Env/Stage = prod, production, prd, live) fail at medium severity;
    others are still reported, at low severity, because an untagged database may be production.""",
    remediation="""CLI: aws rds modify-db-instance --db-instance-identifier DB --multi-az
    --apply-immediately (or in the next maintenance window).""",
    failing=Example(attrs={"multi_az": False}, tags={"Environment": "prod"}),
    passing=Example(attrs={"multi_az": True}, tags={"Environment": "prod"}),
)
def instance_multi_az(r, inv):
    if r["multi_az"]:
        return passed("The instance is Multi-AZ")
    if _is_production(r.tags):
        return fail("A production instance runs in a single Availability Zone", production=True)
    return fail(
        "The instance runs in a single Availability Zone (not tagged as production)",
        severity=LOW,
        production=False,
    )


def _when(value):
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.date()


def _pending(r, inv):
    actions = r["pending_maintenance"]
    window = r.get("maintenance_window")
    if not actions:
        return passed("No pending maintenance actions", maintenance_window=window)
    today = inv.scan_time.date()
    described, soonest = [], None
    for action in actions:
        dates = {
            label: _when(action.get(key))
            for key, label in (
                ("forced_apply", "forced on"),
                ("auto_applied_after", "auto-applied after"),
                ("current_apply", "scheduled for"),
            )
        }
        dated = {label: d for label, d in dates.items() if d is not None}
        if dated:
            label, first = min(dated.items(), key=lambda item: item[1])
            soonest = first if soonest is None or first < soonest else soonest
            described.append(f"{action.get('action')} ({label} {first.isoformat()})")
        else:
            described.append(f"{action.get('action')} (no date set; opt-in: {action.get('opt_in_status') or 'none'})")
    soon = soonest is not None and soonest <= today + timedelta(days=MAINTENANCE_SOON_DAYS)
    message = f"{len(actions)} pending maintenance action(s): " + "; ".join(described)
    if window:
        message += f"; maintenance window {window}"
    return fail(
        message,
        severity=None if soon else LOW,
        actions=actions,
        maintenance_window=window,
        earliest_date=soonest.isoformat() if isinstance(soonest, date) else None,
    )


_PENDING_RATIONALE = """AWS decides what maintenance is needed (OS patches, engine minor versions, hardware,
    certificate rotation) and applies it in our maintenance window; we decide when that window is,
    whether we apply early, and whether the workload survives the reboot. Each action is reported
    with its dates; one with a forced or auto-apply date within 30 days is medium severity, any other
    pending action low, so that it stays visible without drowning the report."""
_PENDING_REMEDIATION = """Review: aws rds describe-pending-maintenance-actions. Apply at a time of your choosing
    with aws rds apply-pending-maintenance-action --resource-identifier ARN --apply-action ACTION
    --opt-in-type immediate (or next-maintenance), and check the instance is Multi-AZ first."""
_SOON = [{"action": "system-update", "auto_applied_after": "2026-12-01T00:00:00+00:00", "opt_in_status": None}]


@rule(
    id="rds.instance_pending_maintenance",
    title="RDS DB instance has no pending maintenance actions",
    resource_type=INSTANCE,
    owner=SHARED,
    layer=OS_PATCHING,
    severity=MEDIUM,
    rationale=_PENDING_RATIONALE,
    remediation=_PENDING_REMEDIATION,
    failing={"pending_maintenance": _SOON, "maintenance_window": "sun:03:00-sun:03:30"},
    passing={"pending_maintenance": [], "maintenance_window": "sun:03:00-sun:03:30"},
)
def instance_pending_maintenance(r, inv):
    return _pending(r, inv)


# ----------------------------------------------------------------------------- clusters


@rule(
    id="rds.cluster_storage_encrypted",
    title="RDS DB cluster storage is encrypted at rest",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["RDS.27"],
    rationale="""As for instances: encryption at rest is set at creation, covers the cluster volume and
    its snapshots, and is our choice, not AWS's.""",
    remediation="""Snapshot the cluster, restore it with --storage-encrypted --kms-key-id KEY, and cut over.""",
    failing={"storage_encrypted": False},
    passing={"storage_encrypted": True},
)
def cluster_storage_encrypted(r, inv):
    if r["storage_encrypted"]:
        return passed("Cluster storage is encrypted", kms_key=r.get("kms_key"))
    return fail("Cluster storage is not encrypted at rest")


@rule(
    id="rds.cluster_deletion_protection",
    title="RDS DB cluster has deletion protection enabled",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["RDS.7"],
    rationale="""Deletion protection on the cluster stops a mistaken DeleteDBCluster from taking every
    member instance and the cluster volume with it.""",
    remediation="CLI: aws rds modify-db-cluster --db-cluster-identifier CLUSTER --deletion-protection --apply-immediately",
    failing={"deletion_protection": False},
    passing={"deletion_protection": True},
)
def cluster_deletion_protection(r, inv):
    if r["deletion_protection"]:
        return passed("Deletion protection is on")
    return fail("Deletion protection is off")


@rule(
    id="rds.cluster_backups",
    title="RDS DB cluster keeps automated backups for at least 7 days",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    rationale="""The cluster's backup retention bounds how far back point-in-time recovery reaches;
    AWS keeps the volume durable, not our data recoverable from our own mistakes.""",
    remediation="CLI: aws rds modify-db-cluster --db-cluster-identifier CLUSTER --backup-retention-period 7",
    failing={"backup_retention": 1},
    passing={"backup_retention": 7},
)
def cluster_backups(r, inv):
    return _backups(r)


@rule(
    id="rds.cluster_pending_maintenance",
    title="RDS DB cluster has no pending maintenance actions",
    resource_type=CLUSTER,
    owner=SHARED,
    layer=OS_PATCHING,
    severity=MEDIUM,
    rationale=_PENDING_RATIONALE,
    remediation=_PENDING_REMEDIATION,
    failing={"pending_maintenance": _SOON, "maintenance_window": "sun:03:00-sun:03:30"},
    passing={"pending_maintenance": [], "maintenance_window": "sun:03:00-sun:03:30"},
)
def cluster_pending_maintenance(r, inv):
    return _pending(r, inv)


# ----------------------------------------------------------------------------- snapshots


@rule(
    id="rds.snapshot_public",
    title="RDS manual DB snapshot is not shared publicly",
    resource_type=SNAPSHOT,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=CRITICAL,
    fsbp=["RDS.1"],
    rationale="""A manual snapshot whose restore attribute includes "all" can be copied and restored by
    any AWS account: the whole database, outside our control. Sharing is purely our setting.""",
    remediation="""CLI: aws rds modify-db-snapshot-attribute --db-snapshot-identifier SNAP
    --attribute-name restore --values-to-remove all (share with named accounts instead).""",
    failing={"restore_shared_with": ["all"]},
    passing={"restore_shared_with": ["210987654321"]},
)
def snapshot_public(r, inv):
    shared = list(r["restore_shared_with"])
    if "all" in shared:
        return fail("The snapshot can be restored by any AWS account (restore=all)", shared_with=shared)
    if shared:
        return passed("Shared with named accounts only: " + ", ".join(shared), shared_with=shared)
    return passed("The snapshot is not shared")


@rule(
    id="rds.snapshot_encrypted",
    title="RDS manual DB snapshot is encrypted",
    resource_type=SNAPSHOT,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["RDS.4"],
    rationale="""A snapshot is a full copy of the database; unencrypted, anyone it is shared with (or who
    can copy it) reads the data without needing our KMS key.""",
    remediation="""Copy it encrypted and delete the original: aws rds copy-db-snapshot
    --source-db-snapshot-identifier SNAP --target-db-snapshot-identifier SNAP-enc --kms-key-id KEY""",
    failing={"encrypted": False},
    passing={"encrypted": True},
)
def snapshot_encrypted(r, inv):
    if r["encrypted"]:
        return passed("The snapshot is encrypted")
    return fail("The snapshot is not encrypted")
