"""EC2, VPC, SSM patching and maintenance resilience against moto in-process.

moto 5.2.5 has no SSM instance information or patch states and cannot schedule EC2 events:
those answers are injected with botocore event hooks on the scanner's session (`aws.events`),
as marked in each test. Everything else is real moto behaviour.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import boto3

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate
from srmscan.evaluate.resilience import NO_ACTION
from srmscan.model import Inventory, Resource, Status
from tests.helpers import by_rule, fail_operation, one

REGION = "eu-west-1"
MINE = {"ec2", "ssm", "autoscaling"}


def _image(ec2: Any, prefix: str = "al2023-ami-2023") -> str:
    found = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [f"{prefix}*x86_64*"]}])
    return str(sorted(found["Images"], key=lambda i: i["Name"])[0]["ImageId"])


def _vpc(ec2: Any, cidr: str = "10.1.0.0/16") -> str:
    return str(ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])


def _main_table(ec2: Any, vpc: str) -> str:
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )
    return str(tables["RouteTables"][0]["RouteTableId"])


def _subnet(ec2: Any, vpc: str, cidr: str, zone: str = "a") -> str:
    return str(ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"])


def _run(ec2: Any, subnet: str, count: int = 1, **extra: Any) -> list[str]:
    out = ec2.run_instances(
        ImageId=extra.pop("ImageId", None) or _image(ec2),
        MinCount=count,
        MaxCount=count,
        InstanceType="t3.micro",
        SubnetId=subnet,
        **extra,
    )
    return [str(i["InstanceId"]) for i in out["Instances"]]


def _scan(aws: AwsSession, ruleset: Any) -> tuple[Inventory, list[Any]]:
    inv = collect_inventory(aws, [REGION], only=MINE)
    return inv, evaluate(inv, ruleset)


def _res(inv: Inventory, rtype: str, rid: str) -> Resource:
    return next(r for r in inv.resources if r.type == rtype and r.id == rid)


def _respond(parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    return SimpleNamespace(status_code=200, headers={}), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}


def _simulate_ssm(events: Any, managed: dict[str, dict[str, Any]], calls: list[list[str]] | None = None) -> None:
    """SIMULATED SSM answers (moto lacks both APIs): `managed` maps instance id -> patch counts or None."""

    def information(**_: Any) -> Any:
        return _respond(
            {
                "InstanceInformationList": [
                    {"InstanceId": i, "PingStatus": "Online", "PlatformName": "Amazon Linux"} for i in managed
                ]
            }
        )

    def patch_states(params: dict[str, Any], **_: Any) -> Any:
        wanted = json.loads(params.get("body") or b"{}").get("InstanceIds", [])
        if calls is not None:
            calls.append(wanted)
        assert len(wanted) <= 50
        return _respond(
            {
                "InstancePatchStates": [
                    {
                        "InstanceId": i,
                        "BaselineId": "pb-1",
                        "Operation": "Scan",
                        "OperationEndTime": datetime(2026, 11, 23, tzinfo=UTC),
                        "MissingCount": managed[i].get("missing", 0),
                        "FailedCount": 0,
                        "CriticalNonCompliantCount": managed[i].get("critical", 0),
                        "SecurityNonCompliantCount": managed[i].get("security", 0),
                    }
                    for i in wanted
                    if managed.get(i) is not None
                ]
            }
        )

    events.register("before-call.ssm.DescribeInstanceInformation", information)
    events.register("before-call.ssm.DescribeInstancePatchStates", patch_states)


def _simulate_events(events: Any, planned: dict[str, dict[str, Any]]) -> None:
    """SIMULATED scheduled events: moto's DescribeInstanceStatus never carries any."""

    def add(parsed: dict[str, Any], **_: Any) -> None:
        for status in parsed.get("InstanceStatuses", []) or []:
            if status.get("InstanceId") in planned:
                status["Events"] = [planned[status["InstanceId"]]]

    events.register("after-call.ec2.DescribeInstanceStatus", add)


