"""RDS exposure and encryption, and the DocumentDB / Neptune checks that are the same.

AWS runs the hosts; who can reach the endpoint, whether storage and snapshots are encrypted,
and whether a snapshot is shared are our settings alone. Backups and deletion protection live
in rds_resilience.py, auto minor version upgrade and pending maintenance in rds_maintenance.py.

DocumentDB and Neptune share the RDS control plane and arrive as their own resource types.
A check is declared for them (with `also=`) only where it applies: DocumentDB has no public
endpoints (PubliclyAccessible is always false), so only Neptune instances are judged on it.
"""

from srmscan.model import Resource
from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    DATA,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    Target,
    fail,
    passed,
    rule,
    unknown,
)

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
SNAPSHOT = "AWS::RDS::DBSnapshot"
SUBNET = "AWS::EC2::Subnet"
NEPTUNE_INSTANCE = "AWS::Neptune::DBInstance"
DOCDB_CLUSTER = "AWS::DocDB::DBCluster"
NEPTUNE_CLUSTER = "AWS::Neptune::DBCluster"


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
    also=[
        Target(
            NEPTUNE_INSTANCE,
            id="neptune.instance_public_access",
            title="Neptune DB instance is not publicly accessible",
            remediation="""CLI: aws neptune modify-db-instance --db-instance-identifier DB
            --no-publicly-accessible --apply-immediately.""",
            failing={"publicly_accessible": True},
            passing={"publicly_accessible": False},
        )
    ],
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


# ----------------------------------------------------------------------------- encryption


_CLUSTER_ENCRYPTION_WHY = """Encryption at rest is set when the cluster is created and covers the
    cluster volume, its instances, automated backups and snapshots; AWS disposes of disks safely, but
    whether the data on them is encrypted, and under which KMS key, is our choice."""


def _cluster_encryption(resource_type, service, label, control):
    return Target(
        resource_type,
        id=f"{service}.cluster_storage_encrypted",
        title=f"{label} storage is encrypted at rest",
        fsbp=[control],
        rationale=_CLUSTER_ENCRYPTION_WHY,
        remediation=f"""Encryption cannot be switched on in place: snapshot the cluster, restore it with
        aws {service} restore-db-cluster-from-snapshot ... --kms-key-id KEY, and cut over.""",
        failing={"storage_encrypted": False},
        passing={"storage_encrypted": True},
    )


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
    also=[
        _cluster_encryption(CLUSTER, "rds", "RDS DB cluster", "RDS.27"),
        _cluster_encryption(DOCDB_CLUSTER, "docdb", "DocumentDB cluster", "DocumentDB.1"),
        _cluster_encryption(NEPTUNE_CLUSTER, "neptune", "Neptune DB cluster", "Neptune.1"),
    ],
)
def storage_encrypted(r, inv):
    if r["storage_encrypted"]:
        return passed("Storage is encrypted", kms_key=r.get("kms_key"))
    return fail("Storage is not encrypted at rest")


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
