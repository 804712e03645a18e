"""IAM identities: users' credentials, who holds full admin, and who may assume our roles.

Identity is always the customer's side of the line: AWS runs IAM and STS, but every user,
password, key, policy and trust relationship is ours to create, scope and retire.

Time-based checks compare against the scan's own timestamp (`inv.scan_time`), never the clock,
so a saved inventory re-evaluated later gives the same answer.
"""

from datetime import datetime, timedelta

from srmscan.evaluate.policy import (
    account_of,
    as_list,
    aws_principals,
    has_restricting_condition,
    is_full_admin,
    principal_is_public,
    statements,
)
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CRITICAL,
    CUSTOMER,
    HIGH,
    IAM,
    LOW,
    MEDIUM,
    Example,
    Resource,
    account_wide,
    fail,
    passed,
    rule,
    unknown,
)

USER = "AWS::IAM::User"
GROUP = "AWS::IAM::Group"
ROLE = "AWS::IAM::Role"
POLICY = "AWS::IAM::Policy"

KEY_MAX_AGE_DAYS = 90
UNUSED_DAYS = 45
UNUSED_DAYS_FSBP_IAM8 = 90
TRUSTED_TABLE = "trusted_accounts"

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCOPED_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
}


# --- helpers ---------------------------------------------------------------------------------
def _when(value):
    """A credential-report or IAM timestamp as an aware datetime, or None if absent/unreadable."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed


def _age_days(inv, when):
    return (inv.scan_time - when) // timedelta(days=1)


def _credentials(r):
    """The user's credential-report facts; None when the report has no row for this user."""
    return r["credentials"]


def _no_row():
    return unknown(
        "The credential report has no row for this user (it may have been created after the report "
        "was generated; AWS regenerates it at most every 4 hours)"
    )


def _admin_statement(statement):
    """Allow `*` (or `*:*`) on Resource `*`: full administrative access (FSBP IAM.1)."""
    if is_full_admin(statement):
        return True
    if statement.get("Effect") != "Allow":
        return False
    actions = [str(a) for a in as_list(statement.get("Action"))]
    resources = [str(x) for x in as_list(statement.get("Resource"))]
    return "*:*" in actions and "*" in resources


def _admin_grants(r, inv):
    """(policies granting full admin, policies that could not be read) for one principal."""
    admin, unreadable = [], []
    for inline in r["inline_policies"] or []:
        label = {"kind": "inline", "name": inline.get("name")}
        if inline.get("malformed") or not isinstance(inline.get("document"), dict):
            unreadable.append({**label, "problem": inline.get("malformed") or "no document"})
        elif any(_admin_statement(s) for s in statements(inline["document"])):
            admin.append(label)
    for arn in r["attached_policies"] or []:
        policy = inv.find(POLICY, arn)
        kind = "aws-managed" if ":aws:policy/" in str(arn) else "customer-managed"
        label = {"kind": kind, "arn": arn}
        if policy is None:
            unreadable.append({**label, "problem": "the attached policy is not in the inventory"})
            continue
        doc = policy["document"] or {}
        if doc.get("malformed") or not isinstance(doc.get("document"), dict):
            unreadable.append({**label, "problem": doc.get("malformed") or "no document"})
        elif any(_admin_statement(s) for s in statements(doc["document"])):
            admin.append(label)
    return admin, unreadable


def _full_admin_verdict(r, inv, what, **extra):
    admin, unreadable = _admin_grants(r, inv)
    if admin:
        names = ", ".join(str(a.get("name") or str(a.get("arn")).rsplit("/", 1)[-1]) for a in admin)
        boundary = r.get("permissions_boundary")
        if boundary:
            return fail(
                f"{what} has full administrative access (Action * on Resource *) through {names}; "
                "a permissions boundary may narrow it",
                severity=MEDIUM,
                admin_policies=admin,
                permissions_boundary=boundary,
                **extra,
            )
        return fail(
            f"{what} has full administrative access (Action * on Resource *) through {names}",
            admin_policies=admin,
            **extra,
        )
    if unreadable:
        return unknown(
            f"{what} has policies that could not be read, so full admin access cannot be ruled out",
            unreadable_policies=unreadable,
        )
    return passed(f"No policy attached to {what.lower()} allows Action * on Resource *")