# --- networking -----------------------------------------------------------------------------
def test_subnet_public_through_main_route_table_and_private_through_explicit_one(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    vpc = _vpc(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = _main_table(ec2, vpc)
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    via_main = _subnet(ec2, vpc, "10.1.1.0/24")
    private = _subnet(ec2, vpc, "10.1.2.0/24")
    private_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_table, SubnetId=private)
    # An IPv6-only default route to the gateway also makes a subnet public.
    v6 = _subnet(ec2, vpc, "10.1.3.0/24")
    v6_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=v6_table, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=v6_table, SubnetId=v6)
    inst = _run(ec2, via_main)[0]

    inv, _ = _scan(aws, ruleset)
    assert _res(inv, "AWS::EC2::Subnet", via_main).attrs["public"] is True
    assert _res(inv, "AWS::EC2::Subnet", via_main).attrs["route_table_via"] == "main"
    assert _res(inv, "AWS::EC2::Subnet", private).attrs["public"] is False
    assert _res(inv, "AWS::EC2::Subnet", private).attrs["route_table_via"] == "explicit"
    assert _res(inv, "AWS::EC2::Subnet", v6).attrs["public"] is True
    assert _res(inv, "AWS::EC2::Instance", inst).attrs["in_public_subnet"] is True


def test_route_table_listing_denied_makes_publicity_unknown(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    vpc = _vpc(ec2)
    subnet = _subnet(ec2, vpc, "10.1.1.0/24")
    inst = _run(ec2, subnet)[0]
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    fail_operation(aws.events, "ec2", "DescribeRouteTables")
    inv, findings = _scan(aws, ruleset)
    assert "public" in _res(inv, "AWS::EC2::Subnet", subnet).unreadable
    assert "in_public_subnet" in _res(inv, "AWS::EC2::Instance", inst).unreadable
    # moto gives the instance a public IP; whether it is reachable cannot be told: unknown, not pass.
    public = one(findings, "ec2.public_ip", inst)
    assert public.status is Status.UNKNOWN and "ec2:DescribeRouteTables" in (public.unknown_reason or "")


def test_security_group_open_ssh_fails_and_restricted_twin_passes(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    vpc = _vpc(ec2)
    open_sg = ec2.create_security_group(GroupName="open", Description="x", VpcId=vpc)["GroupId"]
    tight_sg = ec2.create_security_group(GroupName="tight", Description="x", VpcId=vpc)["GroupId"]
    world = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    office = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "198.51.100.0/24"}]}]
    ec2.authorize_security_group_ingress(GroupId=open_sg, IpPermissions=world)
    ec2.authorize_security_group_ingress(GroupId=tight_sg, IpPermissions=office)
    db_sg = ec2.create_security_group(GroupName="db", Description="x", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=db_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5000, "ToPort": 5500, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
    )
    _, findings = _scan(aws, ruleset)
    assert one(findings, "vpc.sg_admin_ports_open", open_sg).status is Status.FAIL
    assert one(findings, "vpc.sg_admin_ports_open", tight_sg).status is Status.PASS
    assert one(findings, "vpc.sg_high_risk_ports_open", tight_sg).status is Status.PASS
    db = one(findings, "vpc.sg_high_risk_ports_open", db_sg)
    assert db.status is Status.FAIL and "5432 (PostgreSQL) from ::/0" in db.message


