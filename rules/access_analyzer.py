"""IAM Access Analyzer: flags resources shared outside the account (or organization) as it happens.

Only external-access analyzers (type ACCOUNT or ORGANIZATION) find public and cross-account
access; unused-access and internal-access analyzers answer other questions. An ORGANIZATION
analyzer lives in the management or delegated-administrator account and covers the members, but a
member account cannot list it: there the check says what it can and cannot see.
"""

from srmscan.model import Resource
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CRITICAL,
    CUSTOMER,
    HIGH,
    IAM,
    MEDIUM,
    Example,
    Unreadable,
    fail,
    passed,
    regional,
    rule,
    unknown,
)

ANALYZER = "AWS::AccessAnalyzer::Analyzer"
FINDING = "AWS::AccessAnalyzer::Finding"
EXTERNAL = ("ACCOUNT", "ORGANIZATION")


def _analyzer(kind, status="ACTIVE"):
    return Resource(
        type=ANALYZER, id=f"arn:{kind}", name=kind.lower(), region="us-east-1", attrs={"status": status, "type": kind}
    )


def _label(a):
    return f"{a.name or a.id} ({a['type']})"


@rule(
    id="accessanalyzer.enabled",
    title="An IAM Access Analyzer external-access analyzer covers this region",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="accessanalyzer",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    cis=["1.20"],
    rationale="""An external-access analyzer (type ACCOUNT, or ORGANIZATION in the management or
    delegated-administrator account) flags a bucket, key, role or function shared outside the zone of
    trust within minutes of the policy change. Unused-access and internal-access analyzers do not
    look for external access and do not count. External access analysis is free; creating an
    analyzer in each region is ours.""",
    remediation="""CLI: aws accessanalyzer create-analyzer --analyzer-name account --type ACCOUNT --region REGION
    (or --type ORGANIZATION from the management or delegated-administrator account).""",
    failing=Example(attrs={}, related=(_analyzer("ACCOUNT_UNUSED_ACCESS"),)),
    passing=Example(attrs={}, related=(_analyzer("ACCOUNT"),)),
)
def analyzer_enabled(r, inv):
    analyzers = inv.resources(ANALYZER, r.region)
    external = [a for a in analyzers if a["type"] in EXTERNAL]
    active = [a for a in external if a["status"] == "ACTIVE"]
    if active:
        counts = [a.get("active_findings") for a in active if a.readable("active_findings")]
        counts = [n for n in counts if isinstance(n, int)]
        message = "External-access analyzer: " + ", ".join(_label(a) for a in active)
        if counts:
            message += f" ({sum(counts)} active finding(s))"
        return passed(message, analyzers=[a.id for a in active])
    others = [a for a in analyzers if a not in external]
    seen = (
        ("; other analyzers, which do not detect external access: " + ", ".join(_label(a) for a in others))
        if others
        else ""
    )
    if external:
        states = ", ".join(f"{_label(a)} is {a['status']}" for a in external)
        return fail(f"No external-access analyzer is active: {states}{seen}", analyzers=[a.id for a in external])
    untyped = [a for a in analyzers if not a["type"]]
    if untyped:
        return unknown("Analyzers whose type AWS did not report: " + ", ".join(a.name or a.id for a in untyped))
    return _organization_coverage(r, inv, f"No external-access analyzer in this account in {r.region}{seen}")


def _organization_coverage(r, inv, what):
    """No analyzer of our own: an ORGANIZATION analyzer elsewhere may cover us. Say what we can see."""
    account = inv.account()
    if account is None:
        return fail(what)
    if "organization" not in account:
        return unknown(f"{what}; whether an organization analyzer covers the account was not collected")
    if not account.readable("organization"):
        raise Unreadable(
            f"whether the account belongs to an organization whose ORGANIZATION analyzer covers it ({what})",
            account.resource.unreadable["organization"],
        )
    org = account["organization"]
    if not org:
        return fail(what + "; the account is not in an organization, so no organization analyzer covers it")
    manager = org.get("management_account_id")
    if manager != inv.account_id:
        return unknown(
            f"{what}. The account is a member of organization {org.get('id')} (management account {manager}): "
            "an ORGANIZATION analyzer in the management or delegated-administrator account may cover it, "
            "and that account's analyzers cannot be read from here. Scan that account to know",
            organization=org.get("id"),
            management_account=manager,
        )
    admins = account["access_analyzer_delegated_admins"]  # unreadable -> unknown with the reason
    if admins:
        return unknown(
            f"{what}. This is the organization's management account; Access Analyzer's delegated "
            f"administrator {', '.join(admins)} may hold an ORGANIZATION analyzer that covers it. Scan that "
            "account to know",
            delegated_administrators=admins,
        )
    return fail(what + "; this management account has no delegated administrator for Access Analyzer either")


_FINDING = {
    "analyzer": "account",
    "analyzer_type": "ACCOUNT",
    "finding_ids": ["6d1a2533-bfac-4e07-82b2-7540f68cad26"],
    "resource": "arn:aws:s3:::partner-exchange",
    "resource_type": "AWS::S3::Bucket",
    "resource_owner_account": "123456789012",
    "finding_type": "ExternalAccess",
    "status": "ACTIVE",
    "error": None,
    "created_at": "2026-10-01T08:00:00+00:00",
    "public": False,
}


@rule(
    id="accessanalyzer.external_access_finding",
    title="No active IAM Access Analyzer external-access finding",
    resource_type=FINDING,
    service="accessanalyzer",
    owner=CUSTOMER,
    layer=IAM,
    severity=HIGH,
    rationale="""Each active external-access finding is a resource IAM Access Analyzer has proven
    reachable from outside the zone of trust (another account, or anyone when public). srmscan reports
    them with the analyzer's own facts, one finding per analyzed resource (IAM roles and users once,
    though every region's analyzer reports them), so an intended share can be muted by its resource
    ARN without hiding the others. Public access is critical.""",
    remediation="""Review each: aws accessanalyzer get-finding-v2 --analyzer-arn ARN --id FINDING_ID. Remove the
    policy statement or grant that is not intended; archive the finding (or add an archive rule) only
    for access you mean to give.""",
    failing=_FINDING,
    passing={**_FINDING, "status": "RESOLVED"},
)
def external_access_finding(r, inv):
    status = r["status"]
    what = f"{r['resource_type']} {r['resource'] or '(resource not named)'}"
    facts = {
        "analyzer": r["analyzer"],
        "finding_ids": r["finding_ids"],
        "resource": r["resource"],
        "resource_type": r["resource_type"],
        "resource_owner_account": r["resource_owner_account"],
        "finding_type": r["finding_type"],
        "created_at": r["created_at"],
    }
    if status != "ACTIVE":
        return passed(f"The Access Analyzer finding on {what} is {status}", **facts)
    if r["error"]:
        return unknown(f"IAM Access Analyzer could not analyze {what}: {r['error']}", **facts)
    owner = r["resource_owner_account"]
    where = f" (owned by account {owner})" if owner and owner != inv.account_id else ""
    count = len(r["finding_ids"])
    message = (
        f"IAM Access Analyzer (analyzer {r['analyzer']}) reports {r['finding_type'] or 'external access'} to "
        f"{what}{where}, active since {r['created_at']}" + (f" ({count} findings)" if count > 1 else "")
    )
    if not r.readable("public"):
        return fail(message + "; whether the access is public could not be read", **facts)
    if r["public"]:
        return fail(message + ": the access is public", severity=CRITICAL, public=True, **facts)
    return fail(message + ": access from outside the zone of trust", public=False, **facts)
