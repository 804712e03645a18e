"""ECS task sets on moto (which serves them, and fills a service-level launch type of EC2 that AWS
would not send for an EXTERNAL service). The real-shaped scenario is tests/realworld/
test_ecs_task_sets.py.
"""

from __future__ import annotations

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import one


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