def test_flow_logs_twin_vpcs_and_ebs_default(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    logged, bare = _vpc(ec2), _vpc(ec2, "10.2.0.0/16")
    session.client("logs", region_name=REGION).create_log_group(logGroupName="flows")
    made = ec2.create_flow_logs(
        ResourceIds=[logged],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName="flows",
        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
    )
    assert not made.get("Unsuccessful")
    ec2.enable_ebs_encryption_by_default()
    _, findings = _scan(aws, ruleset)
    assert one(findings, "vpc.flow_logs", logged).status is Status.PASS
    assert one(findings, "vpc.flow_logs", bare).status is Status.FAIL
    assert one(findings, "ec2.ebs_encryption_by_default").status is Status.PASS


# --- instances, AMIs, user data -------------------------------------------------------------
def test_instance_facts_deregistered_ami_and_no_user_data(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    vpc = _vpc(ec2)
    subnet = _subnet(ec2, vpc, "10.1.1.0/24")
    own = ec2.register_image(Name="custom-golden-image", RootDeviceName="/dev/xvda")["ImageId"]
    al2 = _image(ec2, "amzn2-ami-hvm-2.0")
    gone = _run(ec2, subnet, ImageId=own, UserData="DB_PASSWORD=hunter2-secret")[0]
    legacy = _run(ec2, subnet, ImageId=al2, MetadataOptions={"HttpTokens": "required"})[0]
    ec2.deregister_image(ImageId=own)
    ec2.create_launch_template(
        LaunchTemplateName="lt", LaunchTemplateData={"ImageId": al2, "UserData": "aHVudGVyMi1zZWNyZXQ="}
    )
    inv, findings = _scan(aws, ruleset)
    dumped = json.dumps(inv.to_dict(), default=str)
    assert "hunter2" not in dumped and "aHVudGVyMi1zZWNyZXQ=" not in dumped
    assert _res(inv, "AWS::EC2::Instance", gone).attrs["image"] is None
    eol_gone = one(findings, "ec2.os_end_of_life", gone)
    assert eol_gone.status is Status.UNKNOWN and "deregistered" in eol_gone.message
    eol = one(findings, "ec2.os_end_of_life", legacy)
    assert eol.status is Status.FAIL and eol.evidence["os"] == "Amazon Linux 2"
    assert one(findings, "ec2.imdsv2_required", legacy).status is Status.PASS
    lt = next(r for r in inv.resources if r.type == "AWS::EC2::LaunchTemplate")
    assert lt.attrs["image"]["name"].startswith("amzn2-ami-hvm-2.0")


def test_unrecognised_os_is_unknown_not_pass(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    subnet = _subnet(ec2, _vpc(ec2), "10.1.1.0/24")
    own = ec2.register_image(Name="acme-base-v7", RootDeviceName="/dev/xvda")["ImageId"]
    inst = _run(ec2, subnet, ImageId=own)[0]
    _, findings = _scan(aws, ruleset)
    assert one(findings, "ec2.os_end_of_life", inst).status is Status.UNKNOWN
    assert one(findings, "ec2.ami_age", inst).status is Status.PASS  # moto dates every AMI "now"


def test_amis_are_described_in_one_call_by_filter(session, aws, ruleset) -> None:
    """Several AMIs, one DescribeImages call, by `image-id` filter (AWS fails an ImageIds request
    outright when one of the AMIs was deregistered; the filter just leaves it out)."""
    ec2 = session.client("ec2", region_name=REGION)
    subnet = _subnet(ec2, _vpc(ec2), "10.1.1.0/24")
    first = _run(ec2, subnet)[0]
    second = _run(ec2, subnet, ImageId=_image(ec2, "amzn2-ami-hvm-2.0"))[0]
    seen: list[dict[str, Any]] = []
    aws.events.register("provide-client-params.ec2.DescribeImages", lambda params, **_: seen.append(params))
    inv, _ = _scan(aws, ruleset)
    assert len(seen) == 1 and "ImageIds" not in seen[0]
    assert len(seen[0]["Filters"][0]["Values"]) == 2
    assert _res(inv, "AWS::EC2::Instance", first).attrs["image"]["name"].startswith("al2023-ami-")
    assert _res(inv, "AWS::EC2::Instance", second).attrs["image"]["name"].startswith("amzn2-ami-hvm-2.0")


# --- SSM patching (incident 1) --------------------------------------------------------------
def test_unmanaged_instance_fails_ssm1_and_noncompliant_fails_ssm2(session, aws, ruleset) -> None:
    """SSM answers are SIMULATED with before-call hooks: moto has no DescribeInstanceInformation."""
    ec2 = session.client("ec2", region_name=REGION)
    subnet = _subnet(ec2, _vpc(ec2), "10.1.1.0/24")
    managed_bad, managed_ok, unscanned, unmanaged = _run(ec2, subnet, count=4)
    _simulate_ssm(
        aws.events,
        {managed_bad: {"missing": 3, "critical": 1, "security": 2}, managed_ok: {}, unscanned: None},
    )
    _, findings = _scan(aws, ruleset)
    assert one(findings, "ssm.instance_managed", unmanaged).status is Status.FAIL
    assert one(findings, "ssm.instance_managed", managed_ok).status is Status.PASS
    bad = one(findings, "ssm.patch_compliance", managed_bad)
    assert bad.status is Status.FAIL and bad.severity == "critical"
    assert bad.evidence["critical_non_compliant"] == 1 and bad.evidence["missing"] == 3
    assert one(findings, "ssm.patch_compliance", managed_ok).status is Status.PASS
    # No scan reported, or not managed at all: no patch evidence, never "compliant".
    assert one(findings, "ssm.patch_compliance", unscanned).status is Status.UNKNOWN
    assert one(findings, "ssm.patch_compliance", unmanaged).status is Status.UNKNOWN
    assert one(findings, "ec2.instance_profile", unmanaged).status is Status.FAIL


def test_ssm_denied_or_unimplemented_is_unknown_never_pass(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    subnet = _subnet(ec2, _vpc(ec2), "10.1.1.0/24")
    inst = _run(ec2, subnet)[0]
    # moto itself: the API is not implemented.
    _, findings = _scan(aws, ruleset)
    for rule_id in ("ssm.instance_managed", "ssm.patch_compliance"):
        assert one(findings, rule_id, inst).status is Status.UNKNOWN
    # AccessDenied, injected with a before-call hook.
    fail_operation(aws.events, "ssm", "DescribeInstanceInformation")
    inv, findings = _scan(aws, ruleset)
    for rule_id in ("ssm.instance_managed", "ssm.patch_compliance"):
        f = one(findings, rule_id, inst)
        assert f.status is Status.UNKNOWN and "ssm:DescribeInstanceInformation" in (f.unknown_reason or "")
    account = next(r for r in inv.resources if r.type == "AWS::::Account" and r.region == REGION)
    assert {"ssm_managed_instances", "ssm_patch_states"} <= set(account.unreadable)


def test_patch_states_denied_is_unknown(session, aws, ruleset) -> None:
    """Instance information SIMULATED by hook; DescribeInstancePatchStates denied by hook."""
    ec2 = session.client("ec2", region_name=REGION)
    inst = _run(ec2, _subnet(ec2, _vpc(ec2), "10.1.1.0/24"))[0]
    fail_operation(aws.events, "ssm", "DescribeInstancePatchStates")
    _simulate_ssm(aws.events, {inst: {}})
    _, findings = _scan(aws, ruleset)
    assert one(findings, "ssm.instance_managed", inst).status is Status.PASS
    f = one(findings, "ssm.patch_compliance", inst)
    assert f.status is Status.UNKNOWN and "ssm:DescribeInstancePatchStates" in (f.unknown_reason or "")


# --- resilience and scheduled events (incident 3) --------------------------------------------
def _fleet(session: boto3.Session, zones: tuple[str, ...] = ("a", "b")) -> dict[str, Any]:
    """An ASG across `zones` behind a health-checked ALB target group, plus one standalone instance."""
    ec2 = session.client("ec2", region_name=REGION)
    vpc = _vpc(ec2)
    subnets = {z: _subnet(ec2, vpc, f"10.1.{n}.0/24", z) for n, z in enumerate(("a", "b"))}
    elb = session.client("elbv2", region_name=REGION)
    elb.create_load_balancer(Name="web", Subnets=list(subnets.values()), Type="application")
    tg = elb.create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance", HealthCheckEnabled=True
    )["TargetGroups"][0]["TargetGroupArn"]
    lt = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"ImageId": _image(ec2)})
    asg = session.client("autoscaling", region_name=REGION)
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateId": lt["LaunchTemplate"]["LaunchTemplateId"]},
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=1,
        VPCZoneIdentifier=",".join(subnets[z] for z in zones),
        TargetGroupARNs=[tg],
        HealthCheckType="ELB",
    )
    # moto starts every group instance in the first subnet: attach one from the other zone.
    other = _run(ec2, subnets[zones[-1]])[0]
    asg.attach_instances(AutoScalingGroupName="web", InstanceIds=[other])
    members = [i["InstanceId"] for i in asg.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]]
    return {"members": members, "standalone": _run(ec2, subnets["a"])[0], "subnets": subnets}


