"""Who may assume our IAM roles: no public trust, and other accounts only when listed.

A trust policy is the customer's: AWS evaluates it, but every principal it names is our choice.
Accounts you expect (a vendor, a security-tooling account) go in data/trusted_accounts.toml of
your own --rules-dir folder.
"""

from srmscan.evaluate.policy import (
    TRUSTED_ACCOUNTS_TABLE,
    external_accounts,
    has_restricting_condition,
    principal_is_public,
    statements,
    trusted_accounts,
)
from srmscan.rules_api import (
    CRITICAL,
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

ROLE = "AWS::IAM::Role"


# --- helpers ---------------------------------------------------------------------------------
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
        return trusted_accounts(inv.table(TRUSTED_ACCOUNTS_TABLE))
    except KeyError:
        return set(), {}


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
    external, allowed = external_accounts(
        document, inv.account_id, trusted, lambda s: has_restricting_condition(s) or _has_external_id(s)
    )
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
