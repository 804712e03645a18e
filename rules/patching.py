"""Guest-OS patching on EC2: AWS ships fixed packages; installing them is ours.

SSM facts sit on the region's account resource, keyed by instance id. If SSM could not be
read, these rules are unknown; an instance SSM cannot see is "no patch evidence", never
"patched". End of life is recognised from the AMI name with rules/data/os_lifecycle.toml.
"""

from datetime import date, datetime, timedelta

from srmscan.model import Resource
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CRITICAL,
    CUSTOMER,
    HIGH,
    LOW,
    MEDIUM,
    OS_PATCHING,
    Example,
    fail,
    passed,
    rule,
    unknown,
)

INSTANCE = "AWS::EC2::Instance"
AMI_MAX_AGE_DAYS = 180
EOL_WARNING_DAYS = 90


def _account(**attrs):
    return Resource(type=ACCOUNT_TYPE, id="123456789012", region="us-east-1", attrs=attrs)


def _running(r):
    return r.get("state") == "running"


ONLINE = {"example-resource": {"ping_status": "Online", "platform_name": "Amazon Linux"}}
GLIBC_MISSING = {
    "missing": 3,
    "failed": 0,
    "installed_pending_reboot": 0,
    "critical_non_compliant": 1,
    "security_non_compliant": 2,
    "operation": "Scan",
    "operation_end_time": "2026-11-23T03:00:00+00:00",
}
CLEAN = {**GLIBC_MISSING, "missing": 0, "critical_non_compliant": 0, "security_non_compliant": 0}


def _ssm(inv, region, key):
    """The SSM map from the region's account resource; raises Unreadable if the call failed."""
    account = inv.account(region)
    if account is None or key not in account:
        return None
    return account[key] or {}


@rule(
    id="ssm.instance_managed",
    title="EC2 instance is managed by Systems Manager",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=MEDIUM,
    fsbp=["SSM.1"],
    where=_running,
    rationale="""When a critical OS package needs patching in every instance within days, Patch Manager can only reach what SSM
    manages. An unmanaged instance needs someone to log in to it, and no one can prove it was patched.""",
    remediation="""Attach an instance profile whose role has AmazonSSMManagedInstanceCore (or turn on Default
    Host Management Configuration), make sure the SSM agent runs and can reach the ssm/ssmmessages endpoints.""",
    failing=Example({"state": "running", "iam_instance_profile": None}, related=(_account(ssm_managed_instances={}),)),
    passing=Example({"state": "running"}, related=(_account(ssm_managed_instances=ONLINE),)),
)
def instance_managed(r, inv):
    managed = _ssm(inv, r.region, "ssm_managed_instances")
    if managed is None:
        return unknown("Systems Manager data was not collected for this region")
    entry = managed.get(r.id)
    if entry is None:
        hint = "" if r.get("iam_instance_profile") else " (it has no instance profile)"
        return fail(f"Systems Manager does not manage this instance{hint}: no patch evidence")
    if entry.get("ping_status") != "Online":
        return fail(
            f"Registered with SSM but the agent is {entry.get('ping_status')} since {entry.get('last_ping')}",
            ping_status=entry.get("ping_status"),
        )
    return passed("Managed by Systems Manager, agent online", platform=entry.get("platform_name"))


@rule(
    id="ssm.patch_compliance",
    title="Managed EC2 instance is compliant with its patch baseline",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=HIGH,
    fsbp=["SSM.2"],
    where=_running,
    rationale="""The patch baseline decides which fixes (a critical glibc CVE, say) must be installed; a
    non-compliant instance still runs the vulnerable package. AWS published the fix; installing it is ours.""",
    remediation="""aws ssm send-command --document-name AWS-RunPatchBaseline --parameters Operation=Install
    --targets Key=InstanceIds,Values=ID (or a maintenance window / patch policy); for fleets, roll a patched AMI
    with an Auto Scaling instance refresh.""",
    failing=Example(
        {"state": "running"},
        related=(_account(ssm_managed_instances=ONLINE, ssm_patch_states={"example-resource": GLIBC_MISSING}),),
    ),
    passing=Example(
        {"state": "running"},
        related=(_account(ssm_managed_instances=ONLINE, ssm_patch_states={"example-resource": CLEAN}),),
    ),
)
def patch_compliance(r, inv):
    managed = _ssm(inv, r.region, "ssm_managed_instances")
    if managed is None:
        return unknown("Systems Manager data was not collected for this region")
    if r.id not in managed:
        return unknown("No patch evidence: Systems Manager does not manage this instance (see ssm.instance_managed)")
    states = _ssm(inv, r.region, "ssm_patch_states")
    state = (states or {}).get(r.id)
    if state is None:
        return unknown("No patch evidence: SSM manages the instance but no patch scan has reported for it")
    counts = {
        k: state.get(k, 0)
        for k in ("missing", "failed", "installed_pending_reboot", "critical_non_compliant", "security_non_compliant")
    }
    scanned = state.get("operation_end_time")
    if counts["missing"] or counts["failed"]:
        severity = (
            CRITICAL if counts["critical_non_compliant"] else HIGH if counts["security_non_compliant"] else MEDIUM
        )
        return fail(
            f"{counts['missing']} patch(es) missing, {counts['failed']} failed "
            f"({counts['critical_non_compliant']} critical, {counts['security_non_compliant']} security non-compliant)"
            f"; last {state.get('operation') or 'scan'} {scanned}",
            severity=severity,
            last_scan=scanned,
            baseline=state.get("baseline_id"),
            **counts,
        )
    if counts["installed_pending_reboot"]:
        return fail(
            f"{counts['installed_pending_reboot']} patch(es) installed but pending reboot: not yet in effect",
            severity=MEDIUM,
            last_scan=scanned,
            **counts,
        )
    return passed(
        f"Compliant with its patch baseline at the last {state.get('operation') or 'scan'} ({scanned})",
        last_scan=scanned,
        **counts,
    )


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()


