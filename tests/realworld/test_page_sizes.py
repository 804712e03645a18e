"""Every paginated call a scan makes carries the API's largest page size (botocore model or documentation).

moto ignores page sizes, so a scan against it cannot show that ECS pages of 10 or SSM pages of 10
cost five to ten times the calls they need on a real account. This test replays a scan in which one
resource of each kind exists (so every listing and describe happens), reads botocore's paginator
definition of each operation called, and checks the request against `_page_sizes.PAGE_SIZES` and
the model's own maximum.
"""

from __future__ import annotations

from srmscan.collect._page_sizes import PAGE_SIZES
from tests.realworld.accounts import one_of_each
from tests.realworld.harness import Scenario, paginator_config, service_model

# Paginated operations a full scan must reach (a missing one means the scenario lost coverage).
EXPECTED = {
    ("ec2", "DescribeInstances"),
    ("ec2", "DescribeImages"),
    ("ec2", "DescribeVolumes"),
    ("ec2", "DescribeInstanceStatus"),
    ("ec2", "DescribeLaunchTemplateVersions"),
    ("ecs", "ListServices"),
    ("ecs", "ListContainerInstances"),
    ("ssm", "DescribeInstanceInformation"),
    ("ssm", "DescribeInstancePatchStates"),
    ("autoscaling", "DescribeAutoScalingGroups"),
    ("lambda", "ListFunctionUrlConfigs"),
    ("resourcegroupstaggingapi", "GetResources"),
    ("s3", "ListBuckets"),
    ("rds", "DescribePendingMaintenanceActions"),
    ("rds", "DescribeDBSubnetGroups"),
}


def test_every_paginated_call_sends_the_largest_page(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = one_of_each(Scenario("one of each", source="tests/realworld/accounts.py (botocore model shapes)"))
    run = sc.scan(ruleset)
    assert run.collector_crashes() == []
    called = {(c.service, c.operation) for c in sc.calls}
    paginated = {op for op in called if (paginator_config(*op) or {}).get("limit_key")}
    assert EXPECTED <= paginated, f"not reached: {sorted(EXPECTED - paginated)}"
    problems = []
    for service, operation in sorted(paginated):
        limit_key = paginator_config(service, operation)["limit_key"]  # type: ignore[index]
        entry = PAGE_SIZES.get((service, operation))
        if entry is None:
            problems.append(f"{service}.{operation}: no page size in _page_sizes.PAGE_SIZES")
            continue
        assert entry.source, f"{service}.{operation}: a page size names its source"
        if entry.param != limit_key:
            problems.append(f"{service}.{operation}: table says {entry.param}, paginator says {limit_key}")
        shape = service_model(service).operation_model(operation).input_shape.members[limit_key]
        model_max = shape.metadata.get("max")
        if model_max is not None and entry.maximum != model_max and "even if you set" not in entry.source:
            problems.append(f"{service}.{operation}: table {entry.maximum}, botocore model max {model_max}")
        for params in run.requests(service, operation):
            if any(params.get(p) for p in entry.not_with):
                assert limit_key not in params, f"{service}.{operation}: {limit_key} cannot go with {entry.not_with}"
                continue
            # Some APIs model the page size as a string (CloudFront, Route 53 MaxItems).
            if str(params.get(limit_key)) != str(entry.maximum):
                problems.append(f"{service}.{operation}: sent {limit_key}={params.get(limit_key)}, max {entry.maximum}")
    assert problems == []


def test_the_table_holds_only_real_parameters() -> None:
    for (service, operation), entry in PAGE_SIZES.items():
        members = service_model(service).operation_model(operation).input_shape.members
        assert entry.param in members, f"{service}.{operation} has no parameter {entry.param}"
        for other in entry.not_with:
            assert other in members, f"{service}.{operation} has no parameter {other}"
        model_max = members[entry.param].metadata.get("max")
        if entry.maximum is not None and model_max is not None:
            assert entry.maximum <= model_max
