"""KMS: AWS keeps key material inside its HSMs; which keys exist, who may use them, rotation and
deletion of customer managed keys are ours. AWS managed keys (aws/<service>) rotate every year
and their policies are fixed, so only customer managed keys are judged here.
"""

from srmscan.evaluate.policy import granted_actions, resource_policy_exposure
from srmscan.model import Resource
from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    DATA,
    IAM,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    Unreadable,
    fail,
    passed,
    rule,
    unknown,
)

KEY = "AWS::KMS::Key"


def _customer(r):
    return r.get("manager") == "CUSTOMER"


def _rotatable(r):
    return (
        _customer(r)
        and r.get("spec") == "SYMMETRIC_DEFAULT"
        and r.get("origin") == "AWS_KMS"
        and r.get("state") not in ("PendingDeletion", "PendingReplicaDeletion")
    )


@rule(
    id="kms.key_rotation",
    title="KMS customer managed key rotates its key material automatically",
    resource_type=KEY,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["KMS.4"],
    rationale="""Automatic rotation gives a symmetric key new key material on a schedule (yearly by
    default), limiting how much data one piece of material protects. AWS rotates its own managed
    keys; for keys we create, rotation is off until we turn it on.""",
    remediation="""aws kms enable-key-rotation --key-id KEY_ID (optionally --rotation-period-in-days 90..2560)""",
    failing={"manager": "CUSTOMER", "spec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS", "rotation_enabled": False},
    passing={
        "manager": "CUSTOMER",
        "spec": "SYMMETRIC_DEFAULT",
        "origin": "AWS_KMS",
        "rotation_enabled": True,
        "rotation_period_days": 365,
    },
    where=_rotatable,
)
def key_rotation(r, inv):
    enabled = r["rotation_enabled"]
    if enabled is None:
        return unknown("GetKeyRotationStatus did not report KeyRotationEnabled")
    if enabled:
        days = r.get("rotation_period_days")
        return passed("Automatic rotation is on" + (f" (every {days} days)" if days else ""), period_days=days)
    return fail("Automatic key rotation is off")


@rule(
    id="kms.key_policy_public",
    title="KMS key policy does not allow everyone to use the key",
    resource_type=KEY,
    owner=CUSTOMER,
    layer=IAM,
    severity=CRITICAL,
    fsbp=["KMS.5"],
    rationale="""A key policy statement with Principal "*" and no condition that narrows who (caller
    account, organization, VPC endpoint, kms:ViaService) lets any AWS principal use the key, and
    so decrypt whatever it protects. The key policy is the primary control on a KMS key, and it is ours.""",
    remediation="""aws kms get-key-policy --key-id KEY_ID --policy-name default, replace "*" with named
    principals or add an aws:PrincipalOrgID / kms:CallerAccount condition, then
    aws kms put-key-policy --key-id KEY_ID --policy-name default --policy file://policy.json""",
    failing={
        "manager": "CUSTOMER",
        "policy": {
            "document": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt"}]},
            "malformed": None,
        },
    },
    passing={
        "manager": "CUSTOMER",
        "policy": {
            "document": {
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*"}
                ]
            },
            "malformed": None,
        },
    },
    where=lambda r: _customer(r) and r.get("state") not in ("PendingDeletion", "PendingReplicaDeletion"),
)
def key_policy_public(r, inv):
    state, public, sids = resource_policy_exposure(r["policy"])
    if state in ("none", "private"):
        return passed("No key policy statement lets everyone use the key")
    if state == "malformed":
        return unknown("The key policy could not be parsed, so it cannot be shown to be private")
    actions = granted_actions(public)
    return fail("The key policy allows " + ", ".join(actions) + ' to everyone (Principal "*")', statements=sids)


def _references(value, needles):
    """Whether any string inside a collected value mentions one of the key's identifiers."""
    if isinstance(value, str):
        return any(n in value for n in needles)
    if isinstance(value, dict):
        return any(_references(v, needles) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_references(v, needles) for v in value)
    return False


def _user(table_id, key_ref):
    return Resource(
        type="AWS::DynamoDB::Table",
        id=table_id,
        region="us-east-1",
        attrs={"encryption": {"key": "kms", "kms_key": key_ref}},
    )


@rule(
    id="kms.key_pending_deletion_in_use",
    title="KMS key scheduled for deletion is not still used by a collected resource",
    resource_type=KEY,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=CRITICAL,
    fsbp=["KMS.3"],
    rationale="""Once the waiting period ends AWS destroys the key material for good, and everything
    still encrypted under it (tables, volumes, snapshots, secrets) can never be decrypted again.
    Scheduling and cancelling deletion are ours; AWS only enforces the waiting period.""",
    remediation="""If anything still uses the key: aws kms cancel-key-deletion --key-id KEY_ID, then
    aws kms enable-key; re-encrypt the data under another key before scheduling deletion again.""",
    failing=Example(
        attrs={"state": "PendingDeletion", "deletion_date": "2026-12-01T00:00:00+00:00", "aliases": []},
        related=(_user("orders", "arn:aws:kms:us-east-1:123456789012:key/example-resource"),),
    ),
    passing=Example(
        attrs={"state": "PendingDeletion", "deletion_date": "2026-12-01T00:00:00+00:00", "aliases": []},
        related=(_user("orders", "arn:aws:kms:us-east-1:123456789012:key/another-key"),),
    ),
    where=lambda r: r.get("state") in ("PendingDeletion", "PendingReplicaDeletion"),
)
def key_pending_deletion_in_use(r, inv):
    needles = [r.id, *[a for a in (r.get("aliases") or []) if a]]
    users = [f"{res.type} {res.id}" for res in inv.raw.resources if res.type != KEY and _references(res.attrs, needles)]
    when = r.get("deletion_date")
    if users:
        return fail(
            f"The key is scheduled for deletion on {when} but is still used by: " + ", ".join(sorted(users)[:10]),
            users=sorted(users),
            deletion_date=when,
        )
    _unseen_users(inv, r.region)
    return passed(
        f"Scheduled for deletion on {when}; no collected resource references it (only what srmscan collects is checked)",
        deletion_date=when,
    )


def _unseen_users(inv, region):
    """ "Nothing uses it" holds only if everything in the key's region was read: a failed listing
    or an unread setting there could be the one user (a key is usable only in its own region)."""
    for gap in inv.raw.gaps:
        if gap.resource_type != KEY and gap.region in (region, "global"):
            raise Unreadable(f"list of {gap.resource_type} in {gap.region}", gap.error_id)
    for res in inv.raw.resources:
        if res.type != KEY and res.region == region and res.unreadable:
            key, error_id = sorted(res.unreadable.items())[0]
            raise Unreadable(f"{key} of {res.type} {res.id}", error_id)
