"""Incidents 1 and 3 on EC2: a glibc-style patch emergency and an AWS scheduled maintenance event.

The story, in eu-west-1:
- `acme-web`: Amazon Linux 2023 instances in an Auto Scaling group across two AZs, behind an
  ALB target group with health checks. All are SSM-managed; half are missing a critical glibc
  patch. One of them has an AWS system-reboot scheduled: the ASG absorbs it (no action).
- `acme-batch-*`: two standalone AL2023 instances launched without an instance profile, so SSM
  cannot see them (no patch evidence), in a public subnet with public IPs.
- `acme-legacy-reporting`: a lone Amazon Linux 2 instance (end of life 2026-06-30) on an old
  AMI, IMDSv1, SSH open to the world, missing patches, and with an AWS instance-stop
  scheduled: a single point of failure.
- Two VPCs: `acme-prod` with flow logs, `acme-sandbox` without.

moto lacks SSM instance information and patch states, and cannot schedule EC2 events; those
answers are the demo's SIMULATED data, injected by `install` through botocore event hooks.
"""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from srmscan.demo.account import DemoWorld

ORDER = 40
REGION = "eu-west-1"
OLD_AMI_DATE = "2023-04-18T09:12:00.000Z"  # simulated: moto dates every AMI "now"


def _image(ec2: Any, prefix: str) -> str:
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [f"{prefix}*x86_64*"]}])
    names = sorted(images["Images"], key=lambda i: i["Name"])
    if names:
        return str(names[0]["ImageId"])
    return str(ec2.register_image(Name=f"{prefix}demo-x86_64", RootDeviceName="/dev/xvda")["ImageId"])


def _network(ec2: Any) -> dict[str, str]:
    prod = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[prod], Tags=[{"Key": "Name", "Value": "acme-prod"}])
    sandbox = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[sandbox], Tags=[{"Key": "Name", "Value": "acme-sandbox"}])
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=prod)
    public = ec2.create_route_table(VpcId=prod)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ids = {"vpc_prod": prod, "vpc_sandbox": sandbox}
    for n, zone in enumerate(("a", "b")):
        pub = ec2.create_subnet(VpcId=prod, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=f"{REGION}{zone}")
        ids[f"public_{zone}"] = pub["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=public, SubnetId=ids[f"public_{zone}"])
        priv = ec2.create_subnet(VpcId=prod, CidrBlock=f"10.20.{10 + n}.0/24", AvailabilityZone=f"{REGION}{zone}")
        ids[f"private_{zone}"] = priv["Subnet"]["SubnetId"]  # main route table: no internet route
    ec2.modify_subnet_attribute(SubnetId=ids["public_a"], MapPublicIpOnLaunch={"Value": True})
    ec2.create_flow_logs(
        ResourceIds=[prod],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::acme-access-logs",
    )
    return ids


def _profile(world: DemoWorld) -> str:
    iam = world.client("iam", REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName="acme-ec2-ssm", AssumeRolePolicyDocument=json.dumps(trust))
    profile = iam.create_instance_profile(InstanceProfileName="acme-ec2-ssm")["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="acme-ec2-ssm", RoleName="acme-ec2-ssm")
    return str(profile["Arn"])


def _run(ec2: Any, name: str, image: str, subnet: str, **extra: Any) -> str:
    tags = [
        {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}, {"Key": "Team", "Value": "platform"}]}
    ]
    out = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small", SubnetId=subnet, TagSpecifications=tags, **extra
    )
    return str(out["Instances"][0]["InstanceId"])


def seed(world: DemoWorld) -> None:
    ec2 = world.client("ec2", REGION)
    net = _network(ec2)
    al2023 = _image(ec2, "al2023-ami-2023")
    al2 = _image(ec2, "amzn2-ami-hvm-2.0")
    profile = _profile(world)

    web_sg = ec2.create_security_group(GroupName="acme-web", Description="web", VpcId=net["vpc_prod"])["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    ssh_sg = ec2.create_security_group(GroupName="acme-legacy-ssh", Description="legacy", VpcId=net["vpc_prod"])[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=ssh_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )

    template = ec2.create_launch_template(
        LaunchTemplateName="acme-web",
        LaunchTemplateData={
            "ImageId": al2023,
            "InstanceType": "t3.small",
            "IamInstanceProfile": {"Arn": profile},
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
            "SecurityGroupIds": [web_sg],
        },
    )["LaunchTemplate"]["LaunchTemplateId"]

    elb = world.client("elbv2", REGION)
    lb = elb.create_load_balancer(
        Name="acme-web", Subnets=[net["public_a"], net["public_b"]], SecurityGroups=[web_sg], Type="application"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(
        Name="acme-web",
        Protocol="HTTP",
        Port=80,
        VpcId=net["vpc_prod"],
        TargetType="instance",
        HealthCheckEnabled=True,
        HealthCheckPath="/healthz",
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(
        LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}]
    )
    asg = world.client("autoscaling", REGION)
    asg.create_auto_scaling_group(
        AutoScalingGroupName="acme-web",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Default"},
        MinSize=2,
        MaxSize=8,
        DesiredCapacity=2,
        VPCZoneIdentifier=f"{net['private_a']},{net['private_b']}",
        TargetGroupARNs=[tg],
        HealthCheckType="ELB",
        HealthCheckGracePeriod=300,
        Tags=[
            {"Key": "Team", "Value": "web", "PropagateAtLaunch": True},
            {"Key": "Name", "Value": "acme-web", "PropagateAtLaunch": True},
        ],
    )
    # moto launches every group instance into the first subnet; launch two more in the second AZ
    # from the same template and attach them, as a balanced group would look.
    zone_b = ec2.run_instances(
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Default"},
        MinCount=2,
        MaxCount=2,
        SubnetId=net["private_b"],
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [{"Key": "Name", "Value": "acme-web"}, {"Key": "Team", "Value": "web"}],
            }
        ],
    )["Instances"]
    asg.attach_instances(AutoScalingGroupName="acme-web", InstanceIds=[i["InstanceId"] for i in zone_b])
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["acme-web"])["AutoScalingGroups"][0]
    web = sorted(i["InstanceId"] for i in group["Instances"])
    for iid in web:  # moto does not apply the template's metadata options to group instances
        ec2.modify_instance_metadata_options(InstanceId=iid, HttpTokens="required", HttpEndpoint="enabled")

    batch = [
        _run(ec2, f"acme-batch-{n}", al2023, net["public_a"], MetadataOptions={"HttpTokens": "required"})
        for n in (1, 2)
    ]
    legacy = _run(
        ec2,
        "acme-legacy-reporting",
        al2,
        net["public_b"],
        IamInstanceProfile={"Arn": profile},
        SecurityGroupIds=[ssh_sg],
        MetadataOptions={"HttpTokens": "optional"},
    )
    world.ids["ec2"] = {
        "web": web,
        "batch": batch,
        "legacy": legacy,
        "old_ami": al2,
        "group": "acme-web",
        **net,
    }