def _restricting(statement):
    """A condition that narrows who may assume the role; sts:ExternalId alone does not count
    for a wildcard principal, because an external id is a shared string, not an identity check."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    narrowed = {}
    for operator, block in condition.items():
        if isinstance(block, dict):
            kept = {k: v for k, v in block.items() if str(k).lower() != "sts:externalid"}
            if kept:
                narrowed[operator] = kept
    return has_restricting_condition({"Condition": narrowed})


def _trust_document(r):
    policy = r["trust_policy"] or {}
    if policy.get("malformed") or not isinstance(policy.get("document"), dict):
        return None, str(policy.get("malformed") or "no trust policy document")
    if not statements(policy["document"]):
        return None, "the trust policy has no readable statements"
    return policy["document"], None


def _trusted_accounts(inv):
    try:
        table = inv.table(TRUSTED_TABLE)
    except KeyError:
        return set(), {}
    accounts = {str(a).strip() for a in (table.get("accounts") or []) if str(a).strip()}
    names = table.get("names") if isinstance(table.get("names"), dict) else {}
    return accounts, {str(k): str(v) for k, v in names.items()}


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


# --- full administrative access, reported per principal --------------------------------------
def _admin_related():
    return (Resource(type=POLICY, id=ADMIN_ARN, region="global", attrs={"document": {"document": ADMIN_DOC}}),)


FULL_ADMIN_RATIONALE = """A policy allowing Action "*" on Resource "*" makes its holder an
administrator of the whole account, including IAM itself. Reported per user, group or role (inline
and managed policies, including AWS's AdministratorAccess), because that is what someone has to change.
A policy that could not be read makes the verdict unknown, never a pass."""


@rule(
    id="iam.user_full_admin",
    title="IAM users do not hold full administrative (*:*) policies",
    resource_type=USER,
    owner=CUSTOMER,
    layer=IAM,
    severity=HIGH,
    fsbp=["IAM.1"],
    cis=["1.16"],
    rationale=FULL_ADMIN_RATIONALE,
    remediation="""Detach AdministratorAccess or the */* policy from the user and grant the actions the
    job needs (IAM Access Analyzer can generate a policy from CloudTrail activity). Keep admin behind a role
    assumed with MFA: aws iam detach-user-policy --user-name USER --policy-arn ARN.""",
    failing=Example(_user(attached_policies=[ADMIN_ARN]), related=_admin_related()),
    passing=_user(inline_policies=[{"name": "read-reports", "document": SCOPED_DOC, "malformed": None}]),
)
def user_full_admin(r, inv):
    return _full_admin_verdict(r, inv, "The user")


@rule(
    id="iam.group_full_admin",
    title="IAM groups do not grant full administrative (*:*) policies",
    resource_type=GROUP,
    owner=CUSTOMER,
    layer=IAM,
    severity=HIGH,
    fsbp=["IAM.1"],
    cis=["1.16"],
    rationale=FULL_ADMIN_RATIONALE,
    remediation="""Replace the */* policy on the group with scoped policies, or make the admins assume
    an admin role with MFA instead: aws iam detach-group-policy --group-name GROUP --policy-arn ARN.""",
    failing=Example(
        {"attached_policies": [ADMIN_ARN], "inline_policies": [], "members": ["alice"]}, related=_admin_related()
    ),
    passing={"attached_policies": [], "inline_policies": [], "members": ["alice"]},
)
def group_full_admin(r, inv):
    return _full_admin_verdict(r, inv, "The group", members=r.get("members") or [])


@rule(
    id="iam.role_full_admin",
    title="IAM roles do not hold full administrative (*:*) policies",
    resource_type=ROLE,
    owner=CUSTOMER,
    layer=IAM,
    severity=HIGH,
    fsbp=["IAM.1"],
    cis=["1.16"],
    rationale=FULL_ADMIN_RATIONALE,
    remediation="""Scope the role to what its workload does; if it is a human admin role, keep it but
    require MFA in its trust policy and mute this finding with the reason.
    aws iam detach-role-policy --role-name ROLE --policy-arn ARN.""",
    failing=Example(
        {"attached_policies": [ADMIN_ARN], "inline_policies": [], "service_linked": False}, related=_admin_related()
    ),
    passing={"attached_policies": [], "inline_policies": [], "service_linked": False},
)
def role_full_admin(r, inv):
    if r.get("service_linked"):
        return None  # AWS defines and maintains service-linked roles' policies
    return _full_admin_verdict(r, inv, "The role")


# --- role trust ------------------------------------------------------------------------------
def _trust(statement_list):
    return {"trust_policy": {"document": {"Version": "2012-10-17", "Statement": statement_list}, "malformed": None}}


PUBLIC_TRUST = [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
SERVICE_TRUST = [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
EXTERNAL_TRUST = [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
]


@rule(
    id="iam.role_trust_public",
    title="IAM role trust policies do not let any AWS principal assume the role",
    resource_type=ROLE,
    owner=CUSTOMER,
    layer=IAM,
    severity=CRITICAL,
    rationale="""A trust policy with Principal "*" (or {"AWS": "*"}) and no condition that narrows who
    (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, ...) lets any
    identity in any AWS account assume the role and use its permissions. sts:ExternalId alone does not
    narrow it: an external id is a shared string, not an identity check. A trust policy that cannot be
    parsed is reported, never passed.""",
    remediation="""Name the principals that need the role (account or role ARNs), or add an
    aws:PrincipalOrgID condition: aws iam update-assume-role-policy --role-name ROLE --policy-document
    file://trust.json.""",
    failing=_trust(PUBLIC_TRUST),
    passing=_trust(SERVICE_TRUST),
)
def role_trust_public(r, inv):
    document, problem = _trust_document(r)
    if document is None:
        return fail(
            "The trust policy could not be parsed, so it cannot be shown to exclude other accounts",
            severity=MEDIUM,
            problem=problem,
        )
    public = [
        s
        for s in statements(document)
        if s.get("Effect") == "Allow"
        and (principal_is_public(s.get("Principal")) or s.get("NotPrincipal") is not None)
        and not _restricting(s)
    ]
    if not public:
        return passed("The trust policy does not let arbitrary principals assume the role")
    sids = [str(s.get("Sid") or f"#{i}") for i, s in enumerate(public)]
    external_id_only = all(_has_external_id(s) for s in public)
    message = "Any AWS principal may assume this role (Principal *)"
    if external_id_only:
        message += "; only an sts:ExternalId condition stands in the way"
    return fail(message, severity=HIGH if external_id_only else None, statements=sids)