def _missing(r):
    """Why the instance's AMI could not be described, as the collector could tell it."""
    return r.get("image_missing") or f"AMI {r.get('image_id')} can no longer be described (deregistered or unshared)"


def match_os(image, table):
    """The first os_lifecycle entry whose match strings occur in the lower-cased AMI name (then description)."""
    for text in ((image or {}).get("name"), (image or {}).get("description")):
        lowered = str(text or "").lower()
        if not lowered:
            continue
        for entry in table.get("os", []):
            if any(m in lowered for m in entry.get("match", [])):
                return entry
    return None


@rule(
    id="ec2.os_end_of_life",
    title="EC2 instance runs an operating system that still gets security updates",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=HIGH,
    where=lambda r: r.get("state") in ("running", "stopped", "pending", "stopping"),
    rationale="""After end of life the vendor publishes no more fixes: a glibc CVE on Amazon Linux 2 after
    June 2026 stays open however diligent the patching. Recognised from the AMI name.""",
    remediation="""Rebuild on a supported release (e.g. Amazon Linux 2023) through a new launch template version
    and an instance refresh, or buy extended support where the vendor offers it.""",
    failing={"state": "running", "image": {"name": "amzn2-ami-hvm-2.0.20240109.0-x86_64-gp2"}},
    passing={"state": "running", "image": {"name": "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64"}},
)
def os_end_of_life(r, inv):
    image = r["image"]
    if image is None:
        return unknown(f"{_missing(r)}: OS unknown")
    entry = match_os(image, inv.table("os_lifecycle"))
    if entry is None:
        return unknown(f"Operating system not recognised from AMI name {str(image.get('name'))[:120]!r}")
    eol = _date(entry["end_of_life"])
    today = inv.scan_time.date()
    evidence = {"os": entry["name"], "end_of_life": eol.isoformat(), "ami": image.get("name")}
    if eol < today:
        return fail(f"{entry['name']} reached end of life on {eol.isoformat()}: no more security fixes", **evidence)
    if eol - today <= timedelta(days=EOL_WARNING_DAYS):
        return fail(f"{entry['name']} reaches end of life on {eol.isoformat()}", severity=MEDIUM, **evidence)
    return passed(f"{entry['name']} is supported until {eol.isoformat()}", **evidence)


@rule(
    id="ec2.ami_age",
    title=f"EC2 instance runs an AMI built in the last {AMI_MAX_AGE_DAYS} days",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=LOW,
    where=lambda r: r.get("state") in ("running", "stopped", "pending", "stopping"),
    rationale="""An old AMI means every replacement instance (scale-out, ASG health replacement, AWS
    retirement) boots with months of missing patches until Patch Manager catches up.""",
    remediation="""Publish a fresh AMI (EC2 Image Builder, or the latest vendor AMI via the SSM public
    parameter) in a new launch template version and roll it with an instance refresh.""",
    failing={"state": "running", "image": {"name": "x", "creation_date": "2024-01-09T00:00:00.000Z"}},
    passing={"state": "running", "image": {"name": "x", "creation_date": "2026-10-30T00:00:00.000Z"}},
)
def ami_age(r, inv):
    image = r["image"]
    if image is None or not image.get("creation_date"):
        return unknown(f"{_missing(r)}: age unknown")
    created = _date(image["creation_date"])
    age = (inv.scan_time.date() - created).days
    evidence = {"ami": image.get("name"), "created": created.isoformat(), "age_days": age}
    if age > AMI_MAX_AGE_DAYS:
        return fail(f"The AMI is {age} days old (built {created.isoformat()})", **evidence)
    return passed(f"The AMI is {age} days old", **evidence)
