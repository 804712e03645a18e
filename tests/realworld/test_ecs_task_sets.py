"""Defect 8: ECS services deployed by CodeDeploy (blue/green) or an EXTERNAL controller.

A whole `srmscan scan` replayed (tests/realworld/harness.py). The service and its PRIMARY task set
are the recorded response test_ecs_service_taskset_delete/ecs.DescribeServices_1.json (Cloud
Custodian placebo data under /work/shared/realworld/, trimmed), turned into an EXTERNAL deployment:
botocore's ECS model documents that such a service keeps its task definition, launch type,
platform version and network configuration in `taskSets`, so the service-level members are left
out; a second (ACTIVE, "green") task set runs a newer, privileged revision with a public IP and an
old platform version pin. Before the fix none of the task sets was read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from srmscan.model import Status
from tests.realworld.harness import Scenario

REGION = "us-east-1"
ACCOUNT = "644160558196"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/timmy-test-cluster"
SERVICE = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/timmy-test-cluster/test-task-set-delete"
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/c7n-test-task-def"
WHEN = datetime(2024, 3, 12, 19, 49, 24)
SOURCE = "recorded: placebo/test_ecs_service_taskset_delete/ecs.DescribeServices_1.json; botocore ECS model"


def _task_set(ident: str, status: str, revision: int, platform: str, public_ip: str) -> dict[str, Any]:
    return {
        "id": ident,
        "taskSetArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-set/timmy-test-cluster/test-task-set-delete/{ident}",
        "serviceArn": SERVICE,
        "clusterArn": CLUSTER,
        "status": status,
        "taskDefinition": f"{TD}:{revision}",
        "computedDesiredCount": 1,
        "pendingCount": 0,
        "runningCount": 1,
        "createdAt": WHEN,
        "updatedAt": WHEN,
        "launchType": "FARGATE",
        "platformVersion": platform,
        "platformFamily": "Linux",
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-efbcccb7", "subnet-e3b194de"],
                "securityGroups": ["sg-6c7fa917"],
                "assignPublicIp": public_ip,
            }
        },
        "loadBalancers": [],
        "serviceRegistries": [],
        "scale": {"value": 100.0, "unit": "PERCENT"},
        "stabilityStatus": "STEADY_STATE",
        "stabilityStatusAt": WHEN,
        "tags": [],
    }


SERVICE_DATA = {
    "serviceArn": SERVICE,
    "serviceName": "test-task-set-delete",
    "clusterArn": CLUSTER,
    "serviceRegistries": [],
    "status": "ACTIVE",
    "desiredCount": 1,
    "runningCount": 2,
    "pendingCount": 0,
    "taskSets": [
        _task_set("ecs-svc/4201323268728819917", "PRIMARY", 2, "LATEST", "DISABLED"),
        _task_set("ecs-svc/7700000000000000001", "ACTIVE", 3, "1.3.0", "ENABLED"),
    ],
    "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
    "createdAt": WHEN,
    "schedulingStrategy": "REPLICA",
    "deploymentController": {"type": "EXTERNAL"},
    "enableECSManagedTags": True,
    "propagateTags": "NONE",
    "enableExecuteCommand": False,
}


def _task_definition(revision: int, privileged: bool) -> dict[str, Any]:
    return {
        "taskDefinition": {
            "taskDefinitionArn": f"{TD}:{revision}",
            "family": "c7n-test-task-def",
            "revision": revision,
            "status": "ACTIVE",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": "sample-app",
                    "image": "public.ecr.aws/docker/library/httpd:2.4",
                    "essential": True,
                    "privileged": privileged,
                    "readonlyRootFilesystem": True,
                    "user": "1000",
                    "logConfiguration": {"logDriver": "awslogs"},
                }
            ],
        },
        "tags": [],
    }


def blue_green() -> Scenario:
    sc = Scenario("EXTERNAL ECS service with two task sets", source=SOURCE, account_id=ACCOUNT)
    sc.answer("ecs", "ListClusters", {"clusterArns": [CLUSTER]}, source="botocore ECS model")
    sc.answer(
        "ecs",
        "DescribeClusters",
        {"clusters": [{"clusterArn": CLUSTER, "clusterName": "timmy-test-cluster", "status": "ACTIVE"}]},
        source="botocore ECS model",
    )
    sc.answer("ecs", "ListServices", {"serviceArns": [SERVICE]}, when={"cluster": CLUSTER}, source=SOURCE)
    sc.answer("ecs", "DescribeServices", {"services": [SERVICE_DATA], "failures": []}, source=SOURCE)
    sc.answer("ecs", "ListTaskDefinitionFamilies", {"families": ["c7n-test-task-def"]}, source="botocore ECS model")
    for asked, revision, privileged in (("c7n-test-task-def", 3, True), (f"{TD}:2", 2, False)):
        sc.answer(
            "ecs",
            "DescribeTaskDefinition",
            _task_definition(revision, privileged),
            when={"taskDefinition": asked},
            source="botocore ECS model: DescribeTaskDefinition by family answers the latest ACTIVE revision",
        )
    return sc


def test_external_service_is_judged_on_each_task_set(ruleset) -> None:
    run = blue_green().scan(ruleset, regions=[REGION])
    assert not run.collector_crashes()
    svc = run.resource("AWS::ECS::Service", SERVICE)
    assert svc.attrs["deployment_controller"] == "EXTERNAL"
    assert svc.attrs["compute"] == "FARGATE" and svc.tier == "container"  # from the task sets
    assert svc.attrs["task_definitions_in_use"] == [f"{TD}:2", f"{TD}:3"]
    public = run.finding("ecs.service_public_ip", SERVICE)
    assert public.status is Status.FAIL and "ecs-svc/7700000000000000001 (ACTIVE)" in public.message
    platform = run.finding("ecs.fargate_platform_version", SERVICE)
    assert platform.status is Status.FAIL and "pinned to 1.3.0" in platform.message
    assert platform.severity == "medium"
    # The green task set's revision is both in use and the family's latest: described once.
    assert sorted(r["taskDefinition"] for r in run.requests("ecs", "DescribeTaskDefinition")) == sorted(
        ["c7n-test-task-def", f"{TD}:2"]
    )
    latest = run.resource("AWS::ECS::TaskDefinition", f"{TD}:3")
    assert latest.attrs["latest_in_family"] is True and latest.attrs["used_by"] == [SERVICE]
    assert run.finding("ecs.privileged_container", f"{TD}:3").status is Status.FAIL
    assert run.finding("ecs.privileged_container", f"{TD}:2").status is Status.PASS
