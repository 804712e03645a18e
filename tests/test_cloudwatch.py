"""CloudWatch Logs and the CIS monitoring controls: the demo's trail log group (some monitors
with alarms that act, one silent, the rest missing), failures and unseen log groups as unknown,
and every recorded real DescribeLogGroups / DescribeMetricFilters / DescribeAlarms answer."""

from __future__ import annotations

from srmscan.collect import cloudwatch as cw
from srmscan.evaluate.engine import evaluate
from srmscan.model import Resource, Status
from tests.helpers import by_rule, fail_operation, inventory, one
from tests.placebo_feed import mini_demo, recordings, shape_problems

MODULES = ["seed_account", "seed_cloudwatch"]


def _run(ruleset, hook=None):  # type: ignore[no-untyped-def]
    inv = mini_demo(MODULES, {"cloudwatch", "cloudtrail"}, hook)
    return inv, evaluate(inv, ruleset)


def test_demo_monitors_and_log_groups(ruleset) -> None:
    inv, findings = _run(ruleset)
    assert inv.errors == []
    status = {n: one(findings, f"cloudwatch.cis_monitor_{n:02d}").status for n in range(1, 15)}
    assert {n for n, s in status.items() if s is Status.PASS} == {1, 4, 5}
    assert {n for n, s in status.items() if s is Status.FAIL} == set(range(1, 15)) - {1, 4, 5}
    assert "no alarm with an action" in one(findings, "cloudwatch.cis_monitor_02").message
    assert one(findings, "cloudwatch.log_group_retention", "/acme/api-access").status is Status.FAIL
    assert one(findings, "cloudwatch.log_group_retention", "/acme/cloudtrail").status is Status.PASS
    assert one(findings, "cloudwatch.log_group_kms", "/acme/api-access").status is Status.FAIL
    assert one(findings, "cloudwatch.log_group_kms", "/acme/cloudtrail").status is Status.PASS


def test_filters_or_alarms_denied_make_monitors_unknown(ruleset) -> None:
    for service, op in (("cloudwatch-logs", "DescribeMetricFilters"), ("cloudwatch", "DescribeAlarms")):
        _, findings = _run(ruleset, lambda aws, s=service, o=op: fail_operation(aws.events, s, o))
        assert {one(findings, f"cloudwatch.cis_monitor_{n:02d}").status for n in range(1, 15)} == {Status.UNKNOWN}


def test_trail_listing_denied_makes_monitors_unknown(ruleset) -> None:
    _, findings = _run(ruleset, lambda aws: fail_operation(aws.events, "cloudtrail", "DescribeTrails"))
    assert one(findings, "cloudwatch.cis_monitor_01").status is Status.UNKNOWN


def _trail(arn: str | None, logging: bool = True) -> Resource:
    return Resource(
        type="AWS::CloudTrail::Trail",
        id="t",
        region="us-east-1",
        attrs={"multi_region": True, "is_logging": logging, "cloudwatch_logs": arn},
    )


def _account() -> Resource:
    return Resource(type="AWS::::Account", id="123456789012", region="global")


def test_log_group_elsewhere_is_unknown_and_no_delivery_fails(ruleset) -> None:
    other = _trail("arn:aws:logs:us-east-1:999999999999:log-group:org-trail:*")
    f = one(evaluate(inventory(_account(), other), ruleset), "cloudwatch.cis_monitor_01")
    assert f.status is Status.UNKNOWN and "999999999999" in (f.unknown_reason or f.message)
    unscanned = _trail("arn:aws:logs:ap-south-1:123456789012:log-group:trail:*")
    assert one(evaluate(inventory(_account(), unscanned), ruleset), "cloudwatch.cis_monitor_03").status is (
        Status.UNKNOWN
    )
    for trail in (_trail(None), _trail("arn:aws:logs:us-east-1:123456789012:log-group:t:*", logging=False)):
        assert one(evaluate(inventory(_account(), trail), ruleset), "cloudwatch.cis_monitor_05").status is Status.FAIL


def test_recorded_answers_validate_and_parse(aws, ruleset) -> None:
    logs, cloudwatch = aws.client("logs", "us-east-1"), aws.client("cloudwatch", "us-east-1")
    groups = []
    for name, data in recordings("logs", "DescribeLogGroups"):
        assert shape_problems(logs, "DescribeLogGroups", data) == [], name
        for n, item in enumerate(data.get("logGroups") or []):
            res = cw._log_group(_C(), "us-east-1", item)  # type: ignore[arg-type]
            res.id = f"{name}/{n}"
            groups.append(res)
    assert len(groups) >= 20
    findings = evaluate(inventory(*groups), ruleset)
    for f in by_rule(findings, "cloudwatch.log_group_retention"):
        res = next(g for g in groups if g.id == f.resource_id)
        assert (f.status is Status.PASS) == (res.attrs["retention_days"] is None or res.attrs["retention_days"] >= 365)
    filters = []
    for name, data in recordings("logs", "DescribeMetricFilters"):
        assert shape_problems(logs, "DescribeMetricFilters", data) == [], name
        filters += cw._filters(data.get("metricFilters") or [])
    assert filters and all(isinstance(f["pattern"], str) for f in filters)
    for name, data in recordings("monitoring", "DescribeAlarms"):
        assert shape_problems(cloudwatch, "DescribeAlarms", data) == [], name
        for alarm in cw._alarms(data.get("MetricAlarms") or []):
            assert isinstance(alarm["alarm_actions"], list)


class _C:
    account_id = "123456789012"
    partition = "aws"

    def arn(self, service: str, region: str, resource: str) -> str:
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"
