"""GovCloud and China accounts: the default and Health regions come from the partition, not us-east-1.

Shapes: STS GetCallerIdentity (botocore model; an `arn:aws-us-gov:` / `arn:aws-cn:` ARN), STS's
InvalidClientTokenId for keys of another partition (STS API reference, common errors), and the
partitions' default regions from botocore's partitions.json (`implicitGlobalRegion`), which is also
where the Health API's global endpoint is scoped in endpoints.json.
"""

from __future__ import annotations

import pytest

from srmscan.collect.session import partition_region
from srmscan.incidents.events import collect_health
from srmscan.scan import resolve_regions, run_scan
from tests.realworld.harness import Scenario

STS_DOC = "STS API reference: GetCallerIdentity; common error InvalidClientTokenId (HTTP 403)"
HEALTH_DOC = "AWS Health API reference: DescribeEvents"


@pytest.fixture(autouse=True)
def no_configured_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


def partition_account(partition: str) -> Scenario:
    sc = Scenario(f"an {partition} account, no region configured", source=STS_DOC, partition=partition)
    # The aws partition does not know these keys.
    sc.error("sts", "GetCallerIdentity", "InvalidClientTokenId", "The security token included in the request is invalid.",
             status=403, region="us-east-1", source=STS_DOC)  # fmt: skip
    sc.answer("health", "DescribeEvents", {"events": []}, source=HEALTH_DOC)
    return sc


@pytest.mark.parametrize(("partition", "region"), [("aws-us-gov", "us-gov-west-1"), ("aws-cn", "cn-northwest-1")])
def test_the_scan_runs_in_the_partitions_default_region(ruleset, partition: str, region: str) -> None:  # type: ignore[no-untyped-def]
    sc = partition_account(partition)
    aws = sc.session(home_region=None)
    regions = resolve_regions(aws, [], False)
    assert regions == [region]
    result = run_scan(aws, regions, ruleset)
    inventory = result.inventory
    assert inventory.partition == partition
    assert [e for e in inventory.errors if e.operation.startswith("collector:")] == []
    # botocore names the IAM client's region after the partition's global endpoint.
    used = {c.region for c in sc.calls if c.service != "sts"}
    assert used <= {region, f"{partition}-global"} and region in used, used
    assert len([c for c in sc.calls if c.operation == "GetCallerIdentity"]) == 2  # us-east-1 refused, then ours
    arns = [r.arn for r in inventory.resources if r.arn]
    assert arns and all(a.startswith(f"arn:{partition}:") for a in arns)
    # Health's global endpoint lives in the partition's default region too.
    answer = collect_health(aws, inventory)
    assert answer.error is None
    health = {c.region for c in sc.calls if c.service == "health"}
    assert health and health <= {region, f"{partition}-global"}, health


def test_a_configured_region_is_kept() -> None:
    sc = partition_account("aws-us-gov")
    aws = sc.session(home_region="us-gov-east-1")
    assert resolve_regions(aws, [], False) == ["us-gov-east-1"]


def test_partition_regions_come_from_botocore() -> None:
    assert partition_region("aws") == "us-east-1"
    assert partition_region("aws-us-gov") == "us-gov-west-1"
    assert partition_region("aws-cn") == "cn-northwest-1"
    assert partition_region("no-such-partition") == "us-east-1"
