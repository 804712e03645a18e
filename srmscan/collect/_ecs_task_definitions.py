"""ECS task definitions: the latest ACTIVE revision of every family, and every revision a service runs.

A task definition registered but never run by a service (started by a schedule, a RunTask call
or a pipeline) still runs somewhere, so FSBP ECS.4 / ECS.5 / ECS.8 judge the latest ACTIVE
revision of every family: ListTaskDefinitionFamilies(status ACTIVE) and one DescribeTaskDefinition
per family (by family name, which AWS answers with its latest ACTIVE revision). A revision that a
service or task set runs is described too, unless it is that latest revision already: no task
definition is described twice. Environment variable values are judged for secret shape and
dropped right here (see `_container_images`).
"""

from __future__ import annotations

from typing import Any

from srmscan.collect._container_images import classify_environment, parse_image
from srmscan.collect.context import Answer, Collection, arn_resource, tags_from
from srmscan.model import Resource

TASK_DEFINITION = "AWS::ECS::TaskDefinition"
UNREADABLE_KEYS = ("containers", "network_mode", "os_family", "pid_mode", "task_role_arn", "tags")


def collect_task_definitions(c: Collection, region: str, services: list[Resource], gap: Any) -> None:
    """Describe each family's latest ACTIVE revision and each revision in use, each exactly once."""
    users: dict[str, list[Resource]] = {}
    for svc in services:
        for arn in svc.attrs.get("task_definitions_in_use") or []:
            users.setdefault(str(arn), []).append(svc)
    families = c.pages("ecs", region, "ListTaskDefinitionFamilies", "families", status="ACTIVE")
    described: set[str] = set()
    if families.error is not None:
        # Registered task definitions that no service runs cannot be seen: say so for the type.
        gap(c, TASK_DEFINITION, region, families)
    else:
        names = sorted({str(f) for f in families.data})
        for arn in c.fanout(lambda name: _latest(c, region, name, users), names):
            if arn:
                described.add(arn)
    rest = sorted(arn for arn in users if arn not in described)
    c.fanout(lambda arn: _describe(c, region, arn, users[arn]), rest)


def _latest(c: Collection, region: str, family: str, users: dict[str, list[Resource]]) -> str | None:
    answer = c.call("ecs", region, "DescribeTaskDefinition", taskDefinition=family, include=["TAGS"])
    arn = None
    if answer.ok:
        arn = str((answer.data.get("taskDefinition") or {}).get("taskDefinitionArn") or "") or None
    if arn is None:
        res = _resource(c.arn("ecs", region, f"task-definition/{family}"), region, [])
        res.name = family
        _fill(res, answer)
        c.add(res)
        return None
    res = _resource(arn, region, users.get(arn, []))
    res.attrs["latest_in_family"] = True
    _fill(res, answer)
    c.add(res)
    return arn


def _describe(c: Collection, region: str, arn: str, used_by: list[Resource]) -> None:
    """A revision a service runs that is not (or could not be confirmed as) its family's latest."""
    res = _resource(arn, region, used_by)
    res.attrs["latest_in_family"] = False
    _fill(res, c.call("ecs", region, "DescribeTaskDefinition", taskDefinition=arn, include=["TAGS"]))
    c.add(res)


def _resource(arn: str, region: str, used_by: list[Resource]) -> Resource:
    attrs = {
        "used_by": sorted(s.id for s in used_by),
        "used_by_names": sorted(str(s.name) for s in used_by),
        "used_by_fargate": sorted(s.id for s in used_by if s.attrs.get("compute") == "FARGATE"),
    }
    return arn_resource(
        TASK_DEFINITION,
        arn,
        arn.rsplit("/", 1)[-1],
        region,
        "container" if any(s.attrs.get("compute") == "FARGATE" for s in used_by) else "iaas",
        attrs=attrs,
    )


def _fill(res: Resource, answer: Answer) -> None:
    if answer.error is not None:
        for key in UNREADABLE_KEYS:
            res.unreadable[key] = answer.error.id
        return
    td = answer.data.get("taskDefinition") or {}
    res.tags = tags_from(answer.data.get("tags"), "key", "value")
    compatibilities = [str(x) for x in td.get("requiresCompatibilities") or []]
    if not res.attrs["used_by"] and "FARGATE" in compatibilities:
        res.tier = "container"  # nothing runs it as a service; it is registered for Fargate
    res.attrs.update(
        family=td.get("family"),
        revision=td.get("revision"),
        status=td.get("status"),
        network_mode=td.get("networkMode"),
        pid_mode=td.get("pidMode"),
        requires_compatibilities=compatibilities,
        os_family=(td.get("runtimePlatform") or {}).get("operatingSystemFamily"),
        cpu_architecture=(td.get("runtimePlatform") or {}).get("cpuArchitecture"),
        task_role_arn=td.get("taskRoleArn"),
        execution_role_arn=td.get("executionRoleArn"),
        containers=[_container(cd) for cd in td.get("containerDefinitions") or []],
    )


def _container(cd: dict[str, Any]) -> dict[str, Any]:
    """One container's security-relevant settings; environment VALUES never leave this function."""
    env_names, secret_like = classify_environment(cd.get("environment"))
    log = cd.get("logConfiguration") or {}
    image = str(cd.get("image") or "")[:512]
    return {
        "name": str(cd.get("name") or ""),
        "image": image,
        "image_ref": parse_image(image),
        "essential": cd.get("essential", True),
        "privileged": cd.get("privileged"),
        "read_only_root": cd.get("readonlyRootFilesystem"),
        "user": cd.get("user"),
        "log_driver": log.get("logDriver"),
        "env_names": env_names,
        "secret_like_env": secret_like,
        "secret_names": [str(s.get("name") or "") for s in cd.get("secrets") or []],
        "environment_files": len(cd.get("environmentFiles") or []),
    }
