"""Surviving AWS scheduled maintenance: AWS schedules the stop; our design decides if it hurts.

The event itself is AWS's (owner aws, layer physical) and is stated as `info` with our side's
verdict in the message; whether the workload survives it is a shared finding that fails when
the instance is a single point of failure. The verdict wording lives in srmscan.evaluate.resilience so
the `events` command and these findings say the same thing.
"""

from srmscan.evaluate.resilience import (
    NO_ACTION,
    assess,
    deadline_severity,
    describe_event,
    open_events,
    verdict_text,
)
from srmscan.model import Resource, Status
from srmscan.rules_api import (
    AWS,
    INFO,
    LOW,
    MEDIUM,
    PHYSICAL,
    SHARED,
    Example,
    Unreadable,
    Verdict,
    fail,
    passed,
    rule,
)

INSTANCE = "AWS::EC2::Instance"
ASG = "AWS::AutoScaling::AutoScalingGroup"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"
EVENT = {
    "id": "instance-event-0abc",
    "code": "instance-stop",
    "description": "The instance is running on degraded hardware",
    "not_before": "2026-11-28T02:00:00+00:00",
    "not_after": "2026-11-28T04:00:00+00:00",
    "completed": False,
}


def _group(*members, zones=("us-east-1a", "us-east-1b"), target_groups=True, check_type="ELB"):
    return Resource(
        type=ASG,
        id="web",
        region="us-east-1",
        name="web",
        attrs={
            "instances": [
                {
                    "id": m,
                    "availability_zone": zones[n % len(zones)],
                    "health_status": "Healthy",
                    "lifecycle_state": "InService",
                }
                for n, m in enumerate(members)
            ],
            "availability_zones": list(zones),
            "health_check_type": check_type,
            "target_group_arns": [TG_ARN] if target_groups else [],
            "load_balancer_names": [],
            "target_groups": [{"arn": TG_ARN, "health_check_enabled": True, "load_balancer_arns": ["lb"]}]
            if target_groups
            else [],
            "desired_capacity": len(members),
        },
    )


STANDALONE = {"availability_zone": "us-east-1a", "state": "running"}
IN_FLEET = Example(
    attrs={"availability_zone": "us-east-1a", "state": "running", "scheduled_events": [EVENT]},
    related=(_group("example-resource", "i-2"),),
)
ALONE = Example(attrs={**STANDALONE, "scheduled_events": [EVENT]}, related=(_group("i-1", "i-2"),))


def _verdicts(r, inv):
    events = open_events(r)
    if not events:
        return None, None
    return events, assess(r, inv)


@rule(
    id="ec2.scheduled_event",
    title="AWS scheduled maintenance event on an EC2 instance",
    resource_type=INSTANCE,
    service="ec2",
    owner=AWS,
    layer=PHYSICAL,
    severity=MEDIUM,
    rationale="""AWS owns the host hardware and schedules stops, reboots and retirements when it must
    (DescribeInstanceStatus events). The event is AWS's; the message carries our side's verdict: whether the
    workload survives it or what is missing, and by when.""",
    remediation="""If the verdict says action is required: stop/start (or reboot) the instance yourself before
    the deadline in a window of your choosing, or reschedule a system reboot with
    aws ec2 modify-instance-event-start-time; for good, run it in an Auto Scaling group across two or more AZs
    behind a load balancer with health checks.""",
    failing=Example(ALONE.attrs, ALONE.related, expect=Status.INFO),
    passing=Example(IN_FLEET.attrs, IN_FLEET.related, expect=Status.INFO),
)
def scheduled_event(r, inv):
    events = open_events(r)
    if not events:
        return None
    event = min(events, key=lambda e: e.get("not_before") or "")
    try:
        assessment = assess(r, inv)
    except Unreadable as gap:
        # The event is still AWS's fact worth stating; only our side's verdict is unknown.
        verdict = f"Customer side unknown: could not read {gap.what}."
        return Verdict(
            Status.INFO,
            f"AWS scheduled {describe_event(event)}. {verdict}",
            {"events": events, "verdict": verdict},
            deadline_severity(event, inv.scan_time),
        )
    verdict = verdict_text(assessment, event)
    severity = INFO if assessment.survives else deadline_severity(event, inv.scan_time)
    return Verdict(
        Status.INFO,
        f"AWS scheduled {describe_event(event)}. {verdict}",
        {"events": events, "verdict": verdict, **assessment.evidence()},
        severity,
    )


@rule(
    id="ec2.scheduled_event_survivable",
    title="Workload survives the AWS scheduled event on its instance",
    resource_type=INSTANCE,
    service="ec2",
    owner=SHARED,
    layer=PHYSICAL,
    severity=MEDIUM,
    rationale="""AWS will stop or reboot the instance; we decide whether anyone notices. An instance outside an
    Auto Scaling group, or a group in one AZ or without a health-checked load balancer, turns AWS's routine
    maintenance into our outage.""",
    remediation="""Before the deadline: stop/start the instance in a window of your choosing (instance-stop,
    retirement), reboot it (instance-reboot) or reschedule (aws ec2 modify-instance-event-start-time). Lasting
    fix: launch it from a launch template in an Auto Scaling group spanning two or more AZs, registered in an
    ALB/NLB target group with health checks and HealthCheckType=ELB.""",
    failing=ALONE,
    passing=IN_FLEET,
)
def scheduled_event_survivable(r, inv):
    events, assessment = _verdicts(r, inv)
    if events is None:
        return None
    event = min(events, key=lambda e: e.get("not_before") or "")
    text = verdict_text(assessment, event)
    if assessment.survives:
        return passed(f"{describe_event(event)}. {NO_ACTION}", **assessment.evidence())
    return fail(
        f"{describe_event(event)}. {text}",
        severity=deadline_severity(event, inv.scan_time),
        deadline=event.get("not_before"),
        **assessment.evidence(),
    )


