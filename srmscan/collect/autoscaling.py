"""Auto Scaling groups and ELBv2 load balancers: whether a workload survives losing one instance.

Surviving AWS maintenance (a scheduled stop, reboot or retirement) is a design question on
our side of the line, answered from three listings per region: groups, load balancers and
target groups. Target health is asked only for instance target groups that no Auto Scaling
group feeds (the group already names its own instances), so the call count grows with such
standalone target groups, never with instances.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, arn_resource, named_resource, tags_from
from srmscan.collect.registry import collector
from srmscan.model import Resource

ASG = "AWS::AutoScaling::AutoScalingGroup"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"


@collector(
    "autoscaling",
    scope="regional",
    produces=(ASG, LOAD_BALANCER),
    actions=[
        "autoscaling:DescribeAutoScalingGroups",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
    ],
)
def collect_autoscaling(c: Collection, region: str) -> None:
    groups = c.listing("autoscaling", region, "DescribeAutoScalingGroups", "AutoScalingGroups", gaps=(ASG,))
    lbs = c.listing("elbv2", region, "DescribeLoadBalancers", "LoadBalancers", gaps=(LOAD_BALANCER,))
    tgs = c.pages("elbv2", region, "DescribeTargetGroups", "TargetGroups") if lbs.ok else lbs
    target_groups = {str(t["TargetGroupArn"]): _target_group(t) for t in tgs.data} if tgs.ok else {}
    if groups.ok:
        for g in groups.data:
            c.add(_group(c, region, g, tgs, target_groups))
    if lbs.error is not None:
        c.account(region).unreadable["elbv2_instance_targets"] = lbs.error.id
        return
    fed = {arn for g in (groups.data or []) for arn in g.get("TargetGroupARNs", []) or []}
    targets = _standalone_targets(c, region, target_groups, fed, groups)
    for lb in lbs.data:
        c.add(_load_balancer(c, region, lb, target_groups))
    account = c.account(region)
    if targets.error is not None:
        account.unreadable["elbv2_instance_targets"] = targets.error.id
    else:
        account.attrs["elbv2_instance_targets"] = targets.data


def _target_group(t: dict[str, Any]) -> dict[str, Any]:
    return {
        "arn": t.get("TargetGroupArn"),
        "name": t.get("TargetGroupName"),
        "target_type": t.get("TargetType"),
        "protocol": t.get("Protocol"),
        "health_check_enabled": bool(t.get("HealthCheckEnabled", True)),
        "health_check_path": t.get("HealthCheckPath"),
        "load_balancer_arns": list(t.get("LoadBalancerArns", []) or []),
    }


def _group(
    c: Collection, region: str, g: dict[str, Any], tgs: Answer, target_groups: dict[str, dict[str, Any]]
) -> Resource:
    name = str(g["AutoScalingGroupName"])
    tags = tags_from(g.get("Tags"))
    template = g.get("LaunchTemplate") or (g.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get(
        "LaunchTemplateSpecification"
    )
    tg_arns = [str(a) for a in g.get("TargetGroupARNs", []) or []]
    attrs = {
        "instances": [
            {
                "id": i.get("InstanceId"),
                "availability_zone": i.get("AvailabilityZone"),
                "health_status": i.get("HealthStatus"),
                "lifecycle_state": i.get("LifecycleState"),
            }
            for i in g.get("Instances", []) or []
        ],
        "availability_zones": sorted(str(z) for z in g.get("AvailabilityZones", []) or []),
        "min_size": g.get("MinSize"),
        "max_size": g.get("MaxSize"),
        "desired_capacity": g.get("DesiredCapacity"),
        "health_check_type": g.get("HealthCheckType"),
        "target_group_arns": tg_arns,
        "load_balancer_names": [str(n) for n in g.get("LoadBalancerNames", []) or []],
        "launch_template": {
            "id": (template or {}).get("LaunchTemplateId"),
            "name": (template or {}).get("LaunchTemplateName"),
            "version": (template or {}).get("Version"),
        }
        if template
        else None,
        "launch_configuration": g.get("LaunchConfigurationName"),
        "subnets": [s for s in str(g.get("VPCZoneIdentifier") or "").split(",") if s],
    }
    res = named_resource(ASG, name, region, g.get("AutoScalingGroupARN"), "iaas", tags=tags, attrs=attrs)
    if tgs.error is not None and tg_arns:
        res.unreadable["target_groups"] = tgs.error.id
    else:
        # A target group missing from the listing (deleted under the group) reads as no health check.
        res.attrs["target_groups"] = [
            target_groups.get(a) or {"arn": a, "missing": True, "health_check_enabled": False, "load_balancer_arns": []}
            for a in tg_arns
        ]
    return res


def _load_balancer(
    c: Collection, region: str, lb: dict[str, Any], target_groups: dict[str, dict[str, Any]]
) -> Resource:
    arn = str(lb["LoadBalancerArn"])
    attrs = {
        "type": lb.get("Type"),
        "scheme": lb.get("Scheme"),
        "dns_name": str(lb.get("DNSName") or "").lower() or None,
        "state": (lb.get("State") or {}).get("Code"),
        "vpc_id": lb.get("VpcId"),
        "availability_zones": sorted(str(z.get("ZoneName")) for z in lb.get("AvailabilityZones", []) or []),
        "security_groups": list(lb.get("SecurityGroups", []) or []),
        "target_groups": [t["arn"] for t in target_groups.values() if arn in t["load_balancer_arns"]],
    }
    return arn_resource(LOAD_BALANCER, arn, lb.get("LoadBalancerName"), region, "managed", attrs=attrs)


def _standalone_targets(
    c: Collection,
    region: str,
    target_groups: dict[str, dict[str, Any]],
    fed_by_groups: set[str],
    groups: Answer,
) -> Answer:
    """instance id -> target groups it is registered in, for instance target groups no ASG feeds."""
    if groups.error is not None:
        return groups  # cannot tell which target groups an ASG feeds
    wanted = [
        t
        for arn, t in target_groups.items()
        if t["target_type"] == "instance" and t["load_balancer_arns"] and arn not in fed_by_groups
    ]
    answers = c.fanout(lambda t: (t, c.call("elbv2", region, "DescribeTargetHealth", TargetGroupArn=t["arn"])), wanted)
    out: dict[str, list[dict[str, Any]]] = {}
    for tg, answer in answers:
        if answer.error is not None:
            return answer
        for d in answer.data.get("TargetHealthDescriptions", []) or []:
            iid = str((d.get("Target") or {}).get("Id"))
            out.setdefault(iid, []).append(
                {
                    "target_group_arn": tg["arn"],
                    "load_balancer_arns": tg["load_balancer_arns"],
                    "health_check_enabled": tg["health_check_enabled"],
                    "state": (d.get("TargetHealth") or {}).get("State"),
                }
            )
    return Answer(data=out)
