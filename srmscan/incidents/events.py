"""Does this maintenance event hurt us? The `srmscan events` listing.

AWS owns the event; the customer-side verdict comes from srmscan.evaluate.resilience, the same words
the `ec2.scheduled_event*` scan findings use. Sources: EC2 scheduled events (already on each
instance from the ec2 collector), RDS pending maintenance actions (on each DB instance), and
AWS Health scheduled changes. Health needs a Business or Enterprise support plan: without one
the answer is `unknown` with that reason, never "no events".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from srmscan.collect.context import Collection
from srmscan.collect.registry import declare_actions
from srmscan.collect.session import AwsSession, partition_region
from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS, team_of
from srmscan.evaluate.resilience import assess, describe_event, open_events, verdict_text
from srmscan.evaluate.rules_api import InventoryView, ResourceView, Unreadable
from srmscan.model import GLOBAL_REGION, Inventory

HEALTH_ACTIONS = ("health:DescribeEvents", "health:DescribeAffectedEntities")
declare_actions("events", HEALTH_ACTIONS)

HEALTH_REGION = "us-east-1"  # the AWS Health API's global endpoint in the aws partition
AFFECTED_BATCH = 10  # DescribeAffectedEntities accepts at most 10 event ARNs
EC2_INSTANCE = "AWS::EC2::Instance"
DB_INSTANCE = "AWS::RDS::DBInstance"
# DocumentDB and Neptune instances share RDS's pending-maintenance listing.
DB_INSTANCE_TYPES = (DB_INSTANCE, "AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance")

COLUMNS = [
    "source",
    "state",
    "event",
    "resource",
    "resource_type",
    "region",
    "owner",
    "layer",
    "starts",
    "ends",
    "action_required",
    "verdict",
    "description",
    "name",
    "team",
]


@dataclass
class EventRow:
    source: str  # ec2 | rds | health
    state: str  # scheduled | unknown
    event: str
    resource: str
    resource_type: str
    region: str
    owner: str
    layer: str
    starts: str
    ends: str
    action_required: str  # yes | no | unknown
    verdict: str
    description: str
    name: str = ""  # the resource's Name tag or identifier, beside its id
    team: str = ""  # from the owner tags, as in scan findings

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        return {k: str(data[k]) for k in COLUMNS}


@dataclass
class HealthAnswer:
    """Health scheduled changes, or why they could not be read (kept as data, like every failure)."""

    events: list[dict[str, Any]] | None
    entities: dict[str, list[str]]
    error: str | None = None
    kind: str | None = None


def collect_health(aws: AwsSession, inv: Inventory) -> HealthAnswer:
    """Upcoming and open scheduled changes for the scanned regions (plus global ones)."""
    # Health's global endpoint is in the partition's own default region (us-gov-west-1, cn-northwest-1).
    health_region = partition_region(inv.partition)
    c = Collection(aws, inv.account_id, inv.partition, [health_region])
    try:
        listing = c.pages(
            "health",
            health_region,
            "DescribeEvents",
            "events",
            filter={"eventTypeCategories": ["scheduledChange"], "eventStatusCodes": ["upcoming", "open"]},
        )
        if listing.error is not None:
            kind = listing.error.kind.value
            why = listing.error.reason
            if kind == "not_subscribed":
                why += ": the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise support plan"
            return HealthAnswer(None, {}, why, kind)
        wanted = set(inv.regions) | {GLOBAL_REGION}
        events = [e for e in listing.data if isinstance(e, dict) and str(e.get("region") or GLOBAL_REGION) in wanted]
        arns = [str(e.get("arn")) for e in events if e.get("arn")]
        entities: dict[str, list[str]] = {}
        for start in range(0, len(arns), AFFECTED_BATCH):
            batch = arns[start : start + AFFECTED_BATCH]
            answer = c.pages(
                "health", health_region, "DescribeAffectedEntities", "entities", filter={"eventArns": batch}
            )
            if answer.error is not None:
                for arn in batch:
                    entities[arn] = [f"unknown: {answer.error.reason}"]
                continue
            for ent in answer.data:
                if isinstance(ent, dict) and ent.get("entityValue"):
                    entities.setdefault(str(ent.get("eventArn")), []).append(str(ent["entityValue"])[:256])
        return HealthAnswer(events, entities)
    finally:
        c.close()


def ec2_code(health_code: str) -> str:
    """The EC2 event code a Health event type corresponds to, so the verdict names the same own move."""
    code = health_code.upper()
    if "RETIREMENT" in code:
        return "instance-retirement"
    if "REBOOT" in code:
        return "system-reboot" if "SYSTEM" in code or "MAINTENANCE" in code else "instance-reboot"
    if "STOP" in code:
        return "instance-stop"
    return health_code


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def _verdict(view: ResourceView, inv: InventoryView, event: dict[str, Any]) -> tuple[str, str]:
    try:
        assessment = assess(view, inv)
    except Unreadable as gap:
        return "unknown", f"Customer side unknown: could not read {gap.what}."
    return ("no" if assessment.survives else "yes"), verdict_text(assessment, event)


def _ec2_rows(inv: Inventory, view: InventoryView) -> list[EventRow]:
    rows = []
    unreadable_regions: dict[str, str] = {}
    for res in inv.resources:
        if res.type != EC2_INSTANCE:
            continue
        r = ResourceView(res)
        try:
            events = open_events(r)
        except Unreadable as gap:
            err = inv.error(gap.error_id)
            unreadable_regions[res.region] = err.reason if err else f"error {gap.error_id}"
            continue
        for event in events:
            required, verdict = _verdict(r, view, event)
            rows.append(
                EventRow(
                    source="ec2",
                    state="scheduled",
                    event=str(event.get("code") or ""),
                    resource=res.id,
                    resource_type=EC2_INSTANCE,
                    region=res.region,
                    owner="aws",
                    layer="physical",
                    starts=str(event.get("not_before") or ""),
                    ends=str(event.get("not_after") or event.get("not_before_deadline") or ""),
                    action_required=required,
                    verdict=verdict,
                    description=describe_event(event),
                )
            )
    for region, reason in sorted(unreadable_regions.items()):
        rows.append(_unknown("ec2", region, f"EC2 scheduled events could not be read: {reason}"))
    return rows


def _unknown(source: str, region: str, reason: str) -> EventRow:
    return EventRow(
        source=source,
        state="unknown",
        event="",
        resource="",
        resource_type="",
        region=region,
        owner="aws",
        layer="physical",
        starts="",
        ends="",
        action_required="unknown",
        verdict=reason,
        description="",
    )


def _rds_rows(inv: Inventory) -> list[EventRow]:
    rows = []
    for res in inv.resources:
        if res.type not in DB_INSTANCE_TYPES:
            continue
        if "pending_maintenance" in res.unreadable:
            err = inv.error(res.unreadable["pending_maintenance"])
            rows.append(
                _unknown("rds", res.region, f"{res.id}: pending maintenance unreadable ({err.reason if err else ''})")
            )
            continue
        multi_az = bool(res.attrs.get("multi_az"))
        window = res.attrs.get("maintenance_window") or "unknown"
        for action in res.attrs.get("pending_maintenance") or []:
            starts = action.get("current_apply") or action.get("auto_applied_after") or action.get("forced_apply")
            if multi_az:
                verdict = (
                    f"No action required: Multi-AZ, AWS patches the standby first and fails over (about a minute) "
                    f"in the window {window}. Confirm after the window that the instance is available."
                )
            else:
                verdict = (
                    f"Action required{' before ' + str(starts) if starts else ''}: single-AZ instance, down while "
                    f"AWS applies it in the window {window}. Options: apply it earlier in a window of your choosing "
                    "(aws rds apply-pending-maintenance-action), or enable Multi-AZ."
                )
            rows.append(
                EventRow(
                    source="rds",
                    state="scheduled" if starts else "pending",
                    event=str(action.get("action") or ""),
                    resource=res.id,
                    resource_type=res.type,
                    region=res.region,
                    owner="aws",
                    # AWS's engine/OS patching, carried out on its hosts in our window.
                    layer="os_patching" if action.get("action") == "system-update" else "runtime",
                    starts=str(starts or ""),
                    ends=str(action.get("forced_apply") or ""),
                    action_required="no" if multi_az else "yes",
                    verdict=verdict if starts else verdict + " Not scheduled yet: it waits for an opt-in.",
                    description=str(action.get("description") or ""),
                )
            )
    return rows


def _health_rows(health: HealthAnswer | None, inv: Inventory, view: InventoryView) -> list[EventRow]:
    if health is None:
        return []
    if health.events is None:
        return [_unknown("health", GLOBAL_REGION, f"AWS Health scheduled changes unknown: {health.error}")]
    rows = []
    for e in health.events:
        arn = str(e.get("arn") or "")
        entities = health.entities.get(arn) or [""]
        for entity in entities:
            instance = view.find(EC2_INSTANCE, entity) if entity.startswith("i-") else None
            event = {
                "code": ec2_code(str(e.get("eventTypeCode") or "")),
                "not_before": _iso(e.get("startTime")),
                "description": "",
            }
            if instance is not None:
                required, verdict = _verdict(instance, view, event)
            elif entity.startswith("unknown:"):
                required, verdict = "unknown", f"Affected resources {entity}"
            else:
                required = "unknown"
                verdict = (
                    "Read the event in the AWS Health Dashboard: the affected resource is not one srmscan assesses."
                )
            rows.append(
                EventRow(
                    source="health",
                    state="scheduled",
                    event=str(e.get("eventTypeCode") or ""),
                    resource=entity if not entity.startswith("unknown:") else "",
                    resource_type=EC2_INSTANCE if instance is not None else str(e.get("service") or ""),
                    region=str(e.get("region") or GLOBAL_REGION),
                    owner="aws",
                    layer="physical",
                    starts=_iso(e.get("startTime")),
                    ends=_iso(e.get("endTime")),
                    action_required=required,
                    verdict=verdict,
                    description=str(e.get("statusCode") or ""),
                )
            )
    return rows


def list_events(
    inv: Inventory, health: HealthAnswer | None, owner_tags: Iterable[str] = DEFAULT_OWNER_TAGS
) -> list[EventRow]:
    """Every scheduled event as a row with the customer-side verdict, its resource's name and team. Pure."""
    view = InventoryView(inv)
    rows = _ec2_rows(inv, view) + _rds_rows(inv) + _health_rows(health, inv, view)
    tags = tuple(owner_tags)
    index = {(r.type, r.id): r for r in inv.resources}
    for row in rows:
        res = index.get((row.resource_type, row.resource))
        if res is not None:
            row.name = res.name or ""
            row.team = (team_of(res, tags) or "") if "tags" not in res.unreadable else ""
    return sorted(rows, key=lambda r: (r.state != "unknown", r.starts or "9999", r.source, r.resource))


def summarise(rows: list[EventRow]) -> dict[str, Any]:
    known = [r for r in rows if r.state != "unknown"]
    return {
        "events": len(known),
        "action_required": sum(1 for r in known if r.action_required == "yes"),
        "no_action": sum(1 for r in known if r.action_required == "no"),
        "verdict_unknown": sum(1 for r in known if r.action_required == "unknown"),
        "sources_unknown": sorted({r.source for r in rows if r.state == "unknown"}),
    }
