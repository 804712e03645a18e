"""GuardDuty and Security Hub: on in the demo's home region, off in the other; failures and the
API moto lacks (securityhub:GetEnabledStandards) are unknown, never "off" or "on"."""

from __future__ import annotations

from botocore.stub import Stubber

from srmscan.collect.context import Collection
from srmscan.collect.detection import _guardduty
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import by_rule, fail_operation
from tests.placebo_feed import mini_demo, recordings, shape_problems


def _findings(ruleset, rule_id, hook=None, modules=("seed_detection",)):  # type: ignore[no-untyped-def]
    inv = mini_demo(list(modules), {"detection"}, hook)
    return {f.region: f for f in by_rule(evaluate(inv, ruleset), rule_id)}


def test_demo_home_region_on_other_region_off(ruleset) -> None:
    for rule_id in ("guardduty.enabled", "securityhub.enabled"):
        got = _findings(ruleset, rule_id)
        assert got["eu-west-1"].status is Status.PASS, rule_id
        assert got["us-east-1"].status is Status.FAIL, rule_id
        assert got["us-east-1"].owner == "customer"


def test_denied_listing_is_unknown_not_off(ruleset) -> None:
    got = _findings(ruleset, "guardduty.enabled", lambda aws: fail_operation(aws.events, "guardduty", "ListDetectors"))
    assert {f.status for f in got.values()} == {Status.UNKNOWN}
    got = _findings(
        ruleset,
        "securityhub.enabled",
        lambda aws: fail_operation(aws.events, "securityhub", "DescribeHub", "AccessDeniedException"),
    )
    assert {f.status for f in got.values()} == {Status.UNKNOWN}


def test_standards_api_moto_lacks_is_unknown(ruleset) -> None:
    """Without the demo's simulated answer, moto raises NotImplementedError for GetEnabledStandards:
    an enabled hub whose standards cannot be read is unknown, not a pass."""

    inv = mini_demo([], {"detection"}, lambda aws: _enable_hub())
    got = {f.region: f for f in by_rule(evaluate(inv, ruleset), "securityhub.enabled")}
    assert got["eu-west-1"].status is Status.UNKNOWN
    assert "GetEnabledStandards" in (got["eu-west-1"].unknown_reason or "")
    assert got["us-east-1"].status is Status.FAIL


def _enable_hub() -> None:
    import boto3

    boto3.client("securityhub", region_name="eu-west-1").enable_security_hub(EnableDefaultStandards=False)


def test_recorded_guardduty_answers_parse(aws) -> None:
    [(_, detectors)] = recordings("guardduty", "ListDetectors")
    [(_, detector)] = recordings("guardduty", "GetDetector")
    client = aws.client("guardduty", "us-east-1")
    assert shape_problems(client, "ListDetectors", detectors) == []
    assert shape_problems(client, "GetDetector", detector) == []
    c = Collection(aws, "123456789012", "aws", ["us-east-1"])
    try:
        with Stubber(client) as stub:
            stub.add_response("list_detectors", detectors, {"MaxResults": 50})
            stub.add_response("get_detector", detector, {"DetectorId": detectors["DetectorIds"][0]})
            answer = _guardduty(c, "us-east-1")
    finally:
        c.close()
    assert answer.ok and answer.data["status"] == detector["Status"]
    for _, hub in recordings("securityhub", "DescribeHub"):
        assert shape_problems(aws.client("securityhub", "us-east-1"), "DescribeHub", hub) == []