@rule(
    id="ec2.instance_in_auto_scaling_group",
    title="EC2 instance is replaceable: it runs in an Auto Scaling group",
    resource_type=INSTANCE,
    service="ec2",
    owner=SHARED,
    layer=PHYSICAL,
    severity=LOW,
    where=lambda r: r.get("state") in ("running", "pending", "stopped", "stopping"),
    rationale="""AWS retires degraded hardware and schedules stops with short notice. A standalone instance is
    a single point of failure for that routine maintenance; a group replaces it without anyone being paged.""",
    remediation="""Capture the instance as an AMI or launch template, then create an Auto Scaling group
    (min 2) across two or more subnets in different AZs, attached to a load balancer target group.""",
    failing=Example(STANDALONE, related=(_group("i-1", "i-2"),)),
    passing=Example(STANDALONE, related=(_group("example-resource", "i-2"),)),
)
def instance_in_auto_scaling_group(r, inv):
    assessment = assess(r, inv)
    if assessment.asg is None:
        return fail(
            "The instance is not in an Auto Scaling group: " + "; ".join(assessment.missing), **assessment.evidence()
        )
    return passed(f"The instance runs in Auto Scaling group {assessment.asg}", **assessment.evidence())


@rule(
    id="autoscaling.multi_az",
    title="Auto Scaling group spans at least two Availability Zones",
    resource_type=ASG,
    owner=SHARED,
    layer=PHYSICAL,
    severity=MEDIUM,
    fsbp=["AutoScaling.2"],
    rationale="""AWS builds each Availability Zone to fail independently; a group confined to one zone loses
    everything when that zone (or its hardware under maintenance) does.""",
    remediation="""aws autoscaling update-auto-scaling-group --auto-scaling-group-name NAME
    --vpc-zone-identifier "subnet-in-az-a,subnet-in-az-b" """,
    failing=Example(_group("i-1", "i-2", zones=("us-east-1a",)).attrs),
    passing=Example(_group("i-1", "i-2").attrs),
)
def multi_az(r, inv):
    zones = list(r["availability_zones"] or [])
    if len(zones) < 2:
        return fail(f"The group is configured for one Availability Zone: {', '.join(zones) or 'none'}", zones=zones)
    members = [m for m in r["instances"] if m.get("lifecycle_state") == "InService"]
    used = sorted({str(m.get("availability_zone")) for m in members})
    if len(members) >= 2 and len(used) < 2:
        return fail(
            f"The group allows {len(zones)} zones but its {len(members)} instances all run in {used[0]}",
            zones=zones,
            instance_zones=used,
        )
    return passed(f"The group spans {len(zones)} Availability Zones", zones=zones, instance_zones=used)


@rule(
    id="autoscaling.load_balancer",
    title="Auto Scaling group is registered behind a load balancer",
    resource_type=ASG,
    owner=SHARED,
    layer=PHYSICAL,
    severity=LOW,
    rationale="""Without a load balancer, clients keep talking to an instance AWS is about to stop, and
    nothing drains it first. (Queue workers and batch fleets may legitimately have none: mute with a reason.)""",
    remediation="""aws autoscaling attach-load-balancer-target-groups --auto-scaling-group-name NAME
    --target-group-arns TG_ARN""",
    failing=Example(_group("i-1", "i-2", target_groups=False).attrs),
    passing=Example(_group("i-1", "i-2").attrs),
)
def load_balancer(r, inv):
    if r["target_group_arns"] or r["load_balancer_names"]:
        return passed(
            "The group is registered with a load balancer",
            target_groups=r["target_group_arns"],
            classic=r["load_balancer_names"],
        )
    return fail("The group is not registered in any target group or classic load balancer")


@rule(
    id="autoscaling.elb_health_check",
    title="Auto Scaling group behind a load balancer uses ELB health checks",
    resource_type=ASG,
    owner=SHARED,
    layer=PHYSICAL,
    severity=LOW,
    fsbp=["AutoScaling.1"],
    rationale="""With health check type EC2 the group only replaces instances whose EC2 status checks fail; an
    instance the load balancer has marked unhealthy (e.g. after a botched reboot) stays in service.""",
    remediation="""aws autoscaling update-auto-scaling-group --auto-scaling-group-name NAME
    --health-check-type ELB --health-check-grace-period 300""",
    failing=Example(_group("i-1", "i-2", check_type="EC2").attrs),
    passing=Example(_group("i-1", "i-2").attrs),
)
def elb_health_check(r, inv):
    if not (r["target_group_arns"] or r["load_balancer_names"]):
        return None
    if r["health_check_type"] == "ELB":
        return passed("The group uses the load balancer's health checks")
    return fail(f"The group uses health check type {r['health_check_type']}, not ELB")
