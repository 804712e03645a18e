"""Secrets Manager: AWS stores and encrypts the secret and runs the rotation schedule we set; whether
a secret rotates, whether it is still needed, and who may read it are ours.
"""

from srmscan.evaluate.policy import granted_actions, resource_policy_exposure
from srmscan.evaluate.timestamps import days_between, parse_utc
from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    DATA,
    IAM,
    LOW,
    MEDIUM,
    fail,
    passed,
    rule,
    unknown,
)

SECRET = "AWS::SecretsManager::Secret"
MAX_ROTATION_DAYS = 90
UNUSED_DAYS = 90


def _days_since(inv, value):
    when = parse_utc(value)
    return None if when is None else days_between(when, inv.scan_time)


def _live(r):
    return not r.get("deleted")


@rule(
    id="secretsmanager.rotation_enabled",
    title="Secrets Manager secret has automatic rotation enabled",
    resource_type=SECRET,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["SecretsManager.1"],
    rationale="""A credential that never changes stays valid for as long as anyone who once saw it keeps
    a copy. Secrets Manager runs the rotation (its own rotation for managed secrets, or a Lambda
    function we provide) only once we turn it on.""",
    remediation="""aws secretsmanager rotate-secret --secret-id SECRET --rotation-lambda-arn FUNCTION_ARN
    --rotation-rules AutomaticallyAfterDays=30 (or use managed rotation for RDS and other supported services).""",
    failing={"rotation_enabled": False},
    passing={"rotation_enabled": True, "rotation_days": 30},
    where=_live,
)
def rotation_enabled(r, inv):
    if r["rotation_enabled"]:
        return passed("Automatic rotation is enabled", rotation_days=r.get("rotation_days"))
    return fail("Automatic rotation is not enabled")


@rule(
    id="secretsmanager.rotation_recent",
    title=f"Secrets Manager secret with rotation has been rotated in the last {MAX_ROTATION_DAYS} days",
    resource_type=SECRET,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["SecretsManager.4"],
    rationale=f"""Rotation that is switched on but failing, or scheduled too rarely, leaves the same credential
    in use. A secret whose last rotation (or creation, if it never rotated) is more than
    {MAX_ROTATION_DAYS} days ago has not been renewed on any reasonable schedule.""",
    remediation="""Check the rotation function's CloudWatch logs, fix it, then
    aws secretsmanager rotate-secret --secret-id SECRET; keep AutomaticallyAfterDays at 90 or less.""",
    failing={
        "rotation_enabled": True,
        "last_rotated": "2026-01-10T00:00:00+00:00",
        "created": "2025-06-01T00:00:00+00:00",
    },
    passing={
        "rotation_enabled": True,
        "last_rotated": "2026-11-01T00:00:00+00:00",
        "created": "2025-06-01T00:00:00+00:00",
    },
    where=lambda r: _live(r) and bool(r.get("rotation_enabled")),
)
def rotation_recent(r, inv):
    last = r["last_rotated"] or r["created"]
    age = _days_since(inv, last)
    if age is None:
        return unknown("ListSecrets reported neither a last rotation nor a creation date")
    what = "Last rotated" if r["last_rotated"] else "Created (never rotated)"
    days = r.get("rotation_days")
    if age > MAX_ROTATION_DAYS:
        return fail(f"{what} {age} days ago", age_days=age, rotation_days=days)
    if isinstance(days, int) and days > MAX_ROTATION_DAYS:
        return fail(f"Rotation is scheduled only every {days} days", severity=LOW, age_days=age, rotation_days=days)
    return passed(f"{what} {age} days ago", age_days=age, rotation_days=days)


@rule(
    id="secretsmanager.unused",
    title=f"Secrets Manager secret has been used in the last {UNUSED_DAYS} days",
    resource_type=SECRET,
    owner=CUSTOMER,
    layer=DATA,
    severity=LOW,
    fsbp=["SecretsManager.3"],
    rationale=f"""A secret nobody has retrieved for {UNUSED_DAYS} days is probably a leftover credential that
    still works. Secrets Manager records the day of the last retrieval; removing what is unused is ours.""",
    remediation="""Confirm nothing needs it (CloudTrail GetSecretValue events), revoke the credential at its
    source, then aws secretsmanager delete-secret --secret-id SECRET --recovery-window-in-days 30""",
    failing={"last_accessed": "2026-03-01T00:00:00+00:00", "created": "2025-01-01T00:00:00+00:00"},
    passing={"last_accessed": "2026-11-20T00:00:00+00:00", "created": "2025-01-01T00:00:00+00:00"},
    where=_live,
)
def unused(r, inv):
    accessed = r["last_accessed"]
    if accessed:
        age = _days_since(inv, accessed)
        if age is None:
            return unknown(f"The last access date {accessed!r} could not be read")
        if age > UNUSED_DAYS:
            return fail(f"Last retrieved {age} days ago", age_days=age)
        return passed(f"Last retrieved {age} days ago", age_days=age)
    # AWS omits LastAccessedDate for a secret never retrieved in this Region.
    created_age = _days_since(inv, r["created"])
    if created_age is None:
        return unknown("ListSecrets reported neither a last access nor a creation date")
    if created_age > UNUSED_DAYS:
        return fail(f"Never retrieved in this Region since it was created {created_age} days ago", age_days=created_age)
    return passed(f"Created {created_age} days ago and not retrieved yet", age_days=created_age)


@rule(
    id="secretsmanager.policy_public",
    title="Secrets Manager secret resource policy does not grant access to everyone",
    resource_type=SECRET,
    owner=CUSTOMER,
    layer=IAM,
    severity=CRITICAL,
    rationale="""A resource policy statement with Principal "*" and no condition that narrows who lets any
    AWS principal call the actions it lists on the secret, GetSecretValue included. Who may read the
    secret is ours to decide.""",
    remediation="""aws secretsmanager validate-resource-policy / put-resource-policy --secret-id SECRET
    --resource-policy file://policy.json --block-public-policy, or delete-resource-policy.""",
    failing={
        "policy": {
            "document": {
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue"}]
            },
            "malformed": None,
        }
    },
    passing={"policy": None},
    where=_live,
)
def policy_public(r, inv):
    state, public, sids = resource_policy_exposure(r["policy"])
    if state == "none":
        return passed("The secret has no resource policy")
    if state == "malformed":
        return unknown("The resource policy could not be parsed, so it cannot be shown to be private")
    if state == "private":
        return passed("No policy statement grants access to everyone")
    actions = granted_actions(public)
    return fail("The resource policy grants " + ", ".join(actions) + ' to everyone (Principal "*")', statements=sids)
