"""AMIs on a real account: disabled AMIs are asked for, and AMIs hidden by Allowed AMIs are not "deregistered".

Shapes: botocore model and EC2 API reference for DescribeImages ("IncludeDisabled: Default: No
disabled AMIs are included"; "When Allowed AMIs is set to enabled, only allowed images are
returned") and GetAllowedImagesSettings (State: disabled | audit-mode | enabled).
"""

from __future__ import annotations

from typing import Any

from srmscan.model import Status
from tests.realworld.accounts import AMI, INSTANCE, image, instance
from tests.realworld.harness import Scenario

DOC = "EC2 API reference: DescribeImages (IncludeDisabled, Allowed AMIs), GetAllowedImagesSettings"


def describe_images_as_ec2(disabled: bool = False, allowed_amis: str = "disabled") -> Any:
    """DescribeImages as EC2 answers: a disabled AMI only with IncludeDisabled, and nothing
    outside the criteria when Allowed AMIs is enabled."""

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        if allowed_amis == "enabled":
            return {"Images": []}
        if disabled and not params.get("IncludeDisabled"):
            return {"Images": []}
        return {
            "Images": [image(State="disabled" if disabled else "available", CreationDate="2024-01-09T00:00:00.000Z")]
        }

    return answer


def account(disabled: bool = False, allowed_amis: str = "disabled") -> Scenario:
    sc = Scenario("an instance and its AMI", source=DOC)
    sc.answer("ec2", "DescribeInstances", {"Reservations": [{"Instances": [instance()]}]}, source="botocore model")
    sc.answer("ec2", "DescribeImages", describe_images_as_ec2(disabled, allowed_amis), source=DOC)
    sc.answer("ec2", "GetAllowedImagesSettings", {"State": allowed_amis}, source=DOC)
    return sc


def test_a_disabled_ami_is_still_described(ruleset) -> None:  # type: ignore[no-untyped-def]
    run = account(disabled=True).scan(ruleset)
    assert all(p.get("IncludeDisabled") is True for p in run.requests("ec2", "DescribeImages"))
    assert run.resource("AWS::EC2::Instance", INSTANCE).attrs["image"]["state"] == "disabled"
    assert run.finding("ec2.ami_age", INSTANCE).status is Status.FAIL
    assert run.requests("ec2", "GetAllowedImagesSettings") == []  # nothing missing: not asked


def test_an_ami_hidden_by_allowed_amis_is_unknown_and_not_called_deregistered(ruleset) -> None:  # type: ignore[no-untyped-def]
    run = account(allowed_amis="enabled").scan(ruleset)
    finding = run.finding("ec2.ami_age", INSTANCE)
    assert finding.status is Status.UNKNOWN
    assert "Allowed AMIs is enabled" in finding.message
    assert "deregistered or unshared" not in finding.message
    assert run.finding("ec2.os_end_of_life", INSTANCE).status is Status.UNKNOWN


def test_a_missing_ami_without_allowed_amis_is_gone(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = account()
    sc.answer("ec2", "DescribeImages", {"Images": []}, source=DOC + " (AMI deregistered)")
    run = sc.scan(ruleset)
    message = run.finding("ec2.ami_age", INSTANCE).message
    assert f"AMI {AMI}" in message and "deregistered or no longer shared" in message


def test_allowed_amis_unreadable_says_what_cannot_be_told(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = account(allowed_amis="enabled")
    sc.error("ec2", "GetAllowedImagesSettings", "UnauthorizedOperation", "not authorized", status=403, source=DOC)
    finding = sc.scan(ruleset).finding("ec2.ami_age", INSTANCE)
    assert finding.status is Status.UNKNOWN
    assert "could not be read" in finding.message and "hidden by Allowed AMIs" in finding.message
