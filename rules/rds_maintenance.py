"""The shared levers of AWS's patching: auto minor version upgrade and pending maintenance.

AWS builds minor engine versions and OS patches and applies them in our maintenance window;
whether that happens (auto minor version upgrade) and when (the window, applying early) is
ours. The pending-maintenance check is the same for RDS, DocumentDB and Neptune instances and
clusters (one DescribePendingMaintenanceActions answers for all). Auto minor version upgrade
does not apply to DocumentDB, which performs no automatic minor upgrades whatever the flag
says (botocore's DocDB model: "Does not apply"), so DocumentDB is not judged on it.
"""

from datetime import date, timedelta

from srmscan.evaluate.timestamps import parse_time
from srmscan.rules_api import (
    HIGH,
    LOW,
    MEDIUM,
    OS_PATCHING,
    RUNTIME,
    SHARED,
    Target,
    fail,
    passed,
    rule,
)

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
DOCDB_INSTANCE = "AWS::DocDB::DBInstance"
NEPTUNE_INSTANCE = "AWS::Neptune::DBInstance"
DOCDB_CLUSTER = "AWS::DocDB::DBCluster"
NEPTUNE_CLUSTER = "AWS::Neptune::DBCluster"

MAINTENANCE_SOON_DAYS = 30


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
    also=[
        Target(
            NEPTUNE_INSTANCE,
            id="neptune.instance_auto_minor_upgrade",
            title="Neptune DB instance applies minor engine upgrades automatically",
            remediation="""CLI: aws neptune modify-db-instance --db-instance-identifier DB
            --auto-minor-version-upgrade (Neptune applies them in the cluster's maintenance window).""",
            failing={"auto_minor_version_upgrade": False, "engine": "neptune", "engine_version": "1.3.2.1"},
            passing={"auto_minor_version_upgrade": True, "engine": "neptune", "engine_version": "1.3.2.1"},
        )
    ],
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


def _when(value):
    parsed = parse_time(value)
    return None if parsed is None else parsed.date()


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


def _pending_target(resource_type, service, kind, label):
    return Target(
        resource_type,
        id=f"{service}.{kind}_pending_maintenance",
        title=f"{label} has no pending maintenance actions",
        remediation=f"""Review: aws {service} describe-pending-maintenance-actions. Apply at a time of your
        choosing with aws {service} apply-pending-maintenance-action --resource-identifier ARN
        --apply-action ACTION --opt-in-type immediate (or next-maintenance).""",
        failing={"pending_maintenance": _SOON, "maintenance_window": "sun:03:00-sun:03:30"},
        passing={"pending_maintenance": [], "maintenance_window": "sun:03:00-sun:03:30"},
    )


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
    also=[
        _pending_target(CLUSTER, "rds", "cluster", "RDS DB cluster"),
        _pending_target(DOCDB_INSTANCE, "docdb", "instance", "DocumentDB instance"),
        _pending_target(DOCDB_CLUSTER, "docdb", "cluster", "DocumentDB cluster"),
        _pending_target(NEPTUNE_INSTANCE, "neptune", "instance", "Neptune DB instance"),
        _pending_target(NEPTUNE_CLUSTER, "neptune", "cluster", "Neptune DB cluster"),
    ],
)
def pending_maintenance(r, inv):
    return _pending(r, inv)
