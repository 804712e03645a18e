"""IAM users' credentials: console MFA, access-key age, unused credentials, direct policies.

Identity is always the customer's side of the line: AWS runs IAM and STS, but every user,
password, key and policy is ours to create, scope and retire. Who holds full admin is in
iam_policies.py, who may assume our roles in iam_trust.py, the root user in iam_account.py.

Time-based checks compare against the scan's own timestamp (`inv.scan_time`), never the clock,
so a saved inventory re-evaluated later gives the same answer.
"""

from srmscan.evaluate.timestamps import days_between, parse_time
from srmscan.rules_api import (
    CUSTOMER,
    HIGH,
    IAM,
    LOW,
    MEDIUM,
    fail,
    passed,
    rule,
    unknown,
)

USER = "AWS::IAM::User"

KEY_MAX_AGE_DAYS = 90
UNUSED_DAYS = 45
UNUSED_DAYS_FSBP_IAM8 = 90

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


# --- helpers ---------------------------------------------------------------------------------
def _when(value):
    """A credential-report or IAM timestamp as an aware datetime, or None if absent/unreadable.

    The credential report always carries an offset; a value without one is not trusted."""
    parsed = parse_time(value) if isinstance(value, str) else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _age_days(inv, when):
    return days_between(when, inv.scan_time)


def _credentials(r):
    """The user's credential-report facts; None when the report has no row for this user."""
    return r["credentials"]


def _no_row():
    return unknown(
        "The credential report has no row for this user (it may have been created after the report "
        "was generated; AWS regenerates it at most every 4 hours)"
    )


def _user(credentials=None, **attrs):
    base = {
        "groups": [],
        "attached_policies": [],
        "inline_policies": [],
        "permissions_boundary": None,
        "credentials": credentials,
    }
    return {**base, **attrs}


def _creds(password=False, mfa=False, keys=(), last_used=None, changed=None, created="2020-01-01T00:00:00+00:00"):
    slots = list(keys) + [{"active": False, "last_rotated": None, "last_used": None}] * (2 - len(keys))
    return {
        "user_creation_time": created,
        "password_enabled": password,
        "password_last_used": last_used,
        "password_last_changed": changed,
        "mfa_active": mfa,
        "access_keys": [{"slot": i + 1, **k} for i, k in enumerate(slots)],
    }


OLD_KEY = {"active": True, "last_rotated": "2020-01-01T00:00:00+00:00", "last_used": "2020-02-01T00:00:00+00:00"}


# --- users: credentials ----------------------------------------------------------------------
@rule(
    id="iam.user_console_mfa",
    title="IAM users with a console password have MFA",
    resource_type=USER,
    owner=CUSTOMER,
    layer=IAM,
    severity=HIGH,
    fsbp=["IAM.5"],
    cis=["1.10"],
    rationale="""A console password without MFA is one phished or reused password away from the
    account. AWS offers MFA for every IAM user; requiring it is ours. Read from the credential report
    (password_enabled, mfa_active), so no per-user call is needed.""",
    remediation="""Console: IAM > Users > user > Security credentials > Assign MFA device. Better: move
    humans to IAM Identity Center and delete the login profile (aws iam delete-login-profile --user-name USER).""",
    failing=_user(_creds(password=True, mfa=False)),
    passing=_user(_creds(password=True, mfa=True)),
)
def user_console_mfa(r, inv):
    creds = _credentials(r)
    if creds is None:
        return _no_row()
    if not creds.get("password_enabled"):
        return passed("The user has no console password")
    if not creds.get("mfa_active"):
        return fail(
            "The user can sign in to the console with a password and has no MFA device",
            password_last_used=creds.get("password_last_used"),
        )
    return passed("The user has a console password and an MFA device")


