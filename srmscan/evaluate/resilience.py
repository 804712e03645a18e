"""Will this instance's workload survive AWS stopping or rebooting it?

Pure functions over the inventory, shared by the resilience rules and the `events` command,
so that a scan finding and the event listing give the same verdict in the same words. AWS
owns the hardware and schedules the event; whether we notice is decided by our design: an
Auto Scaling group with at least two healthy instances in at least two Availability Zones,
registered in a load balancer target group that health-checks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from srmscan.evaluate.rules_api import InventoryView, ResourceView
from srmscan.evaluate.timestamps import parse_time
from srmscan.model import Severity

ASG = "AWS::AutoScaling::AutoScalingGroup"
NO_ACTION = "No action required; the ASG handles it. Confirm after the window that the replacement is healthy."
NOT_IN_ASG = "single instance: not in an Auto Scaling group, nothing replaces it"

# What we can do ourselves before AWS acts, per event code.
_OWN_MOVE = {
    "instance-stop": "stop and start it yourself before the deadline, in a window of your choosing "
    "(it comes back on healthy hardware)",
    "instance-retirement": "stop and start it yourself before the deadline, in a window of your choosing "
    "(it comes back on healthy hardware)",
    "instance-reboot": "reboot it yourself before the deadline, in a window of your choosing",
    "system-reboot": "reschedule the reboot to a window of your choosing (aws ec2 modify-instance-event-start-time)",
    "system-maintenance": "plan for degraded service during the window, or stop and start it earlier",
}
_BETTER = (
    "or put it behind an Auto Scaling group spanning two or more Availability Zones, "
    "registered in a load balancer target group with health checks"
)


@dataclass(frozen=True)
class Assessment:
    """What stands between an instance and surviving a stop or reboot."""

    asg: str | None
    healthy: int
    zones: tuple[str, ...]
    behind_load_balancer: bool
    health_check: bool
    missing: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def survives(self) -> bool:
        return not self.missing

    def evidence(self) -> dict[str, Any]:
        return {
            "auto_scaling_group": self.asg,
            "healthy_in_service": self.healthy,
            "availability_zones": list(self.zones),
            "behind_load_balancer": self.behind_load_balancer,
            "health_check": self.health_check,
            "missing": list(self.missing),
        }


def find_asg(instance: ResourceView, inv: InventoryView) -> ResourceView | None:
    """The group that lists this instance; raises Unreadable if groups could not be listed."""
    for group in inv.resources(ASG, instance.region):
        if any(m.get("id") == instance.id for m in group["instances"]):
            return group
    return None


def assess(instance: ResourceView, inv: InventoryView) -> Assessment:
    """Whether losing this one instance for a while would hurt; raises Unreadable on missing evidence."""
    group = find_asg(instance, inv)
    if group is None:
        return _standalone(instance, inv)
    healthy = [
        m for m in group["instances"] if m.get("health_status") == "Healthy" and m.get("lifecycle_state") == "InService"
    ]
    zones = tuple(sorted({str(m.get("availability_zone")) for m in healthy}))
    classic = list(group.get("load_balancer_names") or [])
    target_groups = [t for t in group["target_groups"] if not t.get("missing")]
    behind = bool(target_groups or classic)
    checked = any(t.get("health_check_enabled") for t in target_groups) or bool(
        classic and group.get("health_check_type") == "ELB"
    )
    missing = []
    if len(healthy) < 2:
        missing.append(f"single instance: the Auto Scaling group has {len(healthy)} healthy in-service instance(s)")
    if len(zones) < 2:
        missing.append("single Availability Zone: " + (", ".join(zones) or "no healthy instance"))
    if not behind:
        missing.append("no load balancer: the group is not registered in any target group")
    elif not checked:
        missing.append("no health check: the target groups do not health-check their targets")
    notes: tuple[str, ...] = ()
    if behind and group.get("health_check_type") != "ELB":
        notes = (
            "the group replaces instances only on EC2 status checks (health check type EC2), not on the load "
            "balancer's verdict",
        )
    return Assessment(group.id, len(healthy), zones, behind, checked, tuple(missing), notes)


def _standalone(instance: ResourceView, inv: InventoryView) -> Assessment:
    account = inv.account(instance.region)
    targets: list[dict[str, Any]] = []
    notes: tuple[str, ...] = ()
    if account is not None and account.readable("elbv2_instance_targets") and "elbv2_instance_targets" in account:
        targets = list((account["elbv2_instance_targets"] or {}).get(instance.id, []))
    else:
        notes = ("load balancer registration could not be read",)
    behind = bool(targets)
    checked = any(t.get("health_check_enabled") for t in targets)
    zone = instance.get("availability_zone")
    missing = [NOT_IN_ASG, f"single Availability Zone: {zone or 'unknown'}"]
    if not behind and not notes:
        missing.append("no load balancer")
    elif behind and not checked:
        missing.append("no health check")
    return Assessment(None, 1, (str(zone),) if zone else (), behind, checked, tuple(missing), notes)


def open_events(instance: ResourceView) -> list[dict[str, Any]]:
    """Scheduled events AWS still intends to carry out (completed and canceled ones dropped)."""
    return [e for e in instance["scheduled_events"] or [] if not e.get("completed")]


def deadline_severity(event: dict[str, Any], now: datetime) -> Severity:
    """The sooner AWS acts, the more urgent our side is: <=3 days critical, <=7 high, <=30 medium."""
    start = parse_time(event.get("not_before"))
    if start is None:
        return Severity.HIGH
    days = (start - now).total_seconds() / 86400
    if days <= 3:
        return Severity.CRITICAL
    if days <= 7:
        return Severity.HIGH
    if days <= 30:
        return Severity.MEDIUM
    return Severity.LOW


def describe_event(event: dict[str, Any]) -> str:
    window = event.get("not_before") or "an unannounced time"
    if event.get("not_after"):
        window = f"{window} to {event['not_after']}"
    text = f"{event.get('code') or 'event'} scheduled for {window}"
    if event.get("description"):
        text += f" ({event['description']})"
    return text


def verdict_text(assessment: Assessment, event: dict[str, Any] | None = None) -> str:
    """The customer-side verdict, in the words the `events` command and the scan findings share."""
    if assessment.survives:
        return NO_ACTION
    deadline = (event or {}).get("not_before")
    own = _OWN_MOVE.get(str((event or {}).get("code")), "act before the deadline in a window of your choosing")
    text = "Action required" + (f" before {deadline}" if deadline else "") + ": " + "; ".join(assessment.missing)
    text += f". Options: {own}, {_BETTER}."
    if assessment.notes:
        text += " Note: " + "; ".join(assessment.notes) + "."
    return text
