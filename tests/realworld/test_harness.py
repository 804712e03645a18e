"""The replay harness itself: shapes are checked, unanswered calls get defaults, nothing leaves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.realworld.harness import Scenario, ShapeError, minimal_answer, recording, validate


def test_a_member_aws_does_not_return_is_rejected() -> None:
    with pytest.raises(ShapeError, match="BucketRegionName"):
        validate("s3", "ListBuckets", {"Buckets": [{"Name": "b", "BucketRegionName": "eu-west-1"}]})


def test_a_wrong_type_is_rejected() -> None:
    with pytest.raises(ShapeError):
        Scenario("t", source="test").answer(
            "ec2", "DescribeVolumes", {"Volumes": [{"VolumeId": "vol-1", "Size": "8"}]}, source="wrong on purpose"
        )


def test_none_is_only_allowed_where_botocore_parses_it() -> None:
    validate("s3", "GetBucketLocation", {"LocationConstraint": None})
    with pytest.raises(ShapeError, match="None"):
        validate("s3", "ListBuckets", {"Owner": None})


def test_minimal_answers_fill_required_members() -> None:
    assert minimal_answer("lambda", "ListFunctionUrlConfigs") == {"FunctionUrlConfigs": []}
    validate("lambda", "ListFunctionUrlConfigs", minimal_answer("lambda", "ListFunctionUrlConfigs"))


def test_recordings_revive_datetimes() -> None:
    status, data = recording("placebo/test_access_analyzer_finding/access-analyzer.ListAnalyzers_1.json")
    assert status == 200
    assert isinstance(data["analyzers"][0]["createdAt"], datetime)
    assert data["analyzers"][0]["createdAt"].tzinfo is UTC


def test_an_empty_account_scans_offline_and_every_call_is_recorded(ruleset) -> None:  # type: ignore[no-untyped-def]
    run = Scenario("empty", source="defaults only").scan(ruleset)
    assert run.collector_crashes() == []
    assert run.inventory.account_id == "123456789012"
    assert run.requests("sts", "GetCallerIdentity")
    assert run.requests("ec2", "DescribeInstances")
    assert all(c.answered_by.startswith("default") for c in run.scenario.calls)


def test_pages_are_chained_by_the_paginator_tokens(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = Scenario("two pages", source="botocore model")
    vol = {"VolumeId": "vol-1", "Size": 8, "Encrypted": True, "State": "available"}
    sc.pages(
        "ec2",
        "DescribeVolumes",
        [{"Volumes": [vol]}, {"Volumes": [{**vol, "VolumeId": "vol-2", "Encrypted": False}]}],
        source="botocore model DescribeVolumesResult",
    )
    run = sc.collect(only={"ec2"})
    assert run.resource("AWS::EC2::Volume", "vol-2").attrs["encrypted"] is False
    assert [p.get("NextToken") for p in run.requests("ec2", "DescribeVolumes")] == [None, "replay-page-1"]


def test_errors_reach_the_collector_as_aws_errors(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = Scenario("denied", source="AWS error shape")
    sc.error("ec2", "DescribeVolumes", "UnauthorizedOperation", "You are not authorized", status=403, source="EC2 docs")
    run = sc.collect(only={"ec2"})
    assert [(e.operation, e.code) for e in run.inventory.errors] == [("DescribeVolumes", "UnauthorizedOperation")]