@rule(
    id="iam.access_key_rotation",
    title="Active access keys are rotated within 90 days",
    resource_type=USER,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["IAM.3"],
    cis=["1.14"],
    rationale="""A long-lived access key is a password that lives in config files, CI variables and
    laptops; the older it is, the more places it has leaked to. AWS never expires it for us. Age is
    access_key_N_last_rotated from the credential report, compared with the scan time.""",
    remediation="""Create a second key, deploy it, then deactivate and delete the old one:
    aws iam create-access-key --user-name USER; aws iam update-access-key --user-name USER
    --access-key-id OLD --status Inactive; aws iam delete-access-key --user-name USER --access-key-id OLD.
    Prefer roles (instance profiles, OIDC federation for CI) over user keys.""",
    failing=_user(_creds(keys=[OLD_KEY])),
    passing=_user(_creds(keys=[])),
)
def access_key_rotation(r, inv):
    creds = _credentials(r)
    if creds is None:
        return _no_row()
    active = [k for k in creds.get("access_keys") or [] if k.get("active")]
    if not active:
        return passed("The user has no active access keys")
    old, unreadable = [], []
    for key in active:
        rotated = _when(key.get("last_rotated"))
        if rotated is None:
            unreadable.append(key.get("slot"))
            continue
        age = _age_days(inv, rotated)
        if age > KEY_MAX_AGE_DAYS:
            old.append({"slot": key.get("slot"), "age_days": age, "last_rotated": key.get("last_rotated")})
    if old:
        oldest = max(k["age_days"] for k in old)
        return fail(
            f"{len(old)} active access key(s) older than {KEY_MAX_AGE_DAYS} days (oldest {oldest} days)",
            keys=old,
        )
    if unreadable:
        return unknown(f"The rotation date of active access key slot(s) {unreadable} is not in the credential report")
    return passed(f"All {len(active)} active access key(s) are younger than {KEY_MAX_AGE_DAYS} days")


@rule(
    id="iam.unused_credentials",
    title="IAM user credentials unused for 45 days are removed",
    resource_type=USER,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["IAM.8", "IAM.22"],
    cis=["1.12"],
    rationale="""A password or access key nobody uses is pure risk: nobody will notice when someone
    else starts using it. CIS and FSBP IAM.22 ask for removal after 45 days unused; FSBP IAM.8 after 90.
    Findings between 45 and 90 days are low severity (they fail only the 45-day controls). A credential
    never used counts from when it was created (password last changed / key last rotated).""",
    remediation="""Deactivate or delete the credential: aws iam update-access-key --user-name USER
    --access-key-id KEY --status Inactive (then delete-access-key), or aws iam delete-login-profile
    --user-name USER for an unused console password.""",
    failing=_user(_creds(password=True, last_used="2020-01-01T00:00:00+00:00", keys=[OLD_KEY])),
    passing=_user(_creds(password=False, keys=[])),
)
def unused_credentials(r, inv):
    creds = _credentials(r)
    if creds is None:
        return _no_row()
    stale, undated = [], []
    candidates = []
    if creds.get("password_enabled"):
        candidates.append(
            (
                "console password",
                creds.get("password_last_used"),
                creds.get("password_last_changed") or creds.get("user_creation_time"),
            )
        )
    for key in creds.get("access_keys") or []:
        if key.get("active"):
            candidates.append((f"access key {key.get('slot')}", key.get("last_used"), key.get("last_rotated")))
    if not candidates:
        return passed("The user has no console password and no active access keys")
    for label, last_used, created in candidates:
        when = _when(last_used)
        never_used = when is None
        when = when or _when(created)
        if when is None:
            undated.append(label)
            continue
        age = _age_days(inv, when)
        if age >= UNUSED_DAYS:
            stale.append({"credential": label, "days_unused": age, "never_used": never_used})
    if stale:
        worst = max(s["days_unused"] for s in stale)
        severity = MEDIUM if worst >= UNUSED_DAYS_FSBP_IAM8 else LOW
        names = ", ".join(s["credential"] for s in stale)
        return fail(f"Unused for {UNUSED_DAYS}+ days: {names} (up to {worst} days)", severity=severity, stale=stale)
    if undated:
        return unknown("The credential report gives no usable date for: " + ", ".join(undated))
    return passed(f"Every active credential was used (or created) within {UNUSED_DAYS} days")


@rule(
    id="iam.user_direct_policies",
    title="IAM users receive permissions only through groups or roles",
    resource_type=USER,
    owner=CUSTOMER,
    layer=IAM,
    severity=LOW,
    fsbp=["IAM.2"],
    cis=["1.15"],
    rationale="""Policies attached straight to users are invisible in group reviews and tend to
    outlive the job they were granted for. Attaching them to groups (or using roles) keeps who-can-do-what
    reviewable in one place.""",
    remediation="""Put the user in a group that carries the policy, then detach it from the user:
    aws iam detach-user-policy --user-name USER --policy-arn ARN; aws iam delete-user-policy --user-name USER
    --policy-name NAME.""",
    failing=_user(attached_policies=[ADMIN_ARN]),
    passing=_user(groups=["developers"]),
)
def user_direct_policies(r, inv):
    attached = list(r["attached_policies"] or [])
    inline = [str(p.get("name")) for p in r["inline_policies"] or []]
    if attached or inline:
        return fail(
            f"{len(attached)} managed and {len(inline)} inline policies are attached directly to the user",
            attached_policies=attached,
            inline_policies=inline,
        )
    return passed("No policies are attached directly to the user")