# --- simulated answers for what moto cannot do ---------------------------------------------
def _respond(parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    return SimpleNamespace(status_code=200, headers={}), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}


def install(events: Any, world: DemoWorld) -> None:
    ids = world.ids.get("ec2")
    if not ids:
        return
    now = world.now
    web, legacy = ids["web"], ids["legacy"]
    managed = [*web, legacy]  # the batch instances have no instance profile: SSM never hears of them
    glibc_missing = set(web[: len(web) // 2]) | {legacy}

    def instance_information(**kwargs: Any) -> Any:
        if kwargs["context"].get("client_region") not in (None, REGION):
            return _respond({"InstanceInformationList": []})
        # SIMULATED demo data: what SSM would report for the managed instances.
        info = [
            {
                "InstanceId": iid,
                "PingStatus": "Online",
                "LastPingDateTime": now - timedelta(minutes=3),
                "AgentVersion": "3.3.1142.0",
                "PlatformType": "Linux",
                "PlatformName": "Amazon Linux",
                "PlatformVersion": "2" if iid == legacy else "2023",
                "ResourceType": "EC2Instance",
            }
            for iid in managed
        ]
        return _respond({"InstanceInformationList": info})

    def patch_states(**kwargs: Any) -> Any:
        wanted = json.loads(kwargs["params"].get("body") or b"{}").get("InstanceIds", [])
        # SIMULATED demo data: the last Patch Manager scan, with the critical glibc fix missing on some.
        states = [
            {
                "InstanceId": iid,
                "PatchGroup": "web",
                "BaselineId": "pb-0e392de35e7c563b7",
                "Operation": "Scan",
                "OperationStartTime": now - timedelta(hours=6, minutes=4),
                "OperationEndTime": now - timedelta(hours=6),
                "InstalledCount": 412,
                "MissingCount": 3 if iid in glibc_missing else 0,
                "FailedCount": 0,
                "InstalledPendingRebootCount": 0,
                "CriticalNonCompliantCount": 1 if iid in glibc_missing else 0,
                "SecurityNonCompliantCount": 3 if iid in glibc_missing else 0,
                "OtherNonCompliantCount": 0,
            }
            for iid in wanted
            if iid in managed
        ]
        return _respond({"InstancePatchStates": states})

    def scheduled_events(parsed: dict[str, Any], **kwargs: Any) -> None:
        # SIMULATED demo data: AWS scheduled maintenance, which moto cannot produce.
        planned = {
            legacy: {
                "InstanceEventId": "instance-event-0d59937288b749b32",
                "Code": "instance-stop",
                "Description": "The instance is running on degraded hardware",
                "NotBefore": now + timedelta(days=5, hours=2),
                "NotBeforeDeadline": now + timedelta(days=12),
            },
            web[0]: {
                "InstanceEventId": "instance-event-0a1f2c3d4e5f60718",
                "Code": "system-reboot",
                "Description": "Scheduled system reboot",
                "NotBefore": now + timedelta(days=9, hours=1),
                "NotAfter": now + timedelta(days=9, hours=3),
            },
        }
        for status in parsed.get("InstanceStatuses", []) or []:
            event = planned.get(status.get("InstanceId"))
            if event:
                status["Events"] = [event]

    def image_dates(parsed: dict[str, Any], **kwargs: Any) -> None:
        for image in parsed.get("Images", []) or []:
            if image.get("ImageId") == ids["old_ami"]:
                image["CreationDate"] = OLD_AMI_DATE  # SIMULATED: the legacy AMI is years old

    events.register("before-call.ssm.DescribeInstanceInformation", instance_information)
    events.register("before-call.ssm.DescribeInstancePatchStates", patch_states)
    events.register("after-call.ec2.DescribeInstanceStatus", scheduled_events)
    events.register("after-call.ec2.DescribeImages", image_dates)
