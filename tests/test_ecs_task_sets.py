"""ECS services deployed by CodeDeploy (blue/green) or an EXTERNAL controller run in task sets.

The real-shaped scenario answers the ecs collector's calls with botocore's Stubber (every response
validated against the botocore output shape). The service and its PRIMARY task set are the
recorded response test_ecs_service_taskset_delete/ecs.DescribeServices_1.json (Cloud Custodian's
placebo data, trimmed), turned into an EXTERNAL deployment: botocore's model documents that such
a service keeps its task definition, launch type, platform version and network configuration in
`taskSets`, so the service-level members are left out, and a second (ACTIVE, "green") task set
runs a newer revision with a public IP and an old platform version pin. moto also serves task
sets (and fills a service-level launch type of EC2 that AWS would not), checked end to end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.stub import Stubber

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import one

REGION = "us-east-1"
ACCOUNT = "644160558196"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/timmy-test-cluster"
SERVICE = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/timmy-test-cluster/test-task-set-delete"
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/c7n-test-task-def"
WHEN = datetime(2024, 3, 12, 19, 49, 24)


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


def _scan(aws: Any, ruleset: Any) -> tuple[Any, Any]:
    stub = Stubber(aws.client("ecs", REGION))
    stub.add_response("list_clusters", {"clusterArns": [CLUSTER]})
    stub.add_response(
        "describe_clusters",
        {
            "clusters": [{"clusterArn": CLUSTER, "clusterName": "timmy-test-cluster", "status": "ACTIVE"}],
            "failures": [],
        },
    )
    stub.add_response("list_services", {"serviceArns": [SERVICE]})
    stub.add_response("describe_services", {"services": [SERVICE_DATA], "failures": []})
    stub.add_response("list_container_instances", {"containerInstanceArns": []})
    stub.add_response("list_task_definition_families", {"families": ["c7n-test-task-def"]})
    stub.add_response("describe_task_definition", _task_definition(3, privileged=True))  # latest, by family
    stub.add_response("describe_task_definition", _task_definition(2, privileged=False))  # the PRIMARY's
    with stub:
        inv = collect_inventory(aws, [REGION], only={"ecs"})
        stub.assert_no_pending_responses()
    return inv, evaluate(inv, ruleset)


def test_external_service_is_judged_on_each_task_set(aws, ruleset) -> None:
    inv, findings = _scan(aws, ruleset)
    svc = next(r for r in inv.resources if r.type == "AWS::ECS::Service")
    assert svc.attrs["deployment_controller"] == "EXTERNAL"
    assert svc.attrs["compute"] == "FARGATE" and svc.tier == "container"  # from the task sets
    assert svc.attrs["task_definitions_in_use"] == [f"{TD}:2", f"{TD}:3"]
    public = one(findings, "ecs.service_public_ip", SERVICE)
    assert public.status is Status.FAIL and "ecs-svc/7700000000000000001 (ACTIVE)" in public.message
    platform = one(findings, "ecs.fargate_platform_version", SERVICE)
    assert platform.status is Status.FAIL and "pinned to 1.3.0" in platform.message
    assert platform.severity == "medium"
    # The green task set's revision is both in use and the family's latest: described once.
    tds = {r.id: r for r in inv.resources if r.type == "AWS::ECS::TaskDefinition"}
    assert sorted(tds) == [f"{TD}:2", f"{TD}:3"]
    assert tds[f"{TD}:3"].attrs["latest_in_family"] is True and tds[f"{TD}:3"].attrs["used_by"] == [SERVICE]
    assert one(findings, "ecs.privileged_container", f"{TD}:3").status is Status.FAIL
    assert one(findings, "ecs.privileged_container", f"{TD}:2").status is Status.PASS


def test_task_sets_on_moto(session, aws, ruleset) -> None:
    ecs = session.client("ecs", region_name="eu-west-1")
    ecs.create_cluster(clusterName="c")
    td = ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "a", "image": "x", "memory": 128}], networkMode="awsvpc"
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="c", serviceName="bg", deploymentController={"type": "EXTERNAL"}, desiredCount=1)
    network = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}
    ecs.create_task_set(
        cluster="c", service="bg", taskDefinition=td, launchType="FARGATE", networkConfiguration=network
    )
    inv = collect_inventory(aws, ["eu-west-1"], only={"ecs"})
    svc = next(r for r in inv.resources if r.type == "AWS::ECS::Service")
    assert [ts["task_definition"] for ts in svc.attrs["task_sets"]] == [td]
    findings = evaluate(inv, ruleset)
    assert one(findings, "ecs.service_public_ip", svc.id).status is Status.FAIL
