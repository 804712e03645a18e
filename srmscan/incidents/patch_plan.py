"""Who patches what, by when, for one OS-package CVE: a pure function of the inventory and the extra evidence.

One row per compute resource in scope. The responsibility split follows the service tier:
EC2 and ECS container instances are ours end to end; on Fargate AWS patches the host and we
rebuild the image; Lambda managed runtimes are AWS's unless pinned (or shipped as a container
image); RDS is AWS's, applied in the maintenance window we chose. What could not be seen is
said as such: an instance SSM cannot see is "no patch evidence", never patched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS, team_of
from srmscan.incidents.evidence import PatchEvidence
from srmscan.incidents.plan_common import (
    AFTER_DEADLINE,
    AWS_PATCHES,
    CHECK_LAYERS,
    COLUMNS,
    CONTAINER_INSTANCE,
    DB_INSTANCE_TYPES,
    DEFAULT_SLA,
    EC2_INSTANCE,
    ECS_SERVICE,
    FUNCTION,
    LIVE_STATES,
    MISSING,
    NO_EVIDENCE,
    NO_SCAN,
    NONE_PENDING,
    NOT_CHECKED,
    NOT_IN_SCAN,
    NOT_REPORTED,
    OURS,
    OURS_ON_UPDATE,
    OVERDUE,
    PENDING_REBOOT,
    PENDING_UNDATED,
    REBUILD,
    SCHEDULED,
    SETTLED,
    UNKNOWN,
    Plan,
    PlanInputError,
    PlanRequest,
    PlanRow,
    make_request,
    matches_package,
    next_weekly_window,
    package_name,
    parse_sla,
    parse_time,
)
from srmscan.incidents.plan_ec2 import instance_row, orphan_host
from srmscan.incidents.plan_ecs import service_row
from srmscan.incidents.plan_lambda import function_row, runtime_deprecations
from srmscan.incidents.plan_rds import db_row
from srmscan.model import Inventory, Resource

# The public API of the patch plan (the CLI and tests import it from here).
__all__ = [
    "AWS_PATCHES",
    "CHECK_LAYERS",
    "COLUMNS",
    "DEFAULT_SLA",
    "MISSING",
    "NONE_PENDING",
    "NOT_CHECKED",
    "NOT_IN_SCAN",
    "NOT_REPORTED",
    "NO_EVIDENCE",
    "NO_SCAN",
    "OURS",
    "OURS_ON_UPDATE",
    "PENDING_REBOOT",
    "PENDING_UNDATED",
    "REBUILD",
    "SCHEDULED",
    "UNKNOWN",
    "Plan",
    "PlanInputError",
    "PlanRequest",
    "PlanRow",
    "build_plan",
    "make_request",
    "matches_package",
    "next_weekly_window",
    "package_name",
    "parse_sla",
    "runtime_deprecations",
    "summarise",
]


def build_plan(
    inv: Inventory,
    evidence: PatchEvidence,
    req: PlanRequest,
    now: datetime | None = None,
    *,
    owner_tags: Iterable[str] = DEFAULT_OWNER_TAGS,
    runtimes: Mapping[str, date | None] | None = None,
) -> Plan:
    """Every compute resource in the inventory as a row, plus the per-owner summary. Pure.

    `runtimes` maps Lambda runtime ids to their deprecation dates (`runtime_deprecations` of the
    rule set's tables): a function on a deprecated runtime is ours, since AWS no longer patches it.
    """
    now = now or parse_time(inv.started_at) or datetime.now(UTC)
    by_type: dict[str, list[Resource]] = {}
    for res in inv.resources:
        by_type.setdefault(res.type, []).append(res)
    instances = {r.id: r for r in by_type.get(EC2_INSTANCE, []) if r.attrs.get("state") in LIVE_STATES}
    hosts = {str(ci.attrs.get("ec2_instance_id")): ci for ci in by_type.get(CONTAINER_INSTANCE, [])}
    rows = [instance_row(i, req, inv, evidence, now, hosts.get(iid)) for iid, i in sorted(instances.items())]
    for iid, ci in sorted(hosts.items()):
        if iid not in instances:
            rows.append(orphan_host(ci, req))
    rows += [service_row(s, req, inv) for s in sorted(by_type.get(ECS_SERVICE, []), key=lambda r: r.id)]
    rows += [
        function_row(f, req, evidence, now.date(), runtimes)
        for f in sorted(by_type.get(FUNCTION, []), key=lambda r: r.id)
    ]
    dbs = [d for t in DB_INSTANCE_TYPES for d in by_type.get(t, [])]
    rows += [db_row(d, req, now) for d in sorted(dbs, key=lambda r: r.id)]
    _teams_and_flags(rows, inv, tuple(owner_tags), req, now.date())
    notes = _notes(inv, evidence, req)
    overdue = _count(rows, lambda r: OVERDUE in r.flags)
    if req.deadline < now.date():
        days = (now.date() - req.deadline).days
        notes.insert(1, f"The deadline {req.deadline} passed {_plural(days, 'day')} ago: {overdue} row(s) still open.")
    late = _count(rows, lambda r: AFTER_DEADLINE in r.flags)
    if late:
        notes.insert(1, f"{_plural(late, 'row')}: the next patch window lands after the deadline {req.deadline}.")
    return Plan(request=req, rows=rows, summary=summarise(rows, req), notes=notes)


def _teams_and_flags(
    rows: list[PlanRow], inv: Inventory, owner_tags: tuple[str, ...], req: PlanRequest, today: date
) -> None:
    """The owning team of each row (its resource's owner tags; an image's services for ECR), and its flags."""
    index: dict[str, Resource] = {}
    for res in inv.resources:
        index.setdefault(res.id, res)
        if res.arn:
            index.setdefault(res.arn, res)
    for row in rows:
        found = index.get(row.resource)
        if found is not None and "tags" not in found.unreadable:
            row.team = team_of(found, owner_tags) or ""
        flags = []
        if req.deadline < today and row.status not in SETTLED:
            flags.append(OVERDUE)
        if row.window_before_deadline == "no" and row.status not in SETTLED:
            flags.append(AFTER_DEADLINE)
        row.flags = ",".join(flags)


def _notes(inv: Inventory, evidence: PatchEvidence, req: PlanRequest) -> list[str]:
    notes = [
        f"Deadline {req.deadline}: disclosed {req.disclosed}"
        + ("" if req.disclosed_given else " (not given: counted from the scan date)")
        + f" + {req.sla_days} days ({req.severity} SLA)."
    ]
    if evidence.capped:
        notes.append(
            f"{len(evidence.capped)} managed instance(s) were not looked up (over the per-run cap): "
            + ", ".join(evidence.capped[:10])
            + ("…" if len(evidence.capped) > 10 else "")
        )
    gaps = sorted({f"{g.resource_type} in {g.region}" for g in inv.gaps})
    if gaps:
        notes.append("Could not list (rows may be missing): " + ", ".join(gaps))
    return notes


def _count(rows: list[PlanRow], pred: Callable[[PlanRow], bool]) -> int:
    return sum(1 for r in rows if pred(r))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summarise(rows: list[PlanRow], req: PlanRequest) -> dict[str, Any]:
    """Counts per owner and the one-line summaries, from the rows alone (so they always agree)."""
    hosts = [r for r in rows if r.resource_type in (EC2_INSTANCE, CONTAINER_INSTANCE)]
    managed = _count(hosts, lambda r: r.managed)
    without = _count(hosts, lambda r: r.status == NO_EVIDENCE)
    missing = _count(hosts, lambda r: r.status in (MISSING, PENDING_REBOOT))
    unchecked = _count(hosts, lambda r: r.status == NOT_CHECKED)
    services = [r for r in rows if r.resource_type == ECS_SERVICE]
    images = sorted({i for r in services for i in r.images_to_rebuild})
    no_scan = _count(services, lambda r: r.status == NO_SCAN)
    fns = [r for r in rows if r.resource_type == FUNCTION]
    fn_ours = _count(fns, lambda r: r.status in (OURS, OURS_ON_UPDATE))
    fn_layers = _count(fns, lambda r: r.status == CHECK_LAYERS)
    fn_auto = _count(fns, lambda r: r.status in (AWS_PATCHES, CHECK_LAYERS))
    fn_unknown = _count(fns, lambda r: r.status == UNKNOWN)
    fargate = [r for r in services if r.tier == "container"]
    pinned = _count(fargate, lambda r: "pinned to" in r.evidence)
    dbs = [r for r in rows if r.resource_type in DB_INSTANCE_TYPES]
    scheduled = sorted(r.next_window[:10] for r in dbs if r.status == SCHEDULED)

    customer = [f"{_plural(len(hosts), 'instance')} ({managed} managed, {without} without patch evidence"]
    customer[0] += f"; {missing} with {req.subject} not in effect" if missing else ""
    customer[0] += f"; {unchecked} not checked" if unchecked else ""
    customer[0] += ")"
    customer.append(f"{_plural(len(images), 'image')} to rebuild")
    if no_scan:
        customer.append(f"{_plural(no_scan, 'service')} without image scan evidence")
    if fn_ours:
        customer.append(f"{_plural(fn_ours, 'function')} with a pinned, image or deprecated runtime")
    if fn_layers:
        customer.append(f"{_plural(fn_layers, 'function')} with layers to check")
    aws = []
    if fargate:
        aws.append(
            "Fargate hosts on LATEST"
            if not pinned
            else f"Fargate hosts: {len(fargate) - pinned} service(s) on LATEST, {pinned} pinned (patched revisions on task replacement)"
        )
    if fn_auto:
        aws.append(f"Lambda runtimes patched automatically for {_plural(fn_auto, 'function')}")
    if dbs:
        undated = _count(dbs, lambda r: r.status == PENDING_UNDATED)
        db_text = (
            f"RDS patches scheduled {', '.join(sorted(set(scheduled)))}" if scheduled else "no RDS patch scheduled"
        )
        if undated:
            db_text += f" ({undated} instance(s) with undated pending actions)"
        aws.append(db_text)
    lines = ["Customer: " + ", ".join(customer) + "."]
    lines.append("AWS: " + (", ".join(aws) if aws else "nothing in scope") + ".")
    unknown = _count(rows, lambda r: r.status == UNKNOWN)
    if unknown or fn_unknown:
        lines.append(f"Unknown: {_plural(unknown, 'resource')} whose patch owner or state could not be read.")
    return {
        "instances": len(hosts),
        "managed": managed,
        "without_patch_evidence": without,
        "not_in_effect": missing,
        "not_checked": unchecked,
        "images_to_rebuild": len(images),
        "services_without_scan_evidence": no_scan,
        "functions_ours": fn_ours,
        "functions_with_layers": fn_layers,
        "functions_aws_patched": fn_auto,
        "fargate_services": len(fargate),
        "fargate_pinned": pinned,
        "rds_scheduled": sorted(set(scheduled)),
        "unknown": unknown,
        "lines": lines,
    }
