"""ECS collection and rules against moto in-process.

moto serves ECS clusters, services, task definitions and container instances, but ignores a
service's capacityProviderStrategy (it reports launch type EC2), so Fargate-by-capacity-provider
is tested on `compute_of` directly. Errors are injected with before-call hooks.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from srmscan.collect._container_images import classify_environment, parse_image
from srmscan.collect.ecs import compute_of
from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import by_rule, fail_operation, one

REGION = "eu-west-1"
CANARY = "test-canary-value-9876"
AKIA = "AKIAABCDEFGHIJKLMNOP"


def _cluster(session: boto3.Session, env: list[dict[str, str]] | None = None, **container: Any) -> Any:
    ecs = session.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="web",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "app",
                "image": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/web:v1",
                "environment": env or [],
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}},
                **container,
            }
        ],
    )
    return ecs


def _service(ecs: Any, name: str, platform: str | None = "LATEST", **kw: Any) -> None:
    extra = {"platformVersion": platform} if platform else {}
    ecs.create_service(
        cluster="prod", serviceName=name, taskDefinition="web", desiredCount=1, launchType="FARGATE", **extra, **kw
    )


def _count(aws: AwsSession, operation: str) -> list[dict[str, Any]]:
    """Record the parameters of every call to one ECS operation (the hook does not answer it)."""
    seen: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(json.loads(params["body"]))

    aws.events.register(f"before-call.ecs.{operation}", record)
    return seen


def _scan(aws: AwsSession, ruleset):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only={"ecs", "ecr"})
    return inv, evaluate(inv, ruleset)


def test_describe_services_is_batched_and_task_definition_described_once(session, aws, ruleset) -> None:
    ecs = _cluster(session)
    for i in range(25):
        _service(ecs, f"svc-{i:02d}")
    describe = _count(aws, "DescribeServices")
    task_defs = _count(aws, "DescribeTaskDefinition")
    inv, findings = _scan(aws, ruleset)
    assert len(describe) == 3
    assert sorted(len(call["services"]) for call in describe) == [5, 10, 10]
    assert len(task_defs) == 1  # 25 services, one task definition in use
    services = [r for r in inv.resources if r.type == "AWS::ECS::Service"]
    assert len(services) == 25 and all(s.tier == "container" for s in services)
    td = next(r for r in inv.resources if r.type == "AWS::ECS::TaskDefinition")
    assert len(td.attrs["used_by"]) == 25
    assert len(by_rule(findings, "ecs.read_only_root")) == 1


def test_fargate_latest_passes_pinned_versions_fail(session, aws, ruleset) -> None:
    ecs = _cluster(session)
    _service(ecs, "latest")
    _service(ecs, "old-pin", platform="1.3.0")
    _service(ecs, "current-pin", platform="1.4.0")
    inv, findings = _scan(aws, ruleset)
    by_name = {r.name: r.id for r in inv.resources if r.type == "AWS::ECS::Service"}
    assert one(findings, "ecs.fargate_platform_version", by_name["latest"]).status is Status.PASS
    old = one(findings, "ecs.fargate_platform_version", by_name["old-pin"])
    assert old.status is Status.FAIL and old.severity == "medium" and "1.4.0" in old.message
    current = one(findings, "ecs.fargate_platform_version", by_name["current-pin"])
    assert current.status is Status.FAIL and current.severity == "low"
    assert old.owner == "shared" and old.frameworks["fsbp"] == ["ECS.10"]


def test_secret_values_never_leave_the_collector(session, aws, ruleset) -> None:
    ecs = _cluster(
        session,
        env=[
            {"name": "DB_PASSWORD", "value": CANARY},
            {"name": "UPSTREAM_CONFIG", "value": AKIA},
            {"name": "PASSWORD_MIN_LENGTH", "value": "12"},
        ],
    )
    _service(ecs, "web")
    inv, findings = _scan(aws, ruleset)
    dumped = json.dumps(inv.to_dict(), default=str) + json.dumps([f.to_dict() for f in findings], default=str)
    assert CANARY not in dumped and AKIA not in dumped
    td = next(r for r in inv.resources if r.type == "AWS::ECS::TaskDefinition")
    secret = one(findings, "ecs.plaintext_secrets", td.id)
    assert secret.status is Status.FAIL
    flagged = {(v["variable"], v["detected_by"]) for v in secret.evidence["variables"]}
    # A number under a password-ish name is a setting, not a secret.
    assert flagged == {("DB_PASSWORD", "name"), ("UPSTREAM_CONFIG", "value shape")}


def test_public_ip_and_container_hardening(session, aws, ruleset) -> None:
    ec2 = session.client("ec2", region_name=REGION)
    subnet = ec2.describe_subnets()["Subnets"][0]
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [subnet["VpcId"]]}])["SecurityGroups"]
    ecs = _cluster(session, privileged=True, user="0")
    network = {"subnets": [subnet["SubnetId"]], "securityGroups": [group[0]["GroupId"]]}
    _service(ecs, "open", networkConfiguration={"awsvpcConfiguration": {**network, "assignPublicIp": "ENABLED"}})
    _service(ecs, "closed", networkConfiguration={"awsvpcConfiguration": {**network, "assignPublicIp": "DISABLED"}})
    inv, findings = _scan(aws, ruleset)
    ids = {r.name: r.id for r in inv.resources if r.type == "AWS::ECS::Service"}
    assert one(findings, "ecs.service_public_ip", ids["open"]).status is Status.FAIL
    assert one(findings, "ecs.service_public_ip", ids["closed"]).status is Status.PASS
    td = next(r for r in inv.resources if r.type == "AWS::ECS::TaskDefinition")
    assert one(findings, "ecs.privileged_container", td.id).status is Status.FAIL
    root = one(findings, "ecs.container_root_user", td.id)
    assert root.status is Status.FAIL and root.evidence["root"] == ["app"]
    assert one(findings, "ecs.task_logging", td.id).status is Status.PASS


def test_denied_task_definition_is_unknown_not_pass(session, aws, ruleset) -> None:
    ecs = _cluster(session)
    _service(ecs, "web")
    fail_operation(aws.events, "ecs", "DescribeTaskDefinition")
    inv, findings = _scan(aws, ruleset)
    td = next(r for r in inv.resources if r.type == "AWS::ECS::TaskDefinition")
    for rule_id in ("ecs.plaintext_secrets", "ecs.privileged_container", "ecs.task_logging"):
        f = one(findings, rule_id, td.id)
        assert f.status is Status.UNKNOWN and "ecs:DescribeTaskDefinition" in (f.unknown_reason or "")


def test_denied_describe_services_makes_services_unknown(session, aws, ruleset) -> None:
    ecs = _cluster(session)
    _service(ecs, "web")
    fail_operation(aws.events, "ecs", "DescribeServices")
    _, findings = _scan(aws, ruleset)
    gap = by_rule(findings, "ecs.service_public_ip")
    assert [f.status for f in gap] == [Status.UNKNOWN] and gap[0].resource_id == "*"
    # Only what was read may pass: the family's latest revision (described by family name);
    # the revisions the unseen services run are an unknown placeholder.
    passes = [f for f in findings if f.rule_id.startswith("ecs.") and f.status is Status.PASS]
    assert {f.resource_id for f in passes} == {f"arn:aws:ecs:{REGION}:123456789012:task-definition/web:1"}
    assert by_rule(findings, "ecs.privileged_container", "*")[0].status is Status.UNKNOWN


def test_container_instance_is_customer_iaas(session, aws, ruleset) -> None:
    ecs = session.client("ecs", region_name=REGION)
    ec2 = session.client("ec2", region_name=REGION)
    ecs.create_cluster(clusterName="hosts")
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    inst = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    doc = json.dumps({"instanceId": inst, "region": REGION, "imageId": ami})
    ecs.register_container_instance(cluster="hosts", instanceIdentityDocument=doc)
    calls = _count(aws, "DescribeContainerInstances")
    inv, findings = _scan(aws, ruleset)
    ci = next(r for r in inv.resources if r.type == "AWS::ECS::ContainerInstance")
    assert ci.tier == "iaas" and ci.attrs["ec2_instance_id"] == inst and ci.attrs["ami_id"] == ami
    assert len(calls) == 1
    # Only ECS was collected, so the host's EC2 record (and AMI age) is not known: unknown, not pass.
    f = one(findings, "ecs.container_instance_host_patching", ci.id)
    assert f.status is Status.UNKNOWN and f.owner == "customer" and f.layer == "os_patching"


@pytest.mark.parametrize(
    ("launch", "providers", "expected"),
    [
        (None, ["FARGATE", "FARGATE_SPOT"], "FARGATE"),
        (None, ["my-asg-provider"], "EC2"),
        (None, ["FARGATE", "my-asg-provider"], "MIXED"),
        (None, [], "unknown"),
        ("EC2", [], "EC2"),
        ("FARGATE", [], "FARGATE"),
    ],
)
def test_compute_of(launch: str | None, providers: list[str], expected: str) -> None:
    assert compute_of(launch, providers) == expected


def test_parse_image_references() -> None:
    ecr = parse_image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:v1")
    assert (ecr["ecr_account"], ecr["ecr_region"], ecr["repository"], ecr["tag"]) == (
        "123456789012",
        "eu-west-1",
        "team/web",
        "v1",
    )
    pinned = parse_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abc")
    assert pinned["digest"] == "sha256:abc" and pinned["tag"] is None
    hub = parse_image("nginx")
    assert (hub["registry"], hub["repository"], hub["tag"], hub["ecr_account"]) == (
        "docker.io",
        "nginx",
        "latest",
        None,
    )
    port = parse_image("localhost:5000/app")
    assert (port["registry"], port["repository"], port["tag"]) == ("localhost:5000", "app", "latest")


def test_classify_environment_keeps_names_only() -> None:
    names, flagged = classify_environment(
        [
            {"name": "API_TOKEN", "value": "abc"},
            {"name": "DATABASE_URL", "value": "postgres://app:hunter2@db:5432/app"},
            {"name": "SECRET_ARN", "value": "arn:aws:secretsmanager:eu-west-1:1:secret:x"},
            {"name": "AWS_ACCESS_KEY_ID", "value": "x"},
        ]
    )
    assert names == ["API_TOKEN", "DATABASE_URL", "SECRET_ARN", "AWS_ACCESS_KEY_ID"]
    assert flagged == [
        {"name": "API_TOKEN", "by": "name"},
        {"name": "DATABASE_URL", "by": "value shape"},
        {"name": "AWS_ACCESS_KEY_ID", "by": "name"},
    ]
    assert "hunter2" not in json.dumps(flagged)