def _event(code: str, days: float) -> dict[str, Any]:
    return {
        "InstanceEventId": f"instance-event-{code}",
        "Code": code,
        "Description": "simulated",
        "NotBefore": datetime.now(UTC) + timedelta(days=days),
    }


def test_scheduled_event_on_asg_member_needs_no_action(session, aws, ruleset) -> None:
    """Scheduled events SIMULATED with an after-call hook on DescribeInstanceStatus."""
    fleet = _fleet(session)
    member, alone = fleet["members"][0], fleet["standalone"]
    _simulate_events(aws.events, {member: _event("system-reboot", 10), alone: _event("instance-stop", 2)})
    _, findings = _scan(aws, ruleset)

    aws_side = one(findings, "ec2.scheduled_event", member)
    assert aws_side.status is Status.INFO and aws_side.owner == "aws" and aws_side.layer == "physical"
    assert NO_ACTION in aws_side.message
    assert one(findings, "ec2.scheduled_event_survivable", member).status is Status.PASS

    lone = one(findings, "ec2.scheduled_event", alone)
    assert lone.status is Status.INFO and "Action required before" in lone.message
    assert lone.severity == "critical"  # two days away
    shared = one(findings, "ec2.scheduled_event_survivable", alone)
    assert shared.status is Status.FAIL and shared.owner == "shared"
    assert "not in an Auto Scaling group" in shared.message and "stop and start it yourself" in shared.message
    assert shared.evidence["deadline"]
    # No event, no event finding.
    assert not by_rule(findings, "ec2.scheduled_event", fleet["members"][1])


