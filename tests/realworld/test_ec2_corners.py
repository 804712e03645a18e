"""Real-account corners of the EC2 and CloudTrail collectors.

Shapes: botocore model and EC2 API reference (DescribeSecurityGroups `PrefixListIds`,
GetManagedPrefixListEntries `Entries[].Cidr`, DescribeInstances of a stopped instance:
`State.Name stopped`, `StateReason`, no public IP, absent from DescribeInstanceStatus without
IncludeAllInstances), and the CloudTrail User Guide on organization trails (a member account lists
the management account's trail, ARN in that account, through DescribeTrails with shadow trails).
"""

from __future__ import annotations

from typing import Any

from srmscan.model import Status
from tests.realworld.accounts import INSTANCE, image, instance
from tests.realworld.harness import Scenario

EC2_DOC = "EC2 API reference: DescribeSecurityGroups, GetManagedPrefixListEntries, DescribeInstances"
TRAIL_DOC = "CloudTrail User Guide: organization trails seen from member accounts; DescribeTrails, GetTrailStatus"
PL_OFFICE = "pl-0office0000000001"
PL_S3 = "pl-6ca54005"  # an AWS-managed list (com.amazonaws.eu-west-1.s3)


def group_allowing_ssh_from(prefix_list: str) -> dict[str, Any]:
    return {
        "GroupId": "sg-0bastion",
        "GroupName": "bastion",
        "VpcId": "vpc-0a",
        "OwnerId": "123456789012",
        "Description": "ssh from the office list",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "UserIdGroupPairs": [],
                "PrefixListIds": [{"PrefixListId": prefix_list, "Description": "office"}],
            }
        ],
        "IpPermissionsEgress": [],
    }


def prefix_list_account(prefix_list: str, cidrs: list[str]) -> Scenario:
    sc = Scenario("ssh allowed from a prefix list", source=EC2_DOC)
    sc.answer(
        "ec2", "DescribeSecurityGroups", {"SecurityGroups": [group_allowing_ssh_from(prefix_list)]}, source=EC2_DOC
    )
    sc.answer(
        "ec2",
        "GetManagedPrefixListEntries",
        {"Entries": [{"Cidr": c, "Description": "entry"} for c in cidrs]},
        when={"PrefixListId": prefix_list},
        source=EC2_DOC,
    )
    return sc


def test_a_prefix_list_holding_the_internet_opens_the_port(ruleset) -> None:  # type: ignore[no-untyped-def]
    run = prefix_list_account(PL_OFFICE, ["203.0.113.0/24", "0.0.0.0/0"]).scan(ruleset)
    finding = run.finding("vpc.sg_admin_ports_open", "sg-0bastion")
    assert finding.status is Status.FAIL
    assert "0.0.0.0/0" in finding.message
    assert [p["MaxResults"] for p in run.requests("ec2", "GetManagedPrefixListEntries")] == [100]


def test_a_prefix_list_of_private_ranges_does_not(ruleset) -> None:  # type: ignore[no-untyped-def]
    run = prefix_list_account(PL_S3, ["52.218.0.0/17", "3.5.64.0/21"]).scan(ruleset)
    assert run.finding("vpc.sg_admin_ports_open", "sg-0bastion").status is Status.PASS
    ingress = run.resource("AWS::EC2::SecurityGroup", "sg-0bastion").attrs["ingress"]
    assert ingress[0]["prefix_lists"] == [PL_S3] and "52.218.0.0/17" in ingress[0]["prefix_list_cidrs"]


