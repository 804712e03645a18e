"""Defect 13: FSBP ECS.4 / ECS.5 / ECS.8 judge the latest ACTIVE revision of every family.

A whole `srmscan scan` replayed (tests/realworld/harness.py). Shapes: botocore's ECS model
(ListTaskDefinitionFamilies: status ACTIVE, maxResults 1-100; DescribeTaskDefinition with a bare
family name answers the latest ACTIVE revision) and the recorded task definition
test_ecs_service_update_definition/ecs.DescribeTaskDefinition_1.json (Cloud Custodian placebo data
under /work/shared/realworld/: containerDefinitions with plain environment variables). A nightly
job's definition, run by an EventBridge schedule, is registered but named by no service: before
the fix it was never described, so its privileged container and plaintext secret were missed.
"""

from __future__ import annotations

from typing import Any

from srmscan.model import Status
from tests.realworld.harness import Scenario

REGION = "us-east-2"
ACCOUNT = "644160558196"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/redash"
SERVICE = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/redash/dev-redash-server"
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition"
SOURCE = "botocore ECS model; recorded: placebo/test_ecs_service_update_definition/ecs.DescribeTaskDefinition_1.json"


def _definition(family: str, revision: int, **container: Any) -> dict[str, Any]:
    return {
        "taskDefinition": {
            "taskDefinitionArn": f"{TD}/{family}:{revision}",
            "family": family,
            "revision": revision,
            "status": "ACTIVE",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                {
                    "name": "server",
                    "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/stacklet-redash:842a0206",
                    "cpu": 1024,
                    "memory": 2048,
                    "essential": True,
                    "command": ["server"],
                    "environment": [{"name": "REDASH_LOG_LEVEL", "value": "DEBUG"}],
                    "readonlyRootFilesystem": True,
                    "user": "1000",
                    "logConfiguration": {"logDriver": "awslogs"},
                    **container,
                }
            ],
        },
        "tags": [],
    }


def families() -> Scenario:
    sc = Scenario("task definition families", source=SOURCE, account_id=ACCOUNT)
    sc.answer("ecs", "ListClusters", {"clusterArns": [CLUSTER]}, source="botocore ECS model")
    sc.answer(
        "ecs", "DescribeClusters", {"clusters": [{"clusterArn": CLUSTER, "status": "ACTIVE"}]}, source="ECS model"
    )
    sc.answer("ecs", "ListServices", {"serviceArns": [SERVICE]}, source="botocore ECS model")
    service = {
        "serviceArn": SERVICE,
        "serviceName": "dev-redash-server",
        "clusterArn": CLUSTER,
        "status": "ACTIVE",
        "launchType": "EC2",
        "taskDefinition": f"{TD}/dev-redash-server:75",
        "deploymentController": {"type": "ECS"},
    }
    sc.answer("ecs", "DescribeServices", {"services": [service], "failures": []}, source="botocore ECS model")
    sc.answer(
        "ecs",
        "ListTaskDefinitionFamilies",
        {"families": ["dev-redash-server", "redash-nightly-export"]},
        source="botocore ECS model",
    )
    answers = {
        # The service runs revision 75; revision 76 is registered (the next deploy) and privileged.
        "dev-redash-server": _definition("dev-redash-server", 76, privileged=True),
        f"{TD}/dev-redash-server:75": _definition("dev-redash-server", 75),
        "redash-nightly-export": _definition(
            "redash-nightly-export",
            4,
            privileged=True,
            readonlyRootFilesystem=False,
            environment=[{"name": "REDASH_MAIL_PASSWORD", "value": "nightly-export-pw-7731"}],
        ),
    }
    for asked, answer in answers.items():
        sc.answer("ecs", "DescribeTaskDefinition", answer, when={"taskDefinition": asked}, source=SOURCE)
    return sc


def test_latest_active_revision_of_every_family_is_judged(ruleset) -> None:
    run = families().scan(ruleset, regions=[REGION])
    assert not run.collector_crashes()
    assert run.requests("ecs", "ListTaskDefinitionFamilies") == [{"status": "ACTIVE", "maxResults": 100}]
    asked = sorted(r["taskDefinition"] for r in run.requests("ecs", "DescribeTaskDefinition"))
    assert asked == sorted(["dev-redash-server", "redash-nightly-export", f"{TD}/dev-redash-server:75"])
    nightly = f"{TD}/redash-nightly-export:4"
    assert run.resource("AWS::ECS::TaskDefinition", nightly).attrs["used_by"] == []
    assert run.finding("ecs.privileged_container", nightly).status is Status.FAIL  # FSBP ECS.4
    assert run.finding("ecs.read_only_root", nightly).status is Status.FAIL  # FSBP ECS.5
    secrets = run.finding("ecs.plaintext_secrets", nightly)  # FSBP ECS.8
    assert secrets.status is Status.FAIL and "REDASH_MAIL_PASSWORD" in secrets.message
    assert "nightly-export-pw-7731" not in str(run.inventory.to_dict())
    assert run.finding("ecs.privileged_container", f"{TD}/dev-redash-server:76").status is Status.FAIL
    assert run.finding("ecs.privileged_container", f"{TD}/dev-redash-server:75").status is Status.PASS
