"""FSBP ECS.4 / ECS.5 / ECS.8 judge the latest ACTIVE revision of every task definition family.

moto serves ListTaskDefinitionFamilies (it ignores `status` and paging) and DescribeTaskDefinition
by family name (the latest revision), so these run end to end on moto; the call parameters are
recorded with a before-call hook to prove no task definition is described twice.
"""

from __future__ import annotations

import json
from typing import Any

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import by_rule, fail_operation, one

REGION = "eu-west-1"
TD = f"arn:aws:ecs:{REGION}:123456789012:task-definition"


def _register(ecs: Any, family: str, **container: Any) -> str:
    definition = {"name": "app", "image": "x", "memory": 128, "readonlyRootFilesystem": True, **container}
    return ecs.register_task_definition(family=family, containerDefinitions=[definition])["taskDefinition"][
        "taskDefinitionArn"
    ]


def _account(session: Any) -> None:
    ecs = session.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="prod")
    _register(ecs, "web")  # web:1, run by the service
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1)
    _register(ecs, "web", privileged=True)  # web:2, registered, not deployed yet
    _register(ecs, "nightly", privileged=True, readonlyRootFilesystem=False)  # run by a schedule


def _describes(aws: Any) -> list[str]:
    seen: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(json.loads(params["body"])["taskDefinition"])

    aws.events.register("before-call.ecs.DescribeTaskDefinition", record)
    return seen


def test_latest_revision_of_every_family_is_judged_once(session, aws, ruleset) -> None:
    _account(session)
    calls = _describes(aws)
    families: list[dict[str, Any]] = []
    aws.events.register(
        "before-call.ecs.ListTaskDefinitionFamilies",
        lambda params, **_: families.append(json.loads(params["body"])),
    )
    inv = collect_inventory(aws, [REGION], only={"ecs"})
    findings = evaluate(inv, ruleset)
    assert families == [{"status": "ACTIVE", "maxResults": 100}]
    assert sorted(calls) == sorted(["web", "nightly", f"{TD}/web:1"])  # each once, none twice
    tds = {r.id: r for r in inv.resources if r.type == "AWS::ECS::TaskDefinition"}
    assert sorted(tds) == [f"{TD}/nightly:1", f"{TD}/web:1", f"{TD}/web:2"]
    assert tds[f"{TD}/web:2"].attrs["latest_in_family"] and not tds[f"{TD}/web:2"].attrs["used_by"]
    # A privileged definition that no service runs is caught (FSBP ECS.4), and ECS.5 on it.
    assert one(findings, "ecs.privileged_container", f"{TD}/nightly:1").status is Status.FAIL
    assert one(findings, "ecs.read_only_root", f"{TD}/nightly:1").status is Status.FAIL
    assert one(findings, "ecs.privileged_container", f"{TD}/web:2").status is Status.FAIL
    assert one(findings, "ecs.privileged_container", f"{TD}/web:1").status is Status.PASS


def test_families_unreadable_is_unknown_and_in_use_revisions_still_judged(session, aws, ruleset) -> None:
    _account(session)
    fail_operation(aws.events, "ecs", "ListTaskDefinitionFamilies")
    inv = collect_inventory(aws, [REGION], only={"ecs"})
    findings = evaluate(inv, ruleset)
    placeholder = one(findings, "ecs.privileged_container", "*")
    assert placeholder.status is Status.UNKNOWN and "ecs:ListTaskDefinitionFamilies" in (
        placeholder.unknown_reason or ""
    )
    assert one(findings, "ecs.privileged_container", f"{TD}/web:1").status is Status.PASS
    assert not by_rule(findings, "ecs.privileged_container", f"{TD}/nightly:1")
