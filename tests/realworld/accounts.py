"""Reusable real-shaped answers: one resource of each kind, so every collector call happens.

Every answer passes botocore's output-shape validation (the harness checks it). Members are the
ones the AWS API references list for each response; values are examples, not recordings.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.realworld.harness import ACCOUNT, Scenario

REGION = "eu-west-1"
MODEL = "botocore model output shape (service-2.json), members as the AWS API reference lists them"
WHEN = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
AMI = "ami-0abcdef1234567890"
INSTANCE = "i-0123456789abcdef0"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/web"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/web/api"
TASKDEF_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:7"
TG_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/0123456789abcdef"
LB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web/0123456789abcdef"


def instance(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "InstanceId": INSTANCE,
        "ImageId": AMI,
        "InstanceType": "t3.micro",
        "State": {"Code": 16, "Name": "running"},
        "SubnetId": "subnet-0a",
        "VpcId": "vpc-0a",
        "LaunchTime": WHEN,
        "Placement": {"AvailabilityZone": f"{REGION}a"},
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "State": "applied"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-0a", "Status": "attached"}}],
        "SecurityGroups": [{"GroupId": "sg-0a", "GroupName": "web"}],
        "Tags": [{"Key": "Name", "Value": "web-1"}],
        "PlatformDetails": "Linux/UNIX",
    }
    base.update(over)
    return base


def image(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "ImageId": AMI,
        "Name": "al2023-ami-2023.9.20261001.0-kernel-6.1-x86_64",
        "CreationDate": "2026-10-01T00:00:00.000Z",
        "OwnerId": "137112412989",
        "ImageOwnerAlias": "amazon",
        "State": "available",
        "PlatformDetails": "Linux/UNIX",
    }
    base.update(over)
    return base


def one_of_each(sc: Scenario, region: str = REGION) -> Scenario:
    """Answers that make every collector list, describe and page through one resource each."""
    a = sc.answer
    a(
        "ec2",
        "DescribeInstances",
        {"Reservations": [{"ReservationId": "r-0a", "Instances": [instance()]}]},
        source=MODEL,
    )
    a("ec2", "DescribeImages", {"Images": [image()]}, source=MODEL)
    a(
        "ec2",
        "DescribeInstanceStatus",
        {"InstanceStatuses": [{"InstanceId": INSTANCE, "InstanceState": {"Code": 16, "Name": "running"}}]},
        source=MODEL,
    )
    a(
        "ec2",
        "DescribeVolumes",
        {"Volumes": [{"VolumeId": "vol-0a", "Size": 8, "Encrypted": True, "State": "in-use", "Attachments": []}]},
        source=MODEL,
    )
    a(
        "ec2",
        "DescribeLaunchTemplates",
        {"LaunchTemplates": [{"LaunchTemplateId": "lt-0a", "LaunchTemplateName": "web", "DefaultVersionNumber": 1}]},
        source=MODEL,
    )
    a(
        "ec2",
        "DescribeLaunchTemplateVersions",
        {
            "LaunchTemplateVersions": [
                {"LaunchTemplateId": "lt-0a", "VersionNumber": 1, "LaunchTemplateData": {"ImageId": AMI}}
            ]
        },
        source=MODEL,
    )
    a(
        "ec2",
        "DescribeVpcs",
        {"Vpcs": [{"VpcId": "vpc-0a", "CidrBlock": "10.0.0.0/16", "IsDefault": False}]},
        source=MODEL,
    )
    a("ec2", "DescribeSubnets", {"Subnets": [{"SubnetId": "subnet-0a", "VpcId": "vpc-0a"}]}, source=MODEL)
    a("ec2", "DescribeSecurityGroups", {"SecurityGroups": [{"GroupId": "sg-0a", "GroupName": "web"}]}, source=MODEL)
    # ECS: a cluster with one service and one container instance
    a("ecs", "ListClusters", {"clusterArns": [CLUSTER_ARN]}, source=MODEL)
    a(
        "ecs",
        "DescribeClusters",
        {"clusters": [{"clusterArn": CLUSTER_ARN, "clusterName": "web", "status": "ACTIVE"}]},
        source=MODEL,
    )
    a("ecs", "ListServices", {"serviceArns": [SERVICE_ARN]}, source=MODEL)
    a(
        "ecs",
        "DescribeServices",
        {
            "services": [
                {
                    "serviceArn": SERVICE_ARN,
                    "serviceName": "api",
                    "clusterArn": CLUSTER_ARN,
                    "status": "ACTIVE",
                    "launchType": "FARGATE",
                    "taskDefinition": TASKDEF_ARN,
                    "desiredCount": 2,
                    "runningCount": 2,
                }
            ]
        },
        source=MODEL,
    )
    a(
        "ecs",
        "DescribeTaskDefinition",
        {
            "taskDefinition": {
                "taskDefinitionArn": TASKDEF_ARN,
                "family": "api",
                "revision": 7,
                "status": "ACTIVE",
                "containerDefinitions": [
                    {"name": "api", "image": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/api:v1", "essential": True}
                ],
            }
        },
        source=MODEL,
    )
    a(
        "ecs",
        "ListContainerInstances",
        {"containerInstanceArns": [f"arn:aws:ecs:{region}:{ACCOUNT}:container-instance/web/abc"]},
        source=MODEL,
    )
    a(
        "ecr",
        "DescribeRepositories",
        {
            "repositories": [
                {
                    "repositoryArn": f"arn:aws:ecr:{region}:{ACCOUNT}:repository/api",
                    "registryId": ACCOUNT,
                    "repositoryName": "api",
                    "repositoryUri": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/api",
                }
            ]
        },
        source=MODEL,
    )
    a(
        "ecr",
        "DescribeImages",
        {
            "imageDetails": [
                {
                    "registryId": ACCOUNT,
                    "repositoryName": "api",
                    "imageDigest": "sha256:" + "a" * 64,
                    "imageTags": ["v1"],
                    "imagePushedAt": WHEN,
                    "imageScanStatus": {"status": "COMPLETE"},
                    "imageScanFindingsSummary": {"findingSeverityCounts": {"HIGH": 1}},
                }
            ]
        },
        source=MODEL,
    )
    # Lambda, SSM, RDS, Auto Scaling / ELBv2
    a(
        "lambda",
        "ListFunctions",
        {
            "Functions": [
                {
                    "FunctionName": "fn",
                    "FunctionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:fn",
                    "Runtime": "python3.12",
                }
            ]
        },
        source=MODEL,
    )
    a(
        "ssm",
        "DescribeInstanceInformation",
        {"InstanceInformationList": [{"InstanceId": INSTANCE, "PingStatus": "Online", "ResourceType": "EC2Instance"}]},
        source=MODEL,
    )
    a(
        "rds",
        "DescribeDBInstances",
        {
            "DBInstances": [
                {
                    "DBInstanceIdentifier": "db1",
                    "Engine": "postgres",
                    "PubliclyAccessible": False,
                    "DBInstanceArn": f"arn:aws:rds:{region}:{ACCOUNT}:db:db1",
                }
            ]
        },
        source=MODEL,
    )
    a(
        "rds",
        "DescribeDBClusters",
        {"DBClusters": [{"DBClusterIdentifier": "c1", "Engine": "aurora-postgresql", "DBSubnetGroup": "default"}]},
        source=MODEL,
    )
    a(
        "rds",
        "DescribeDBSnapshots",
        {"DBSnapshots": [{"DBSnapshotIdentifier": "s1", "SnapshotType": "manual"}]},
        source=MODEL,
    )
    a(
        "elbv2",
        "DescribeLoadBalancers",
        {"LoadBalancers": [{"LoadBalancerArn": LB_ARN, "LoadBalancerName": "web", "Type": "application"}]},
        source=MODEL,
    )
    a(
        "elbv2",
        "DescribeTargetGroups",
        {"TargetGroups": [{"TargetGroupArn": TG_ARN, "TargetType": "instance", "LoadBalancerArns": [LB_ARN]}]},
        source=MODEL,
    )
    a(
        "autoscaling",
        "DescribeAutoScalingGroups",
        {
            "AutoScalingGroups": [
                {
                    "AutoScalingGroupName": "web",
                    "MinSize": 1,
                    "MaxSize": 2,
                    "DesiredCapacity": 1,
                    "DefaultCooldown": 300,
                    "AvailabilityZones": [f"{region}a"],
                    "HealthCheckType": "EC2",
                    "CreatedTime": WHEN,
                }
            ]
        },
        source=MODEL,
    )
    a("s3", "ListBuckets", {"Buckets": [{"Name": "logs", "BucketRegion": region}]}, source=MODEL)
    return sc
