"""Issue 10 defect 5: a multi-region trail counts only if it records read AND write management events.

Shapes: DescribeTrails and GetTrailStatus are recorded real responses
(placebo/test_account_trail/); every GetEventSelectors answer is a recorded real response of the
trail configuration it names (placebo/test_cloudtrail_*, test_s3_data_events); defaults of both
selector kinds are documented in the botocore model (EventSelector.IncludeManagementEvents "By
default, the value is true", ReadWriteType "By default, the value is All"; AdvancedFieldSelector:
Equals "is the only valid operator that you can use with the readOnly, eventCategory ... fields").
"""

from __future__ import annotations

import pytest

from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import one
from tests.realworld.harness import Scenario

TRAILS = "placebo/test_account_trail/cloudtrail.DescribeTrails_1.json"
STATUS = "placebo/test_account_trail/cloudtrail.GetTrailStatus_1.json"
SELECTORS = {
    "all": "placebo/test_cloudtrail_event_selectors/cloudtrail.GetEventSelectors_1.json",
    "read_only": "placebo/test_cloudtrail_fail_include_management_events/cloudtrail.GetEventSelectors_1.json",
    "advanced_write_only": (
        "placebo/test_cloudtrail_fail_management_advanced_events_included/cloudtrail.GetEventSelectors_1.json"
    ),
    "advanced_all": (
        "placebo/test_cloudtrail_success_management_advanced_events_included/cloudtrail.GetEventSelectors_1.json"
    ),
    "data_only": "placebo/test_s3_data_events/cloudtrail.GetEventSelectors_2.json",
}


def _run(ruleset, selectors: str | None):  # type: ignore[no-untyped-def]
    sc = Scenario("multi-region trail, management events", source="recorded CloudTrail responses (see module doc)")
    sc.recorded("cloudtrail", "DescribeTrails", TRAILS)
    sc.recorded("cloudtrail", "GetTrailStatus", STATUS)
    if selectors is None:
        sc.error(
            "cloudtrail", "GetEventSelectors", "AccessDeniedException", status=400,
            source="AWS CloudTrail API: common errors",
        )  # fmt: skip
    else:
        sc.recorded("cloudtrail", "GetEventSelectors", SELECTORS[selectors])
    run = sc.collect(regions=["us-east-1"], only={"cloudtrail", "account"})
    assert run.collector_crashes() == []
    assert [p["TrailName"] for p in run.requests("cloudtrail", "GetEventSelectors")] == [
        "arn:aws:cloudtrail:us-east-1:644160558196:trail/skunk-trails"
    ]
    return one(evaluate(run.inventory, ruleset), "cloudtrail.multi_region_trail")


@pytest.mark.parametrize("selectors", ["all", "advanced_all"])
def test_read_and_write_management_events_pass(ruleset, selectors) -> None:  # type: ignore[no-untyped-def]
    f = _run(ruleset, selectors)
    assert f.status is Status.PASS, f.message


def test_advanced_selector_exclusions_are_stated(ruleset) -> None:  # type: ignore[no-untyped-def]
    f = _run(ruleset, "advanced_all")
    assert f.evidence["excluded_sources"] == ["rdsdata.amazonaws.com"]


@pytest.mark.parametrize(
    ("selectors", "missing"),
    [("read_only", "write"), ("advanced_write_only", "read"), ("data_only", "read and write")],
)
def test_trails_missing_read_or_write_management_events_fail(ruleset, selectors, missing) -> None:  # type: ignore[no-untyped-def]
    f = _run(ruleset, selectors)
    assert f.status is Status.FAIL
    assert f"does not record {missing} management events" in f.message


def test_unreadable_event_selectors_are_unknown(ruleset) -> None:  # type: ignore[no-untyped-def]
    f = _run(ruleset, None)
    assert f.status is Status.UNKNOWN
    assert "cloudtrail:GetEventSelectors" in (f.unknown_reason or "")


ORG_TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:644160558196:trail/org-trail"


def _org_trail_run(ruleset, selectors_error: str | None):  # type: ignore[no-untyped-def]
    """An organization trail of the management account 644160558196, seen from a member account
    scanning eu-west-1: DescribeTrails (shadow trails included) lists it with its home region."""
    sc = Scenario("organization trail seen from a member account", source="recorded CloudTrail responses, edited")
    sc.recorded(
        "cloudtrail",
        "DescribeTrails",
        TRAILS,
        edit=lambda d: {
            "trailList": [
                {**d["trailList"][0], "Name": "org-trail", "TrailARN": ORG_TRAIL_ARN, "IsOrganizationTrail": True}
            ]
        },
    )
    sc.recorded("cloudtrail", "GetTrailStatus", STATUS)
    if selectors_error:
        sc.error("cloudtrail", "GetEventSelectors", selectors_error, status=400, source="CloudTrail API errors")
    else:
        sc.recorded("cloudtrail", "GetEventSelectors", SELECTORS["all"])
    run = sc.collect(regions=["eu-west-1"], only={"cloudtrail", "account"})
    asked = [c for c in sc.calls if c.operation == "GetEventSelectors"]
    assert [(c.region, c.params["TrailName"]) for c in asked] == [("us-east-1", ORG_TRAIL_ARN)]  # its home region
    return one(evaluate(run.inventory, ruleset), "cloudtrail.multi_region_trail")


def test_an_organization_trail_read_from_its_home_region_counts(ruleset) -> None:  # type: ignore[no-untyped-def]
    f = _org_trail_run(ruleset, None)
    assert f.status is Status.PASS and "org-trail" in f.message


def test_an_organization_trail_whose_selectors_a_member_cannot_read_is_unknown(ruleset) -> None:  # type: ignore[no-untyped-def]
    f = _org_trail_run(ruleset, "TrailNotFoundException")
    assert f.status is Status.UNKNOWN and "cloudtrail:GetEventSelectors" in (f.unknown_reason or "")