@rule(
    id="iam.role_trust_external_account",
    title="IAM roles trust only this account or listed trusted accounts",
    resource_type=ROLE,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    rationale="""A role that names another AWS account in its trust policy hands that account's
    administrators a way in. That is often intended (a vendor, a security-tooling account); list the
    accounts you expect in data/trusted_accounts.toml of your own --rules-dir folder and the rest are
    reported with their ids. Trust limited by sts:ExternalId or an organization condition is low severity.""",
    remediation="""Remove accounts you do not recognise from the trust policy (aws iam
    update-assume-role-policy), require sts:ExternalId for third parties, or add the account to
    data/trusted_accounts.toml in your rules folder if the trust is intended.""",
    failing=_trust(EXTERNAL_TRUST),
    passing=_trust(SERVICE_TRUST),
)
def role_trust_external_account(r, inv):
    document, problem = _trust_document(r)
    if document is None:
        return unknown(f"The trust policy could not be parsed ({problem}), so its trusted accounts are unknown")
    trusted, names = _trusted_accounts(inv)
    external, allowed = {}, set()
    for s in statements(document):
        if s.get("Effect") != "Allow":
            continue
        guarded = s.get("Condition") and (has_restricting_condition(s) or _has_external_id(s))
        for principal in aws_principals(s.get("Principal")):
            account = account_of(principal)
            if account is None or account == inv.account_id:
                continue
            if account in trusted:
                allowed.add(account)
                continue
            entry = external.setdefault(account, {"account": account, "principals": [], "guarded": True})
            entry["principals"].append(principal)
            entry["guarded"] = entry["guarded"] and bool(guarded)
    if external:
        accounts = sorted(external)
        severity = LOW if all(e["guarded"] for e in external.values()) else None
        return fail(
            "The role trusts account(s) outside the trusted list: " + ", ".join(accounts),
            severity=severity,
            accounts=accounts,
            trust=[external[a] for a in accounts],
        )
    if allowed:
        listed = [f"{a} ({names[a]})" if a in names else a for a in sorted(allowed)]
        return passed("The role trusts only listed accounts: " + ", ".join(listed), trusted_accounts=sorted(allowed))
    return passed("The role trusts no other AWS account")


def _has_external_id(statement):
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    return any(
        isinstance(block, dict) and any(str(k).lower() == "sts:externalid" for k in block)
        for block in condition.values()
    )


# --- root: hardware MFA (IAM.6) --------------------------------------------------------------
@rule(
    id="iam.root_hardware_mfa",
    title="The root user's MFA is a hardware device",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="iam",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["IAM.6"],
    cis=["1.6"],
    rationale="""A virtual MFA app lives on a phone that can be cloned, backed up to the cloud or lost
    with its seed; a hardware key (FIDO security key or hardware TOTP token) cannot be copied. Reported
    separately from iam.root_mfa (no MFA at all), at lower severity. The virtual-MFA listing is what
    tells the two apart: if it could not be read, this is unknown.""",
    remediation="""Signed in as root: IAM > Security credentials > Assign MFA device > Security key or
    Hardware TOTP token, then remove the virtual device.""",
    failing={"account_summary": {"AccountMFAEnabled": 1}, "root_virtual_mfa": True},
    passing={"account_summary": {"AccountMFAEnabled": 1}, "root_virtual_mfa": False},
)
def root_hardware_mfa(r, inv):
    if not int(r["account_summary"].get("AccountMFAEnabled", 0) or 0):
        return fail("The root user has no MFA at all (see iam.root_mfa), so no hardware MFA either")
    if r["root_virtual_mfa"]:
        return fail("The root user's MFA is a virtual device, not a hardware key")
    return passed("The root user has MFA and it is not a virtual device")
