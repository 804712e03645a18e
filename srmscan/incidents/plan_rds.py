"""Patch-plan rows for RDS DB instances: AWS patches, in the maintenance window we chose."""

from __future__ import annotations

from datetime import datetime

from srmscan.incidents.plan_common import (
    NONE_PENDING,
    PENDING_UNDATED,
    SCHEDULED,
    UNKNOWN,
    PlanRequest,
    PlanRow,
    before_deadline,
    next_weekly_window,
    parse_time,
)
from srmscan.model import Resource


def db_row(db: Resource, req: PlanRequest, now: datetime) -> PlanRow:
    window = db.attrs.get("maintenance_window")
    next_window = next_weekly_window(window, now)
    facts = [f"{db.attrs.get('engine')} {db.attrs.get('engine_version')}", f"maintenance window {window or 'unknown'}"]
    if db.type == "AWS::DocDB::DBInstance":
        facts.append("auto minor version upgrade does not apply (DocumentDB applies engine updates as pending actions)")
    else:
        facts.append(f"auto minor version upgrade {'on' if db.attrs.get('auto_minor_version_upgrade') else 'off'}")
    when: datetime | None = next_window
    if "pending_maintenance" in db.unreadable:
        status = UNKNOWN
        facts.append("pending maintenance actions could not be read")
        before = "unknown"
    else:
        actions = list(db.attrs.get("pending_maintenance") or [])
        dated = []
        for a in actions:
            applies = parse_time(a.get("current_apply") or a.get("auto_applied_after") or a.get("forced_apply"))
            text = f"pending {a.get('action')} ({a.get('description')})"
            text += f" applies {applies.date()}" if applies else " not scheduled (waits for opt-in)"
            facts.append(text)
            if applies:
                dated.append(applies)
        if dated:
            status, when = SCHEDULED, min(dated)
        elif actions:
            status = PENDING_UNDATED
        else:
            status = NONE_PENDING
            facts.append("no pending maintenance action (AWS has not queued a patch for it)")
        before = before_deadline(when, req.deadline) if status != NONE_PENDING else "n/a"
    return PlanRow(
        resource=db.id,
        name=db.name or db.id,
        resource_type=db.type,
        region=db.region,
        tier="managed",
        owner="aws",
        who_patches="AWS: host OS and engine patches, applied in our maintenance window; customer: the window and opt-ins",
        lever="aws rds apply-pending-maintenance-action --opt-in-type immediate (or next-maintenance) to apply earlier",
        status=status,
        evidence="; ".join(facts),
        deadline=req.deadline.isoformat(),
        next_window=when.isoformat() if when else "",
        window_before_deadline=before,
    )