def test_single_az_group_is_named_in_the_verdict(session, aws, ruleset) -> None:
    """Scheduled event SIMULATED with an after-call hook."""
    fleet = _fleet(session, zones=("a",))
    member = fleet["members"][0]
    _simulate_events(aws.events, {member: _event("instance-retirement", 20)})
    _, findings = _scan(aws, ruleset)
    shared = one(findings, "ec2.scheduled_event_survivable", member)
    assert shared.status is Status.FAIL and "single Availability Zone" in shared.message
    assert shared.severity == "medium"
    assert one(findings, "autoscaling.multi_az", "web").status is Status.FAIL
    assert one(findings, "autoscaling.load_balancer", "web").status is Status.PASS
    assert one(findings, "autoscaling.elb_health_check", "web").status is Status.PASS


def test_asg_listing_denied_leaves_event_stated_but_verdict_unknown(session, aws, ruleset) -> None:
    """Scheduled event SIMULATED with an after-call hook; DescribeAutoScalingGroups denied by hook."""
    fleet = _fleet(session)
    member = fleet["members"][0]
    _simulate_events(aws.events, {member: _event("system-reboot", 10)})
    fail_operation(aws.events, "auto-scaling", "DescribeAutoScalingGroups")
    _, findings = _scan(aws, ruleset)
    stated = one(findings, "ec2.scheduled_event", member)
    assert stated.status is Status.INFO and "Customer side unknown" in stated.message
    assert one(findings, "ec2.scheduled_event_survivable", member).status is Status.UNKNOWN
    assert one(findings, "ec2.instance_in_auto_scaling_group", member).status is Status.UNKNOWN


# --- API-call budget --------------------------------------------------------------------------
def _budget(session: boto3.Session, aws: AwsSession, instances: int, subnets: int) -> tuple[int, list[list[str]]]:
    ec2 = session.client("ec2", region_name=REGION)
    vpc = _vpc(ec2)
    ids = [_subnet(ec2, vpc, f"10.1.{n}.0/24", "ab"[n % 2]) for n in range(subnets)]
    launched = [i for n in range(instances) for i in _run(ec2, ids[n % len(ids)])]
    counted: list[str] = []
    # Parameter building precedes before-call, so this also sees calls the SSM simulation answers.
    aws.events.register("before-parameter-build", lambda model, **_: counted.append(model.name))
    calls: list[list[str]] = []
    _simulate_ssm(aws.events, {i: {} for i in launched}, calls)
    inv = collect_inventory(aws, [REGION], only=MINE)
    assert len(counted) == inv.api_calls + 1  # + sts:GetCallerIdentity, made before collection
    assert counted.count("DescribeImages") == 1
    return inv.api_calls, calls


def test_api_calls_do_not_grow_with_instances_or_subnets(session, aws, ruleset) -> None:
    """SSM answers SIMULATED by hooks; the count comes from the collection and a before-call hook."""
    small, _ = _budget(session, aws, instances=2, subnets=2)
    with_more = AwsSession(boto3.Session(region_name=REGION))
    # Same moto account, more of everything: the calls must stay the same.
    large, ssm_batches = _budget(session, with_more, instances=12, subnets=8)
    assert large == small
    assert len(ssm_batches) == 1 and len(ssm_batches[0]) == 12


def test_patch_states_are_batched_by_fifty(session, aws, ruleset) -> None:
    """SSM answers SIMULATED by hooks: 60 managed instance ids -> two batches (50 + 10)."""
    fake = {f"i-{n:017x}": {} for n in range(60)}
    calls: list[list[str]] = []
    _simulate_ssm(aws.events, fake, calls)
    inv = collect_inventory(aws, [REGION], only={"ssm"})
    assert [len(c) for c in calls] == [50, 10]
    account = next(r for r in inv.resources if r.type == "AWS::::Account" and r.region == REGION)
    assert len(account.attrs["ssm_patch_states"]) == 60