def test_an_unreadable_prefix_list_makes_the_ingress_unknown(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = prefix_list_account(PL_OFFICE, [])
    sc.error(
        "ec2", "GetManagedPrefixListEntries", "UnauthorizedOperation", "not authorized", status=403, source=EC2_DOC
    )
    finding = sc.scan(ruleset).finding("vpc.sg_admin_ports_open", "sg-0bastion")
    assert finding.status is Status.UNKNOWN
    assert "GetManagedPrefixListEntries" in str(finding.unknown_reason)


def test_a_stopped_instance_is_kept_and_judged_on_its_settings(ruleset) -> None:  # type: ignore[no-untyped-def]
    stopped = instance(
        State={"Code": 80, "Name": "stopped"},
        StateReason={"Code": "Client.UserInitiatedShutdown", "Message": "Client.UserInitiatedShutdown: User initiated"},
        StateTransitionReason="User initiated (2026-10-02 08:00:00 GMT)",
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled", "State": "applied"},
    )
    sc = Scenario("a stopped instance", source=EC2_DOC)
    sc.answer("ec2", "DescribeInstances", {"Reservations": [{"Instances": [stopped]}]}, source=EC2_DOC)
    sc.answer("ec2", "DescribeImages", {"Images": [image()]}, source=EC2_DOC)
    sc.answer("ec2", "DescribeInstanceStatus", {"InstanceStatuses": []}, source=EC2_DOC + " (running only)")
    run = sc.scan(ruleset)
    res = run.resource("AWS::EC2::Instance", INSTANCE)
    assert res.attrs["state"] == "stopped" and res.attrs["scheduled_events"] == []
    assert run.finding("ec2.imdsv2_required", INSTANCE).status is Status.FAIL
    # An agent cannot report from a stopped instance: patch rules judge running instances only.
    assert run.findings("ssm.instance_managed", INSTANCE) == []


MANAGEMENT = "111111111111"
ORG_TRAIL = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/org-trail"


def member_account() -> Scenario:
    sc = Scenario("a member account under an organization trail", source=TRAIL_DOC)
    sc.answer(
        "cloudtrail",
        "DescribeTrails",
        {
            "trailList": [
                {
                    "Name": "org-trail",
                    "TrailARN": ORG_TRAIL,
                    "HomeRegion": "us-east-1",
                    "S3BucketName": "org-cloudtrail-logs",
                    "IsMultiRegionTrail": True,
                    "IsOrganizationTrail": True,
                    "IncludeGlobalServiceEvents": True,
                    "LogFileValidationEnabled": True,
                    "HasCustomEventSelectors": False,
                    "HasInsightSelectors": False,
                }
            ]
        },
        source=TRAIL_DOC,
    )
    return sc


def test_an_organization_trail_covers_the_member_account(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = member_account()
    sc.answer("cloudtrail", "GetTrailStatus", {"IsLogging": True}, when={"Name": ORG_TRAIL}, source=TRAIL_DOC)
    sc.answer(
        "cloudtrail",
        "GetEventSelectors",
        {
            "TrailARN": ORG_TRAIL,
            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
        },
        source="CloudTrail API reference: GetEventSelectors of a trail with the default selector",
    )
    run = sc.scan(ruleset, regions=["eu-west-1"])
    trail = run.resource("AWS::CloudTrail::Trail", ORG_TRAIL)
    assert trail.region == "us-east-1" and trail.attrs["organization_trail"] is True
    # The status is asked in the trail's home region, by ARN (the name alone is not this account's).
    assert [(c.region, c.params.get("Name")) for c in sc.calls if c.operation == "GetTrailStatus"] == [
        ("us-east-1", ORG_TRAIL)
    ]
    assert [f.status for f in run.findings("cloudtrail.multi_region_trail")] == [Status.PASS]


def test_an_organization_trail_whose_status_is_hidden_is_unknown_not_missing(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = member_account()
    sc.error("cloudtrail", "GetTrailStatus", "TrailNotFoundException", "Unknown trail", status=400, source=TRAIL_DOC)
    run = sc.scan(ruleset, regions=["eu-west-1"])
    statuses = [f.status for f in run.findings("cloudtrail.multi_region_trail")]
    assert statuses == [Status.UNKNOWN]
